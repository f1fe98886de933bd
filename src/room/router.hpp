#pragma once
// The Router: every RTP packet a participant publishes goes to every other participant that
// subscribed to its track and whose filters pass, rewritten for that subscriber; and the RTCP
// that keeps those streams healthy (NACK both ways, PLI / FIR, SR, RR, REMB).
//
//   publisher RTP -> on_rtp: find the UpTrack by SSRC (RTX unwrapped), receive stats, upstream
//     NACK bookkeeping -> for each DownTrack: copy into the egress buffer (the only copy),
//     DownTrack::forward rewrites it, keep it for NACKs, RouterSink::send_rtp protects and sends
//   subscriber RTCP -> on_rtcp: NACK -> resend from the DownTrack's buffer; PLI / FIR -> key
//     frame request to the publisher (rate-limited); REMB -> remembered for the publisher's REMB
//   publisher RTCP -> on_rtcp: SR -> an SR per DownTrack with its own SSRC, counts and timestamp
//   tick(): upstream NACKs due, key-frame retries; every report interval RR and REMB to
//     publishers
//
// Filters (PROTOCOL.md): while muted a participant's audio is not forwarded, while video_on is
// false its camera, while screen_sharing is false its screen. A track that starts or resumes is
// resynced on every DownTrack and a key frame is asked for.
//
// Pure apart from the RouterSink: time is a parameter (the caller says when copies departed,
// for the hop latency). Threading: one thread (the room's worker). The hot path (on_rtp, on_rtcp, tick)
// allocates nothing and takes no lock; add/remove/publish/subscribe/set_state may allocate.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "room/down_track.hpp"
#include "room/forward_counters.hpp"
#include "room/nack_tracker.hpp"
#include "room/participant.hpp"
#include "room/track.hpp"

namespace rrtc::room {

// Where a member's packets go: its transport (SRTP + ICE). `buffer` has room for the SRTP
// overhead after `length` bytes; its content is unspecified afterwards.
class RouterSink {
 public:
  virtual bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length) noexcept = 0;
  virtual bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept = 0;

 protected:
  ~RouterSink() = default;
};

struct RouterOptions {
  DownTrackOptions video{256, std::chrono::milliseconds(1000), std::chrono::seconds(3)};
  DownTrackOptions audio{64, std::chrono::milliseconds(1000), std::chrono::seconds(3)};
  NackOptions nack;
  // At most one key-frame request per publisher track this often; repeated while a subscriber
  // still waits for one after `keyframe_retry`.
  std::chrono::microseconds keyframe_min_interval{std::chrono::milliseconds(300)};
  std::chrono::microseconds keyframe_retry{std::chrono::milliseconds(1000)};
  std::chrono::microseconds report_interval{std::chrono::seconds(1)};
  // REMB to a publisher: the lowest estimate its subscribers reported in `remb_timeout`,
  // capped by this (0: no cap, and no REMB without estimates).
  std::uint64_t remb_max_bitrate = 3'000'000;
  std::chrono::microseconds remb_timeout{std::chrono::seconds(5)};
};

// Bytes the egress buffer holds: the largest RTP packet forwarded plus the SRTP overhead.
inline constexpr std::size_t kMaxForwardedPacket = 1500;

class Router {
 public:
  struct Member;

  Router(RouterOptions options, ForwardCounters& counters);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // `sink` must outlive the membership. The returned reference stays valid until remove().
  Member& add(std::string id, RouterSink& sink, ParticipantState state);
  void remove(Member& member);

  // The tracks `member` publishes now (after each answer to its offer). Tracks keep their
  // state when their key stays.
  void publish(Member& member, const std::vector<PublishedTrack>& tracks,
               std::chrono::nanoseconds now);
  // The tracks `member` receives now (after each answer to a server offer). A subscription that
  // keeps its key and SSRC keeps its sequence numbers; new ones ask their publisher for a key
  // frame.
  void subscribe(Member& member, const std::vector<Subscription>& subscriptions,
                 std::chrono::nanoseconds now);
  void set_state(Member& member, ParticipantState state, std::chrono::nanoseconds now);
  // `member`'s transport is up: what it was sent before was lost, so every subscription starts
  // again at a key frame.
  void on_connected(Member& member, std::chrono::nanoseconds now);

  // Hot path. `packet` is decrypted, in the receive buffer (it may be modified: RTX is
  // unwrapped in place).
  void on_rtp(Member& from, std::span<std::uint8_t> packet, std::chrono::nanoseconds now) noexcept;
  // The copies handed to sinks since the last call left at `departed`: each is observed in the
  // hop-latency histogram as departed - arrived. The caller knows when they left (MediaRoom
  // sends one packet's copies in one batch).
  void departed(std::chrono::nanoseconds arrived, std::chrono::nanoseconds departed) noexcept;
  void on_rtcp(Member& from, std::span<const std::uint8_t> packet,
               std::chrono::nanoseconds now) noexcept;
  // Call every ~20 ms.
  void tick(std::chrono::nanoseconds now) noexcept;

  // For tests and logs.
  std::size_t members() const noexcept { return members_.size(); }
  std::size_t subscriptions_of(const Member& member) const noexcept;
  // The server's SSRC for the RTCP it sends to `member`.
  std::uint32_t rtcp_ssrc(const Member& member) const noexcept;

 private:
  struct UpTrack;
  struct DownLink;

  void relink();
  void request_keyframe(UpTrack& up, std::chrono::microseconds now) noexcept;
  void forward(UpTrack& up, std::span<std::uint8_t> packet, std::int64_t extended_seq,
               std::chrono::nanoseconds now) noexcept;
  void on_sender_report(Member& from, std::uint32_t ssrc, std::uint64_t ntp, std::uint32_t rtp,
                        std::chrono::microseconds now) noexcept;
  void on_nack(Member& from, std::uint32_t media_ssrc, std::span<const std::uint16_t> lost,
               std::chrono::microseconds now) noexcept;
  void send_nacks(Member& member, std::chrono::microseconds now) noexcept;
  void send_reports(Member& member, std::chrono::microseconds now) noexcept;
  UpTrack* find_up(Member& member, std::uint32_t ssrc) noexcept;
  DownLink* find_down(Member& member, std::uint32_t ssrc) noexcept;
  bool send_rtcp(Member& to, std::size_t length) noexcept;
  // The RTCP buffer minus the room SRTCP needs after the packet.
  std::span<std::uint8_t> rtcp_writable() noexcept {
    return std::span<std::uint8_t>(rtcp_.data(), rtcp_.size() - 24);
  }
  std::uint32_t next_ssrc() noexcept;

  RouterOptions options_;
  ForwardCounters& counters_;
  std::vector<std::unique_ptr<Member>> members_;
  std::chrono::microseconds next_report_{0};
  std::uint32_t ssrc_state_;
  std::size_t undeparted_copies_ = 0;  // sent since the last departed()
  alignas(16) std::array<std::uint8_t, kMaxForwardedPacket + 64> egress_{};
  alignas(16) std::array<std::uint8_t, 1500> rtcp_{};
};

}  // namespace rrtc::room
