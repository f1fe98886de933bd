// The media side of a participant: RTP and RTCP between its Peer and the room, candidates,
// data channels (with the relay policing) and counters. Offers, answers and the connect deadline
// are in media_participant.cpp.
#include <algorithm>

#include "engine/media_participant.hpp"
#include "engine/media_room.hpp"
#include "log/log.hpp"
#include "sdp/capabilities.hpp"
#include "transport/peer_config_from_sdp.hpp"

namespace rrtc::engine {
namespace {

spdlog::logger& logger() { return rrtc::log::get("room"); }

std::uint64_t max_message_size() {
  static const std::uint64_t size = sdp::default_capabilities().max_message_size;
  return size;
}

}  // namespace

std::span<std::uint8_t> MediaParticipant::egress_slot() noexcept {
  if (peer_ == nullptr) return {};
  if (!egress_decided_ && connected_) choose_egress();
  // Spread: the entry of the ring to its egress worker that send_rtp() will commit.
  if (egress_.active()) return egress_.slot();
  // The worker's send ring, while MediaRoom's Batch is open: the Router writes the copy where
  // it leaves from, Peer protects it there and the transport queues it without copying (a
  // relayed or TCP pair sends it from there through libnice; the slot is then reused).
  if (context_.send_ring == nullptr) return {};
  return context_.send_ring->next_slot();
}

void MediaParticipant::choose_egress() noexcept {
  // Once per participant, at its first forwarded packet after connecting: on a direct UDP pair,
  // in a room that is spread at that moment.
  egress_decided_ = true;
  if (context_.egress == nullptr || !peer_->direct_route()) return;
  if (room_.size() < context_.limits.spread_min_subscribers) return;
  try {
    egress_ = context_.egress->open_seat(*peer_);
  } catch (...) {
    // Out of memory making the lane: it stays on this worker.
  }
}

bool MediaParticipant::send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                                room::SendKind kind) noexcept {
  if (peer_ == nullptr || length > buffer.size()) return false;
  switch (bandwidth_.pace(buffer.first(length), kind, room_.now())) {
    case bwe::Pacer::Verdict::send:
      return transmit(buffer, length);
    case bwe::Pacer::Verdict::queued:
      return true;  // a copy waits; the Router's buffer or slot may be reused
    case bwe::Pacer::Verdict::dropped:
      return false;
  }
  return false;
}

bool MediaParticipant::transmit(std::span<std::uint8_t> buffer, std::size_t length) noexcept {
  if (peer_ == nullptr) return false;
  // The subscriber's transport-wide sequence number goes in before SRTP protects the packet.
  const auto seq = bandwidth_.stamp(buffer, length);
  bool sent = false;
  const auto route = egress_.active() ? peer_->direct_route() : std::nullopt;
  if (route) {
    // Protected and sent by its egress worker; on_sent is stamped here, at hand-off.
    sent = egress_.hand_off(buffer, length, *route);
  } else {
    // Not spread, or its pair is no longer a direct UDP one (relayed now, or consent lost):
    // the Peer's own session and transport.
    sent = peer_->send_rtp(buffer, length) == transport::SendResult::Sent;
  }
  if (sent && seq) bandwidth_.on_sent(*seq, length, room_.now());
  return sent;
}

bool MediaParticipant::send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept {
  return peer_ != nullptr && peer_->send_rtcp(buffer, length) == transport::SendResult::Sent;
}

void MediaParticipant::on_candidate(const room::IceCandidate& candidate) {
  if (closing_) return;
  if (!started_) {
    if (pending_candidates_.size() < context_.limits.max_pending_candidates) {
      pending_candidates_.push_back(candidate.candidate);
    }
    return;
  }
  apply_remote_candidate(candidate.candidate);
}

void MediaParticipant::apply_remote_candidate(const std::string& candidate) {
  const auto result = peer_->add_remote_candidate(candidate);
  if (result != transport::CandidateResult::Added &&
      result != transport::CandidateResult::EndOfCandidates) {
    logger().debug("participant {}: remote candidate ignored ({}): {}", id_,
                   transport::to_string(result), candidate);
  }
}

RtpKind MediaParticipant::kind_of(std::uint8_t payload_type) const noexcept {
  for (const auto& [type, kind] : payload_kinds_) {
    if (type == payload_type) return kind;
  }
  return RtpKind::unknown;
}

void MediaParticipant::on_rtp(std::span<std::uint8_t> packet) noexcept {
  // The Peer delivers only packets of at least a fixed RTP header; byte 1 holds M + PT.
  const auto kind = packet.size() >= 2 ? kind_of(packet[1] & 0x7f) : RtpKind::unknown;
  const auto index = static_cast<std::size_t>(kind);
  context_.counters.rtp_packets[index].increment();
  context_.counters.rtp_bytes[index].add(packet.size());
  bandwidth_.on_rtp(packet, room_.now());  // before the Router (it may unwrap RTX in place)
  room_.on_rtp(*this, packet);
}

