#include "bwe/sent_packet_history.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <new>
#include <utility>

namespace rrtc::bwe {

SentPacketHistory::SentPacketHistory(std::size_t capacity)
    : capacity_(std::bit_ceil(std::max(capacity, std::size_t{2}))),
      ring_(std::min(capacity_, kInitialEntries)),
      mask_(ring_.size() - 1) {}

void SentPacketHistory::grow() {
  std::vector<Entry> bigger(ring_.size() * 2);
  const std::size_t mask = bigger.size() - 1;
  // The ring holds distinct numbers within one ring's length of the newest, so they land in
  // distinct slots of a ring twice as long.
  for (const Entry& entry : ring_) {
    if (entry.seq >= 0) bigger[static_cast<std::size_t>(entry.seq) & mask] = entry;
  }
  ring_ = std::move(bigger);
  mask_ = mask;
}

void SentPacketHistory::add(const SentPacket& packet) noexcept {
  if (packet.seq < 0 || (newest_ >= 0 && packet.seq <= newest_)) return;
  const Entry& previous = ring_[static_cast<std::size_t>(packet.seq) & mask_];
  if (previous.seq > highest_reported_ && ring_.size() < capacity_) {
    try {
      grow();
    } catch (const std::bad_alloc&) {
      // Keep the ring as it is: the oldest unreported packet is forgotten, as at capacity.
    }
  }
  Entry& entry = ring_[static_cast<std::size_t>(packet.seq) & mask_];
  sent_bytes_ += packet.size;
  entry.seq = packet.seq;
  entry.send_time_us = packet.send_time.time_since_epoch().count();
  entry.sent_bytes = sent_bytes_;
  // Sizes beyond 2 GiB and cluster ids beyond 32767 do not occur (ids count up from 1 per
  // probe, a few a minute); clamp rather than wrap if they ever did.
  entry.size = static_cast<std::int32_t>(std::min<std::int64_t>(packet.size, INT32_MAX));
  entry.probe_cluster = static_cast<std::int16_t>(
      std::clamp(packet.probe_cluster, kNoProbeCluster, static_cast<int>(INT16_MAX)));
  entry.state = State::kUnreported;
  newest_ = packet.seq;
}

std::optional<std::int64_t> SentPacketHistory::newest_seq() const noexcept {
  if (newest_ < 0) return std::nullopt;
  return newest_;
}

std::optional<std::int64_t> SentPacketHistory::unwrap(std::uint16_t wire_seq) const noexcept {
  if (newest_ < 0) return std::nullopt;
  const auto behind = static_cast<std::uint16_t>(static_cast<std::uint16_t>(newest_) - wire_seq);
  const std::int64_t seq = newest_ - behind;
  if (seq < 0) return std::nullopt;
  return seq;
}

ReportOutcome SentPacketHistory::report(std::int64_t seq, bool received,
                                        SentPacket* sent) noexcept {
  if (seq < 0 || seq > newest_ || newest_ - seq > static_cast<std::int64_t>(mask_)) {
    return ReportOutcome::kIgnored;
  }
  Entry& entry = ring_[static_cast<std::size_t>(seq) & mask_];
  if (entry.seq != seq) return ReportOutcome::kIgnored;
  if (seq > highest_reported_) {
    highest_reported_ = seq;
    reported_bytes_ = entry.sent_bytes;
  }
  ReportOutcome outcome = ReportOutcome::kIgnored;
  if (received) {
    if (entry.state == State::kUnreported) outcome = ReportOutcome::kReceived;
    if (entry.state == State::kLost) outcome = ReportOutcome::kRecovered;
    entry.state = State::kReceived;
  } else if (entry.state == State::kUnreported) {
    outcome = ReportOutcome::kLost;
    entry.state = State::kLost;
  }
  if (outcome != ReportOutcome::kIgnored && sent != nullptr) {
    *sent = SentPacket{entry.seq, entry.size, time::Timestamp(time::Duration(entry.send_time_us)),
                       entry.probe_cluster};
  }
  return outcome;
}

}  // namespace rrtc::bwe
