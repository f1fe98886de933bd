#include "engine/participant_bandwidth.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "engine/media_participant.hpp"
#include "engine/media_room.hpp"
#include "log/log.hpp"
#include "rtcp/compound.hpp"
#include "rtp/header_extension.hpp"
#include "rtp/packet.hpp"

namespace rrtc::engine {
namespace {

std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Offset in `packet` of the 2-byte value of RFC 8285 element `id` (one- or two-byte form), or
// nullopt. Reads only the fixed header, the CSRC count and the extension block: cheaper than a
// full rtp::Packet::parse on every forwarded copy.
std::optional<std::size_t> seq_offset(std::span<const std::uint8_t> packet, std::uint8_t id) {
  if (packet.size() < 12 || (packet[0] & 0x10) == 0) return std::nullopt;
  const std::size_t start = 12 + 4 * std::size_t{packet[0] & 0x0Fu};
  if (start + 4 > packet.size()) return std::nullopt;
  const std::uint16_t profile = load16(&packet[start]);
  const std::size_t words = load16(&packet[start + 2]);
  const std::size_t block = start + 4;
  if (block + words * 4 > packet.size()) return std::nullopt;
  rtp::ExtensionForm form = rtp::ExtensionForm::kOneByte;
  if (rtp::is_two_byte_profile(profile)) {
    form = rtp::ExtensionForm::kTwoByte;
  } else if (profile != rtp::kOneByteProfile) {
    return std::nullopt;
  }
  rtp::ExtensionReader reader(packet.subspan(block, words * 4), form);
  while (const auto element = reader.next()) {
    if (element->id == id) {
      if (element->length != 2) return std::nullopt;
      return block + element->value_offset;
    }
  }
  return std::nullopt;
}

bwe::PacerConfig pacer_config(const MediaLimits& limits) {
  bwe::PacerConfig config;
  config.factor = static_cast<double>(limits.pacing_percent) / 100.0;  // 0: never paces
  config.slot_bytes = room::kMaxForwardedPacket + room::kEgressHeadroom;
  return config;
}

}  // namespace

ParticipantBandwidth::ParticipantBandwidth(MediaContext& context, MediaRoom& room,
                                           MediaParticipant& owner)
    : context_(context), room_(room), owner_(owner), pacer_(pacer_config(context.limits)) {}

ParticipantBandwidth::~ParticipantBandwidth() = default;

void ParticipantBandwidth::on_published(const std::vector<room::PublishedTrack>& tracks) {
  up_id_ = 0;
  for (const auto& track : tracks) {
    if (track.transport_cc && track.transport_cc_extension_id != 0) {
      up_id_ = track.transport_cc_extension_id;  // one id for the whole BUNDLE
      break;
    }
  }
  if (up_id_ != 0 && uplink_ == nullptr) uplink_ = std::make_unique<bwe::UplinkFeedback>();
}

void ParticipantBandwidth::on_subscribed(const std::vector<room::Subscription>& subscriptions) {
  down_id_ = 0;
  bool transport_cc = false;
  for (const auto& s : subscriptions) {
    if (down_id_ == 0) down_id_ = s.transport_cc_extension_id;
    transport_cc = transport_cc || s.transport_cc;
  }
  if (subscriptions.empty()) return;  // keep what was learned while nothing is received
  ensure_estimator(down_id_ != 0, room_.now());
}

void ParticipantBandwidth::ensure_estimator(bool transport_cc, time::Timestamp now) {
  if (estimator_ != nullptr && down_transport_cc_ == transport_cc) return;
  down_transport_cc_ = transport_cc;
  bwe::EstimatorConfig config;
  // Probes need transport-cc to be measured.
  config.probing.enabled = transport_cc;
  estimator_ = std::make_unique<bwe::SendSideEstimator>(config, now);
  evidence_ = false;
  probed_ = !config.probing.enabled;
  probe_.reset();
  probe_timer_.cancel();
  estimator_timer_.cancel();
  estimator_deadline_.reset();
  arm_estimator_timer();
}

std::optional<std::int64_t> ParticipantBandwidth::stamp(std::span<std::uint8_t> buffer,
                                                        std::size_t length) noexcept {
  if (down_id_ == 0 || estimator_ == nullptr || length > buffer.size()) return std::nullopt;
  const auto offset = seq_offset(buffer.first(length), down_id_);
  if (!offset) return std::nullopt;
  const std::int64_t seq = next_seq_++;
  buffer[*offset] = static_cast<std::uint8_t>(seq >> 8);
  buffer[*offset + 1] = static_cast<std::uint8_t>(seq);
  return seq;
}

std::size_t ParticipantBandwidth::wire_overhead() const noexcept {
  const auto* peer = owner_.peer_.get();
  const auto profile = peer != nullptr ? peer->srtp_profile() : std::nullopt;
  return profile == srtp::SrtpProfile::AeadAes128Gcm ? 16 : 10;
}

void ParticipantBandwidth::on_sent(std::int64_t seq, std::size_t length,
                                   time::Timestamp now) noexcept {
  if (estimator_ == nullptr) return;
  context_.counters.bwe.packets_stamped.increment();
  estimator_->on_packet_sent(bwe::SentPacket{
      seq, static_cast<std::int64_t>(length + wire_overhead()), now, probe_cluster_});
}

bwe::Pacer::Verdict ParticipantBandwidth::pace(std::span<const std::uint8_t> packet,
                                               room::SendKind kind,
                                               time::Timestamp now) noexcept {
  using Kind = bwe::Pacer::Kind;
  Kind paced = Kind::video;
  switch (kind) {
    case room::SendKind::audio: paced = Kind::audio; break;
    case room::SendKind::video: paced = Kind::video; break;
    case room::SendKind::keyframe: paced = Kind::keyframe; break;
    case room::SendKind::resend: paced = Kind::resend; break;
    case room::SendKind::padding: paced = Kind::padding; break;
  }
  const auto verdict = pacer_.offer(packet, paced, now);
  if (verdict == bwe::Pacer::Verdict::queued) {
    context_.counters.bwe.paced_packets.increment();
    arm_pacer_timer();
  } else if (verdict == bwe::Pacer::Verdict::dropped && paced != Kind::padding) {
    context_.counters.bwe.pacer_dropped_packets.increment();
  }
  return verdict;
}

void ParticipantBandwidth::arm_pacer_timer() noexcept {
  auto deadline = pacer_.next_release();
  if (!deadline) return;
  // Up to the worker's pacer tick: the releases of every subscriber due within one tick run in
  // one dispatch of the loop's timers, so what they hand to an egress worker goes in one batch
  // with one wake-up, not one per subscriber.
  const auto tick = kPacerTick.count();
  deadline = time::Timestamp(time::Duration((deadline->time_since_epoch().count() + tick - 1) /
                                            tick * tick));
  if (pacer_deadline_ && *pacer_deadline_ <= *deadline) return;
  pacer_deadline_ = deadline;
  pacer_timer_ = context_.loop.add_timer(*deadline, [this] { on_pacer_timer(); });
}

void ParticipantBandwidth::on_pacer_timer() noexcept {
  pacer_deadline_.reset();
  if (owner_.closing_) return;
  const time::Timestamp now = room_.now();
  {
    // What is due leaves in one io_uring submission.
    const io::SendRing::Batch batch(context_.send_ring);
    while (const auto due = pacer_.due(now)) {
      owner_.transmit(due->slot, due->length);
      pacer_.sent(now);
    }
  }
  arm_pacer_timer();
}

void ParticipantBandwidth::on_rtcp(std::span<const std::uint8_t> compound,
                                   time::Timestamp now) noexcept {
  if (estimator_ == nullptr) return;
  auto& counters = context_.counters.bwe;
  bool fed = false;
  std::int64_t expected = 0;
  std::int64_t lost = 0;
  const auto loss_from = [&](const auto& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const rtcp::ReportBlock block = blocks[i];
      auto it = std::find_if(reports_.begin(), reports_.end(),
                             [&](const ReportState& r) { return r.used && r.ssrc == block.ssrc; });
      if (it == reports_.end()) {
        reports_[next_report_slot_] = {block.ssrc, block.extended_highest_seq,
                                       block.cumulative_lost, true};
        next_report_slot_ = (next_report_slot_ + 1) % reports_.size();
        continue;
      }
      const auto delta = static_cast<std::int32_t>(block.extended_highest_seq - it->highest);
      if (delta > 0) {
        const std::int64_t newly_lost =
            std::clamp<std::int64_t>(std::int64_t{block.cumulative_lost} - it->lost, 0, delta);
        expected += delta;
        lost += newly_lost;
      }
      it->highest = block.extended_highest_seq;
      it->lost = block.cumulative_lost;
    }
  };
  rtcp::CompoundReader reader(compound);
  while (const auto packet = reader.next()) {
    if (const auto* cc = std::get_if<rtcp::TransportCc>(&*packet)) {
      if (down_transport_cc_) {
        estimator_->on_feedback(*cc, now);
        counters.feedback_received.increment();
        fed = evidence_ = true;
      }
    } else if (const auto* remb = std::get_if<rtcp::Remb>(&*packet)) {
      const auto bps =
          std::min<std::uint64_t>(remb->bitrate_bps, std::numeric_limits<std::int64_t>::max());
      estimator_->on_remb(bwe::DataRate::bits_per_second(static_cast<std::int64_t>(bps)), now);
      counters.remb_received.increment();
      fed = evidence_ = true;
    } else if (const auto* rr = std::get_if<rtcp::ReceiverReport>(&*packet)) {
      loss_from(rr->report_blocks);
    } else if (const auto* sr = std::get_if<rtcp::SenderReport>(&*packet)) {
      loss_from(sr->report_blocks);
    }
  }
  if (expected > 0) {
    estimator_->on_loss_report(lost, expected - lost, now);
    fed = true;
  }
  if (fed) after_estimate(now);
}