void MediaParticipant::on_rtcp(std::span<std::uint8_t> packet) noexcept {
  context_.counters.rtcp_packets.increment();
  const auto now = room_.now();
  bandwidth_.on_rtcp(packet, now);  // transport-cc feedback, REMB, RR loss: the estimator
  room_.on_rtcp(*this, packet);
  bandwidth_.after_router_rtcp(now);  // the RTT the Router measured
}

void MediaParticipant::on_local_candidate(std::string candidate) {
  if (closing_ || local_candidates_ >= context_.limits.max_local_candidates) return;
  ++local_candidates_;
  context_.channel->send_candidate(room_.name(), id_,
                                   room::IceCandidate{std::move(candidate), candidate_mid_, 0});
}

void MediaParticipant::on_gathering_done() {
  if (closing_) return;
  context_.channel->send_candidate(room_.name(), id_, room::IceCandidate{"", candidate_mid_, 0});
}

void MediaParticipant::enable_data_channels(const sdp::NegotiatedMedia& application) {
  enable_data_channels(transport::data_channel_config_from(application, max_message_size()));
}

void MediaParticipant::enable_data_channels(const transport::DataChannelConfig& config) {
  const auto result = peer_->enable_data_channels(config);
  if (result != transport::EnableDataResult::Enabled) {
    logger().info("participant {}: no data channels: {}", id_, transport::to_string(result));
  }
}

bool MediaParticipant::data_up() const noexcept {
  return peer_ != nullptr && peer_->data_channels_up();
}

void MediaParticipant::ensure_channel(const std::string& label, const std::string& protocol,
                                      const transport::DataChannelParameters& parameters) {
  if (!started_) {
    // A viewer in a room whose first data channel just opened: offered one to join it (the
    // channel follows when its association comes up, MediaRoom::on_data_up).
    refresh_offer();
    return;
  }
  if (!data_up() || peer_->data_channel_id(label)) return;
  const auto opened = peer_->open_data_channel(label, protocol, parameters);
  if (!opened.id) {
    logger().info("participant {}: could not open data channel '{}': {}", id_, label,
                  transport::to_string(opened.error));
    return;
  }
  context_.counters.data_channels_opened.increment();
}

bool MediaParticipant::send_data(std::string_view label, std::span<const std::uint8_t> data,
                                 bool binary) {
  if (!data_up()) return false;
  const auto id = peer_->data_channel_id(label);
  if (!id) return false;
  const auto result = peer_->send_data(*id, data, binary);
  if (result == transport::DataSendResult::Sent) return true;
  logger().debug("participant {}: relayed message on '{}' not sent: {}", id_, label,
                 transport::to_string(result));
  return false;
}

void MediaParticipant::on_data_state(transport::DataState state, std::string_view reason) {
  if (state == transport::DataState::Up) {
    room_.on_data_up(*this);
    return;
  }
  logger().info("participant {}: data channels {}: {}", id_, transport::to_string(state), reason);
}

void MediaParticipant::on_data_channel_open(std::uint16_t /*id*/, std::string_view label,
                                            std::string_view protocol,
                                            const transport::DataChannelParameters& parameters) {
  context_.counters.data_channels_opened.increment();
  room_.on_data_channel(*this, std::string(label), std::string(protocol), parameters);
}

void MediaParticipant::on_data_message(std::uint16_t /*id*/, std::string_view label,
                                       std::span<const std::uint8_t> data, bool binary) {
  context_.counters.data_messages_received.increment();
  room_.relay_data(*this, std::string(label), data, binary);
}

void MediaParticipant::collect_counters() {
  if (peer_ == nullptr) return;
  const auto& now = peer_->counters();
  auto& c = context_.counters;
  c.datagrams_received.add(now.datagrams_in - collected_.datagrams_in);
  c.bytes_received.add(now.bytes_in - collected_.bytes_in);
  c.decrypt_failures.add(now.decrypt_failures - collected_.decrypt_failures);
  c.replays.add(now.replays - collected_.replays);
  c.packets_sent.add(now.rtp_sent + now.rtcp_sent - collected_.rtp_sent - collected_.rtcp_sent);
  c.send_failures.add(now.send_failures - collected_.send_failures);
  c.data_packets_unsent.add(now.data_packets_unsent - collected_.data_packets_unsent);
  collected_ = now;
}

bool MediaParticipant::admit_data(std::size_t bytes, time::Timestamp now) {
  // Charged only when both buckets admit it: a refused message costs nothing.
  if (data_messages_.holds(1, now) && data_bytes_.holds(bytes, now)) {
    data_messages_.take(1);
    data_bytes_.take(bytes);
    return true;
  }
  context_.counters.data_messages_policed.increment();
  context_.counters.data_bytes_policed.add(bytes);
  auto& limit = context_.log_limits.data_policed;
  if (limit.allow(now)) {
    logger().info(
        "participant {} in room {}: data-channel relay over {} messages / {} bytes per "
        "second, message dropped ({} more since the last line)",
        id_, room_.name(), context_.limits.max_data_messages_per_second,
        context_.limits.max_data_bytes_per_second, limit.suppressed());
  }
  return false;
}

}  // namespace rrtc::engine
