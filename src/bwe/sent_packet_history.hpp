#pragma once
// What we sent to one receiver, by transport-wide sequence number
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2), so feedback can be matched to
// send times and sizes. A ring that starts at kInitialEntries (256: 8 KiB) and doubles, up to
// `capacity`, only when a packet would overwrite one that no feedback has covered yet: a receiver
// whose feedback keeps up never grows it (at 2.5 Mbit/s of 1200-byte packets 256 entries are
// about 1 s), one with a long round trip or a high rate grows it a few times, each time once, and
// at `capacity` a sequence number falls out `capacity` packets later (4096: about 2 s at
// 20 Mbit/s, far longer than feedback takes). Memory per subscriber was the reason (issue 18): a
// fixed ring of 4096 entries was 128 KiB for every one of them. Each packet is reported once: a
// second "received" for it
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
  static constexpr std::size_t kInitialEntries = 256;

  // capacity: the most entries it grows to, rounded up to a power of two.
  explicit SentPacketHistory(std::size_t capacity = 4096);

  // Packets must come in increasing seq order; a seq not above the newest is ignored. Allocates
  // only when it grows the ring (see above); if that allocation fails, the oldest unreported
  // packet is forgotten as at full capacity.
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

  // Entries the ring holds now, and the most it grows to.
  std::size_t entries() const noexcept { return ring_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  enum class State : std::uint8_t { kUnreported, kLost, kReceived };
  // 32 bytes: 8 KiB at first, 128 KiB at the default capacity.
  struct Entry {
    std::int64_t seq = -1;          // -1: never used
    std::int64_t send_time_us = 0;  // time::Timestamp's count
    std::int64_t sent_bytes = 0;    // bytes sent up to and including this packet
    std::int32_t size = 0;
    std::int16_t probe_cluster = kNoProbeCluster;
    State state = State::kUnreported;
  };
  static_assert(sizeof(Entry) == 32);

  // Twice the entries, each moved to its slot in the bigger ring.
  void grow();

  std::size_t capacity_;
  std::vector<Entry> ring_;
  std::size_t mask_;
  std::int64_t newest_ = -1;
  std::int64_t highest_reported_ = -1;
  std::int64_t sent_bytes_ = 0;
  std::int64_t reported_bytes_ = 0;  // sent_bytes of the highest reported packet
};

}  // namespace rrtc::bwe