void ParticipantBandwidth::after_router_rtcp(time::Timestamp now) noexcept {
  auto* member = owner_.member_;
  if (estimator_ == nullptr || member == nullptr) return;
  const auto rtt = room_.router().rtt(*member);
  if (!rtt || rtt == rtt_) return;
  rtt_ = rtt;
  estimator_->on_rtt(*rtt, now);
  after_estimate(now);
}

void ParticipantBandwidth::after_estimate(time::Timestamp now) noexcept {
  auto* member = owner_.member_;
  if (estimator_ == nullptr || member == nullptr) return;
  auto& router = room_.router();
  const auto target = static_cast<std::uint64_t>(estimator_->target_bitrate().bps());
  // Only a transport-cc estimate limits the Router. A REMB follows what the subscriber receives
  // (it grows a few percent a second above it) and cannot show headroom: a track paused on it
  // would never come back. REMB-only subscribers (aiortc) are not limited by allocation; their
  // REMB still reaches publishers through the Router.
  const bool limiting = evidence_ && probed_ && down_transport_cc_;
  pacer_.set_estimate(limiting ? estimator_->target_bitrate() : bwe::DataRate(), now);
  if (pacer_.queued_packets() > 0) {
    pacer_deadline_.reset();  // the release may now be earlier
    arm_pacer_timer();
  }
  if (limiting) {
    bool report = !reported_;
    if (reported_) {
      const std::uint64_t diff = target > *reported_ ? target - *reported_ : *reported_ - target;
      report =
          diff * kReportChange > *reported_ || (diff != 0 && now - reported_at_ >= kReportInterval);
    }
    if (report) {
      const auto st = estimator_->stats();
      log::get("room").debug(
          "participant {}: bandwidth estimate {} kbit/s (delay-based {}, loss bound {}, "
          "acknowledged {}, usage {}, pushback {:.2f}, lost {} of {})",
          owner_.id(), target / 1000, st.delay_based.bps() / 1000,
          st.loss_bound ? st.loss_bound->bps() / 1000 : -1,
          st.acknowledged ? st.acknowledged->bps() / 1000 : -1, static_cast<int>(st.usage),
          st.pushback, st.packets_lost, st.packets_lost + st.packets_received);
      reported_ = target;
      reported_at_ = now;
      context_.counters.bwe.observe_estimate(target);
      router.set_estimate(*member, target, now);
      room_.arm_router_timer();
    }
  }
  estimator_->set_application_limited(router.forwarded_bitrate(*member) * 2 < target);
  // Probes look for room the tracks could use, not beyond (probe_controller.hpp).
  estimator_->set_allocation_limit(
      bwe::DataRate::bits_per_second(static_cast<std::int64_t>(router.wanted_bitrate(*member))));
  arm_estimator_timer();
}

