#pragma once
// One participant's bandwidth estimation on its PeerConnection (issue 17), both directions:
//
// As a subscriber (what the server sends it): every RTP packet leaving through
// MediaParticipant::send_rtp gets the next transport-wide sequence number written into its
// transport-cc extension slot (the subscriber's id, one for the whole BUNDLE; the slot exists
// when the publisher's packet carried the extension, track_mapping keeps it), and the packet,
// with its size on the wire (SRTP tag included), goes to a bwe::SendSideEstimator. The
// subscriber's RTCP, before the Router sees it: transport-cc feedback -> on_feedback, REMB ->
// on_remb (a subscriber without transport-cc: REMB is its estimate), report blocks -> loss
// (on_loss_report); after the Router: its RTT (Router::rtt) -> on_rtt when it changes. The
// target goes to Router::set_estimate when it moved by more than 5 %, or at least once a second
// while it keeps moving. Probes: the estimator's clusters become Router::send_padding calls
// paced every 5 ms over the cluster, the padding tagged with the cluster id when stamped.
// Application-limited: while the Router forwards less than half of the target
// (Router::forwarded_bitrate), the estimator is told so.
// Pacing: while the estimate limits the Router, what leaves through send_rtp goes through a
// bwe::Pacer at MediaLimits::pacing_percent (150) % of the estimate: audio at once, padding only
// when nothing waits. A packet that waits is stamped and sent from the pacer's timer, so its
// transport-wide send time is when it left; the timer is due on a 2 ms grid (kPacerTick), so one
// wake-up of the worker releases every subscriber due in that tick (io/glib_loop.hpp: one timer
// source per worker, every due timer in one dispatch and one send batch). Without an estimate
// nothing waits.
//
// As a publisher (what it sends us): when it negotiated transport-cc, each of its packets'
// transport-wide sequence number is read in on_rtp and recorded (bwe::UplinkFeedback); its
// feedback goes out through the Peer's send_rtcp at the feedback deadline (every ~50 ms while it
// sends, no timer while it is silent).
//
// Threading: the worker's thread. Hot paths (stamp, on_sent, on_rtp, on_rtcp) allocate nothing;
// the estimator's history (128 KiB) and the feedback ring are allocated once, on the first
// subscription / publication that negotiated transport-cc (or REMB). Owned by its
// MediaParticipant, which it calls back (friend) for its Router member and its Peer.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bwe/pacer.hpp"
#include "bwe/send_side_estimator.hpp"
#include "bwe/uplink_feedback.hpp"
#include "engine/media_context.hpp"
#include "io/event_loop.hpp"
#include "room/router.hpp"
#include "room/track.hpp"
#include "time/media_time.hpp"

