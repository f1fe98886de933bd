#pragma once
// The pacer: what the server sends one subscriber leaves at most at `factor` x its estimate,
// with `burst` worth of it at once, so a key frame forwarded as the publisher sent it (tens of
// kilobytes within a millisecond) does not land whole in the queue of a narrow link. Such a
// burst overflows a 400 kbit/s link's 300 ms queue, and the loss and delay it leaves read as
// congestion: the estimate collapses below the lowest layer and the picture freezes (issue 17's
// browser test). Paced, the queue forms here, where it costs no loss and the estimator does not
// see it (a packet's send time is when it leaves the pacer).
//
// A leaky bucket: sending adds a packet's bytes to a debt that drains at the pacing rate; a
// packet may leave while the debt is at most `burst` at that rate. By what a packet is:
// - audio leaves at once, whatever the debt (it is small and late audio is heard), and counts;
// - video and resends leave in order: at once while nothing waits and the debt allows, else they
//   wait in the queue; a packet that would make the queue longer than `max_delay` at the pacing
//   rate (or find no slot) is dropped, as the link's own queue would have dropped it, unless it
//   continues a frame already waiting: a key frame larger than that (a screen share's can be
//   100 KB) is delayed whole, never cut, which would make every new key frame fail again;
// - padding (probes) leaves at once while nothing waits, and counts; with a queue it is dropped
//   (there is no room to probe for);
// - the first packet of a key frame is video, and what of its stream (SSRC) waits from earlier
//   frames (another RTP timestamp) is dropped first: the key frame makes it useless to the
//   decoder, and a switch down no longer waits behind the higher layer's last 500 ms.
// Rate 0 paces nothing: every packet leaves at once, and what waits is due.
//
// Slot buffers are allocated when first needed and kept for reuse, as many as ever waited at once
// (a subscriber that never waits pays for none); nothing is allocated per packet after that.
// Time is a parameter; no I/O.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

struct PacerConfig {
  double factor = 1.5;                   // pacing rate = factor x the estimate
  time::Duration burst{40'000};          // debt allowed before a packet must wait
  time::Duration max_delay{500'000};     // longest queue, at the pacing rate
  std::size_t slots = 512;               // most packets waiting
  std::size_t slot_bytes = 1500 + 64;    // a forwarded packet plus SRTP's room after it
};

class Pacer {
 public:
  enum class Kind : std::uint8_t { audio, video, keyframe, resend, padding };
  enum class Verdict : std::uint8_t { send, queued, dropped };

  explicit Pacer(PacerConfig config = {});

  // The subscriber's estimate (0: not known, nothing paced).
  void set_estimate(DataRate estimate, time::Timestamp now) noexcept;
  DataRate rate() const noexcept { return rate_; }

  // A packet about to leave. send: the caller sends it now (its bytes are counted); queued: a
  // copy waits (take it back with due() when next_release() comes); dropped.
  Verdict offer(std::span<const std::uint8_t> packet, Kind kind, time::Timestamp now) noexcept;

  // The oldest waiting packet when it may leave at `now`: its slot (slot_bytes long, the packet
  // in its first `length` bytes, writable in place) ; nullopt when nothing is due. Call sent()
  // once it left (or failed to).
  struct Due {
    std::span<std::uint8_t> slot;
    std::size_t length = 0;
  };
  std::optional<Due> due(time::Timestamp now) noexcept;
  void sent(time::Timestamp now) noexcept;

  // When the oldest waiting packet may leave; nullopt when none waits.
  std::optional<time::Timestamp> next_release() const noexcept;

  std::size_t queued_packets() const noexcept { return count_; }
  std::int64_t queued_bytes() const noexcept { return queued_bytes_; }
  std::uint64_t dropped_packets() const noexcept { return dropped_; }
  std::uint64_t paced_packets() const noexcept { return paced_; }  // ever queued
  std::uint64_t superseded_packets() const noexcept { return superseded_; }  // by a key frame

 private:
  using Buffer = std::unique_ptr<std::uint8_t[]>;
  struct Slot {
    Buffer bytes;
    std::size_t length = 0;
  };
  // Whether `packet` belongs to the frame (SSRC and RTP timestamp) of its stream's newest
  // waiting packet.
  bool continues_queued_frame(std::span<const std::uint8_t> packet) const noexcept;
  void drain(time::Timestamp now) noexcept;
  void drop_older_frames(std::span<const std::uint8_t> keyframe) noexcept;
  std::int64_t allowance() const noexcept { return rate_.bytes_in(config_.burst); }

  PacerConfig config_;
  DataRate rate_;
  std::int64_t debt_ = 0;  // bytes, drained at rate_ since debt_at_
  time::Timestamp debt_at_{};
  std::vector<Slot> ring_;     // sized on the first packet that waits
  std::vector<Buffer> spare_;  // buffers of packets that left, reused first
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::int64_t queued_bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t paced_ = 0;
  std::uint64_t superseded_ = 0;
};

}  // namespace rrtc::bwe