void ParticipantBandwidth::arm_estimator_timer() noexcept {
  if (estimator_ == nullptr || probe_) return;  // a running probe re-arms when it ends
  const auto deadline = estimator_->next_timeout();
  if (!deadline || (estimator_deadline_ && *estimator_deadline_ <= *deadline)) return;
  estimator_deadline_ = deadline;
  estimator_timer_ = context_.loop.add_timer(*deadline, [this] { on_estimator_timer(); });
}

void ParticipantBandwidth::on_estimator_timer() noexcept {
  estimator_deadline_.reset();
  if (estimator_ == nullptr || owner_.closing_) return;
  if (!probe_) {
    if (const auto cluster = estimator_->next_probe(room_.now())) {
      probe_ = Probe{*cluster, 0, 0};
      context_.counters.bwe.probes.increment();
      probe_step();
      return;
    }
  }
  arm_estimator_timer();
}

void ParticipantBandwidth::probe_step() noexcept {
  auto* member = owner_.member_;
  if (!probe_ || member == nullptr || owner_.closing_) {
    probe_.reset();
    return;
  }
  const time::Timestamp now = room_.now();
  const auto& cluster = probe_->cluster;
  const std::int64_t step_bytes = std::max<std::int64_t>(cluster.bitrate.bytes_in(kProbeStep), 100);
  probe_cluster_ = cluster.id;
  const std::size_t sent =
      room_.router().send_padding(*member, static_cast<std::size_t>(step_bytes), now);
  probe_cluster_ = bwe::kNoProbeCluster;
  context_.counters.bwe.padding_bytes.add(sent);
  if (sent == 0 && probe_->sent_bytes == 0) {
    // Nothing to pad on yet (no video track started, or mid-frame): the cluster waits for a
    // slot, for at most kProbeWait, rather than being spent on nothing.
    if (probe_->steps == 0 && probe_waiting_since_ == time::Timestamp{}) probe_waiting_since_ = now;
    if (now - probe_waiting_since_ < kProbeWait) {
      probe_timer_ = context_.loop.add_timer(now + kProbeRetry, [this] { probe_step(); });
      return;
    }
  }
  probe_waiting_since_ = time::Timestamp{};
  probe_->sent_bytes += static_cast<std::int64_t>(sent);
  ++probe_->steps;
  // A cluster is sent over its duration; twice that without a padding slot ends it anyway.
  const int max_steps =
      static_cast<int>(2 * bwe::ProbeControllerConfig{}.cluster_duration / kProbeStep);
  if (probe_->sent_bytes >= cluster.min_bytes || probe_->steps >= max_steps) {
    if (probe_->sent_bytes >= cluster.min_bytes) probed_ = true;
    log::get("room").debug("participant {}: probe {} at {} kbit/s: {} of {} bytes padded",
                           owner_.id(), cluster.id, cluster.bitrate.bps() / 1000,
                           probe_->sent_bytes, cluster.min_bytes);
    probe_.reset();
    arm_estimator_timer();
    return;
  }
  probe_timer_ = context_.loop.add_timer(now + kProbeStep, [this] { probe_step(); });
}