namespace rrtc::engine {

class MediaParticipant;
class MediaRoom;

class ParticipantBandwidth {
 public:
  // How far apart probe padding is sent inside a cluster.
  static constexpr time::Duration kProbeStep{5'000};
  // A probe cluster with nothing to pad on is tried again this often, for at most kProbeWait.
  static constexpr time::Duration kProbeRetry{100'000};
  static constexpr time::Duration kProbeWait{30'000'000};
  // A target that moved less than 1 / kReportChange (5 %) is handed to the Router at most once
  // per kReportInterval.
  static constexpr std::int64_t kReportChange = 20;
  static constexpr time::Duration kReportInterval{1'000'000};
  // The pacer's releases are due on this grid of the worker's clock (rounded up), so the
  // releases of all subscribers within one tick leave in one wake-up.
  static constexpr time::Duration kPacerTick{2'000};

  ParticipantBandwidth(MediaContext& context, MediaRoom& room, MediaParticipant& owner);
  ~ParticipantBandwidth();
  ParticipantBandwidth(const ParticipantBandwidth&) = delete;
  ParticipantBandwidth& operator=(const ParticipantBandwidth&) = delete;

  // After each answer to the participant's own offer: what it publishes.
  void on_published(const std::vector<room::PublishedTrack>& tracks);
  // After each answer to a server offer: what it receives.
  void on_subscribed(const std::vector<room::Subscription>& subscriptions);

  // Subscriber side, for each RTP packet of `length` bytes in `buffer` about to be protected:
  // writes the next transport-wide sequence number into its slot; the number, or nullopt when
  // the subscriber did not negotiate transport-cc or the packet has no slot.
  std::optional<std::int64_t> stamp(std::span<std::uint8_t> buffer, std::size_t length) noexcept;
  // The stamped packet left (protected and handed to ICE).
  void on_sent(std::int64_t seq, std::size_t length, time::Timestamp now) noexcept;
  // A packet the Router hands to send_rtp, before it is stamped: whether it leaves now, waits
  // in the pacer (it is then sent from the pacer's timer through MediaParticipant::transmit),
  // or is dropped.
  bwe::Pacer::Verdict pace(std::span<const std::uint8_t> packet, room::SendKind kind,
                           time::Timestamp now) noexcept;
  // The subscriber's decrypted RTCP, before the Router reads it.
  void on_rtcp(std::span<const std::uint8_t> compound, time::Timestamp now) noexcept;
  // After the Router read it (its RTT may have changed).
  void after_router_rtcp(time::Timestamp now) noexcept;

  // Publisher side: one decrypted RTP packet it sent.
  void on_rtp(std::span<const std::uint8_t> packet, time::Timestamp now) noexcept;

  // For tests and logs.
  const bwe::SendSideEstimator* estimator() const noexcept { return estimator_.get(); }
  const bwe::UplinkFeedback* uplink() const noexcept { return uplink_.get(); }
  const bwe::Pacer& pacer() const noexcept { return pacer_; }
  std::uint8_t subscriber_extension_id() const noexcept { return down_id_; }
  std::uint8_t publisher_extension_id() const noexcept { return up_id_; }
  // The last estimate handed to the Router (bit/s); nullopt before the first.
  std::optional<std::uint64_t> reported_estimate() const noexcept { return reported_; }

 private:
  void ensure_estimator(bool transport_cc, time::Timestamp now);
  void after_estimate(time::Timestamp now) noexcept;
  void arm_estimator_timer() noexcept;
  void on_estimator_timer() noexcept;
  void probe_step() noexcept;
  void arm_pacer_timer() noexcept;
  void on_pacer_timer() noexcept;
  void arm_uplink_timer() noexcept;
  void on_uplink_timer() noexcept;
  std::size_t wire_overhead() const noexcept;

  MediaContext& context_;
  MediaRoom& room_;
  MediaParticipant& owner_;

  // Subscriber side.
  std::uint8_t down_id_ = 0;  // the subscriber's transport-cc id, 0: none
  bool down_transport_cc_ = false;
  std::unique_ptr<bwe::SendSideEstimator> estimator_;
  std::int64_t next_seq_ = 1;                 // transport-wide, unwrapped
  int probe_cluster_ = bwe::kNoProbeCluster;  // while padding for a cluster is sent
  struct Probe {
    bwe::ProbeCluster cluster;
    std::int64_t sent_bytes = 0;
    int steps = 0;
  };
  std::optional<Probe> probe_;
  io::TimerHandle estimator_timer_;
  std::optional<time::Timestamp> estimator_deadline_;  // what estimator_timer_ is armed for
  io::TimerHandle probe_timer_;
  // Transport-cc feedback or a REMB arrived: until then the estimate is only the starting
  // guess, and the Router is told nothing (no limit).
  bool evidence_ = false;
  // With probing, the estimate limits the Router only once a probe cluster went out whole:
  // before that it is the start bitrate crawling up from transport-cc feedback on audio, and
  // it would pause video that probing would show fits (the initial probes find nothing to pad
  // until a video track has started).
  bool probed_ = false;
  time::Timestamp probe_waiting_since_{};  // the cluster found no padding slot since then
  std::optional<std::uint64_t> reported_;
  time::Timestamp reported_at_{};
  bwe::Pacer pacer_;
  io::TimerHandle pacer_timer_;
  std::optional<time::Timestamp> pacer_deadline_;  // what pacer_timer_ is armed for
  std::optional<time::Duration> rtt_;
  // Receiver-report loss: the last extended highest sequence and cumulative loss per SSRC.
  struct ReportState {
    std::uint32_t ssrc = 0;
    std::uint32_t highest = 0;
    std::int32_t lost = 0;
    bool used = false;
  };
  std::array<ReportState, 8> reports_{};
  std::size_t next_report_slot_ = 0;

  // Publisher side.
  std::uint8_t up_id_ = 0;  // the publisher's transport-cc id, 0: none (no feedback)
  std::unique_ptr<bwe::UplinkFeedback> uplink_;
  std::uint32_t up_media_ssrc_ = 0;
  io::TimerHandle uplink_timer_;
  std::optional<time::Timestamp> uplink_deadline_;
  std::array<std::uint8_t, bwe::kMaxFeedbackBytes + 64> feedback_buffer_{};
};

}  // namespace rrtc::engine
