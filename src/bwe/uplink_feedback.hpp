#pragma once
// UplinkFeedback: the receiver side of transport-wide congestion control for one publisher's
// PeerConnection (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3): every RTP
// packet it sends carries a transport-wide sequence number; we record when each arrived and
// send back transport-cc feedback (RTPFB FMT=15) so the publisher's own send-side estimator
// (the browser's GoogCC) can measure its uplink.
//
//   on_packet(wire_seq, now)   for every packet with the extension (after SRTP)
//   next_timeout()             when a feedback message is due; nullopt while nothing waits
//                              (a silent publisher costs no timer)
//   write_feedback(...)        at that deadline: one message into the caller's buffer; call
//                              again while it writes (a backlog larger than one message)
//
// What a message reports: every number from the first one not reported yet to the newest one
// heard, missing numbers as "not received". Reordering inside that window just fills its slot;
// a packet arriving after its number was reported (late) moves the window back, so the next
// message reports it (the sender ignores what it already knows and takes "received" after
// "lost"). Duplicates keep the first arrival. A gap right after the last message is reported
// by starting the next message at the last reported packet (the message format needs a received
// packet first). Numbers are unwrapped from 16 bits against the newest heard.
//
// Bounds: the window is at most `capacity` numbers (older numbers are forgotten), one message
// holds at most `max_received` packets, so it stays under kMaxFeedbackBytes.
//
// Pure: time is a parameter, no I/O, no logging, no exceptions; the ring and the arrival list
// are allocated in the constructor and never again. One object per publisher, one thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtcp/transport_cc.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

// Bytes one feedback message never exceeds (with the defaults below): well inside a datagram
// after SRTCP and IP overhead.
inline constexpr std::size_t kMaxFeedbackBytes = 1200;

struct UplinkFeedbackConfig {
  time::Duration interval{50'000};  // between messages while packets arrive
  std::size_t capacity = 1024;      // numbers remembered (rounded up to a power of two)
  std::size_t max_received = 300;   // received packets per message
};

struct UplinkFeedbackStats {
  std::uint64_t packets = 0;     // recorded (first arrival of each number)
  std::uint64_t duplicates = 0;  // a number already recorded
  std::uint64_t too_old = 0;     // older than the window
  std::uint64_t late = 0;        // arrived after its number was reported
  std::uint64_t messages = 0;    // feedback messages written
};

class UplinkFeedback {
 public:
  explicit UplinkFeedback(const UplinkFeedbackConfig& config = {});

  // A packet carrying transport-wide sequence number `wire_seq` arrived at `now`. No allocation.
  void on_packet(std::uint16_t wire_seq, time::Timestamp now) noexcept;

  // When the next message is due: the later of the previous message + interval and the first
  // arrival not reported yet; nullopt when nothing waits.
  std::optional<time::Timestamp> next_timeout() const noexcept;

  // Writes one transport-cc message (RTCP header included) into `out` when one is due at `now`
  // and returns its size; 0 when none is due. `sender_ssrc`: our RTCP SSRC; `media_ssrc`: one of
  // the publisher's SSRCs (receivers ignore it). `out` must hold kMaxFeedbackBytes.
  std::size_t write_feedback(time::Timestamp now, std::uint32_t sender_ssrc,
                             std::uint32_t media_ssrc, std::span<std::uint8_t> out) noexcept;

  const UplinkFeedbackStats& stats() const noexcept { return stats_; }

 private:
  struct Slot {
    std::int64_t seq = -1;  // -1: empty
    std::int64_t arrival_us = 0;
  };
  bool received(std::int64_t seq) const noexcept;
  // Collects the next message's arrivals from next_ (after `anchor` when given); false when
  // nothing could be collected.
  bool collect(std::optional<std::int64_t> anchor) noexcept;

  UplinkFeedbackConfig config_;
  std::vector<Slot> ring_;
  std::size_t mask_ = 0;
  std::vector<rtcp::PacketArrival> arrivals_;     // one message's, reserved
  std::int64_t highest_ = -1;                     // newest number heard, -1: none yet
  std::int64_t next_ = 0;                         // first number not reported yet
  std::optional<std::int64_t> last_reported_;     // newest received number in the last message
  std::optional<time::Timestamp> pending_since_;  // first arrival not reported yet
  std::optional<time::Timestamp> last_sent_;
  bool backlog_ = false;  // the last message was cut short: the next one is due at once
  std::uint8_t fb_count_ = 0;
  UplinkFeedbackStats stats_;
};

}  // namespace rrtc::bwe