void ParticipantBandwidth::on_rtp(std::span<const std::uint8_t> packet,
                                  time::Timestamp now) noexcept {
  if (up_id_ == 0 || uplink_ == nullptr) return;
  const auto offset = seq_offset(packet, up_id_);
  if (!offset) return;
  up_media_ssrc_ = (std::uint32_t{packet[8]} << 24) | (std::uint32_t{packet[9]} << 16) |
                   (std::uint32_t{packet[10]} << 8) | packet[11];
  uplink_->on_packet(load16(&packet[*offset]), now);
  arm_uplink_timer();
}

void ParticipantBandwidth::arm_uplink_timer() noexcept {
  const auto deadline = uplink_->next_timeout();
  if (!deadline || (uplink_deadline_ && *uplink_deadline_ <= *deadline)) return;
  uplink_deadline_ = deadline;
  uplink_timer_ = context_.loop.add_timer(*deadline, [this] { on_uplink_timer(); });
}

void ParticipantBandwidth::on_uplink_timer() noexcept {
  uplink_deadline_.reset();
  auto* member = owner_.member_;
  if (uplink_ == nullptr || member == nullptr || owner_.closing_) return;
  const time::Timestamp now = room_.now();
  const std::uint32_t ssrc = room_.router().rtcp_ssrc(*member);
  // A backlog larger than one message goes out at once, boundedly.
  for (int i = 0; i < 8; ++i) {
    const std::size_t size = uplink_->write_feedback(
        now, ssrc, up_media_ssrc_, std::span(feedback_buffer_).first(bwe::kMaxFeedbackBytes));
    if (size == 0) break;
    if (owner_.send_rtcp(feedback_buffer_, size)) context_.counters.bwe.feedback_sent.increment();
  }
  arm_uplink_timer();
}

}  // namespace rrtc::engine
