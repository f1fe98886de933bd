#pragma once
// What we sent to one receiver, by transport-wide sequence number
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2), so feedback can be matched to
// send times and sizes. A ring of fixed capacity, allocated once: a sequence number falls out
// of it `capacity` packets later (16384 packets: about 6 s at 20 Mbit/s of 1200-byte packets,
// far longer than feedback takes). Each packet is reported once: a second "received" for it
// (duplicated or reordered feedback) is ignored, as is "lost" after "received"; "received"
// after "lost" counts (the feedback that said lost was sent before the packet arrived).
// Feedback about numbers never sent, or long forgotten, is ignored.

#include <cstdint>
#include <optional>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::bwe {

// A probe cluster id on a packet that belongs to none.
inline constexpr int kNoProbeCluster = -1;

struct SentPacket {
  std::int64_t seq = 0;   // transport-wide sequence number, unwrapped (increasing)
  std::int64_t size = 0;  // bytes on the wire we account for (RTP header + payload + padding)
  time::Timestamp send_time{};
  int probe_cluster = kNoProbeCluster;  // ProbeCluster::id when sent as part of a probe
};

enum class ReportOutcome {
  kIgnored,    // unknown sequence number, or nothing new about it
  kLost,       // first report, lost
  kReceived,   // first report, received
  kRecovered,  // received after an earlier report said lost
};

class SentPacketHistory {
 public:
  // capacity: rounded up to a power of two; the only allocation.
  explicit SentPacketHistory(std::size_t capacity = 4096);

  // Packets must come in increasing seq order; a seq not above the newest is ignored.
  void add(const SentPacket& packet) noexcept;

  // The unwrapped number of a 16-bit wire number: the one nearest below the newest sent.
  std::optional<std::int64_t> unwrap(std::uint16_t wire_seq) const noexcept;

  // Records a report about `seq`; `*sent` receives the packet when the outcome is not kIgnored.
  ReportOutcome report(std::int64_t seq, bool received, SentPacket* sent) noexcept;

  std::optional<std::int64_t> newest_seq() const noexcept;

  // Bytes sent after the highest sequence number any feedback has reported (lost or received):
  // what is still in the network or in feedback on its way back. All bytes sent before the
  // first report.
  std::int64_t in_flight_bytes() const noexcept { return sent_bytes_ - reported_bytes_; }

 private:
  enum class State : std::uint8_t { kUnreported, kLost, kReceived };
  // 32 bytes: a subscriber's default ring of 4096 takes 128 KiB.
  struct Entry {
    std::int64_t seq = -1;          // -1: never used
    std::int64_t send_time_us = 0;  // time::Timestamp's count
    std::int64_t sent_bytes = 0;    // bytes sent up to and including this packet
    std::int32_t size = 0;
    std::int16_t probe_cluster = kNoProbeCluster;
    State state = State::kUnreported;
  };
  static_assert(sizeof(Entry) == 32);
  std::vector<Entry> ring_;
  std::size_t mask_;
  std::int64_t newest_ = -1;
  std::int64_t highest_reported_ = -1;
  std::int64_t sent_bytes_ = 0;
  std::int64_t reported_bytes_ = 0;  // sent_bytes of the highest reported packet
};

}  // namespace rrtc::bwe
