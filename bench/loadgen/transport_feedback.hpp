#pragma once
// A receiver's transport-wide congestion control feedback, as a browser sends it
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): every packet's transport-wide sequence
// number and arrival time are recorded, and every ~100 ms the arrivals since the last feedback
// go out as one or more transport-cc messages (rtcp::TransportCc builds them). Numbers that
// never arrived between two that did are reported lost by the message itself.
//
// Pure: the caller passes arrival times and gets the messages' bytes; no clock, no I/O.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "rtcp/transport_cc.hpp"
#include "rtp/seq_unwrapper.hpp"

namespace rrtc::loadgen {

class TransportFeedback {
 public:
  // Most packets reported in one message (keeps it well under an MTU: ~2 bytes each).
  static constexpr std::size_t kMaxPerMessage = 256;
  // Beyond this many pending arrivals (no feedback for a long time) the oldest are dropped.
  static constexpr std::size_t kMaxPending = 8192;

  void record(std::uint16_t transport_seq, std::int64_t arrival_us);
  std::size_t pending() const { return pending_.size(); }

  // Builds the messages for everything recorded since the last call and hands each one's bytes
  // (a complete RTCP packet, reduced-size) to `send`; returns how many were built. Arrivals
  // that arrived late for a number already reported are dropped, duplicates reported once.
  std::size_t flush(std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                    const std::function<void(std::span<const std::uint8_t>)>& send);

 private:
  rtp::Unwrapper<std::uint16_t> unwrapper_;
  std::vector<rtcp::PacketArrival> pending_;
  std::int64_t reported_up_to_ = -1;  // highest unwrapped number already reported
  bool reported_any_ = false;
  std::uint8_t fb_count_ = 0;
};

}  // namespace rrtc::loadgen
