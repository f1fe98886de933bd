#include "bwe/send_side_estimator.hpp"

#include <algorithm>

namespace rrtc::bwe {

namespace {

AimdConfig aimd_config(const EstimatorConfig& c) {
  AimdConfig a;
  a.min_bitrate = c.min_bitrate;
  a.max_bitrate = c.max_bitrate;
  a.start_bitrate = c.start_bitrate;
  return a;
}

LossBasedConfig loss_config(const EstimatorConfig& c) {
  LossBasedConfig l;
  l.min_bitrate = c.min_bitrate;
  return l;
}

ProbeControllerConfig probe_config(const EstimatorConfig& c) {
  ProbeControllerConfig p = c.probing;
  p.max_bitrate = c.max_bitrate;
  return p;
}

// The reference time is 24 bits of 64 ms units: it wraps every 12.4 days.
constexpr std::int64_t kReferenceModulus = std::int64_t{1} << 24;

}  // namespace

SendSideEstimator::SendSideEstimator(const EstimatorConfig& config, time::Timestamp now)
    : config_(config),
      history_(config.history),
      trendline_(config.trendline),
      detector_(config.detector),
      aimd_(aimd_config(config)),
      loss_based_(loss_config(config)),
      probes_(probe_config(config)),
      window_(config.window) {
  probes_.start(aimd_.estimate(), now);
}

void SendSideEstimator::on_packet_sent(const SentPacket& packet) noexcept {
  history_.add(packet);
  probe_bitrate_.on_packet_sent(packet);
}

bool SendSideEstimator::counts_for_loss(const SentPacket& sent) const noexcept {
  return !loss_counted_from_ || sent.send_time >= *loss_counted_from_;
}

void SendSideEstimator::begin_feedback() noexcept {
  fb_lost_ = 0;
  fb_received_ = 0;
  fb_loss_lost_ = 0;
  fb_loss_received_ = 0;
  fb_overuse_ = false;
  fb_cluster_count_ = 0;
  fb_newest_send_.reset();
  fb_newest_seq_ = -1;
}

void SendSideEstimator::on_report(std::int64_t seq, bool received, time::Duration arrival,
                                  time::Timestamp now) noexcept {
  SentPacket sent;
  const ReportOutcome outcome = history_.report(seq, received, &sent);
  switch (outcome) {
    case ReportOutcome::kIgnored:
      ++stats_ignored_;
      return;
    case ReportOutcome::kLost:
      ++fb_lost_;
      if (counts_for_loss(sent)) ++fb_loss_lost_;
      return;
    case ReportOutcome::kReceived:
      ++fb_received_;
      if (counts_for_loss(sent)) ++fb_loss_received_;
      break;
    case ReportOutcome::kRecovered:
      break;  // counted lost already; its timing still counts
  }
  if (seq > fb_newest_seq_) {
    fb_newest_seq_ = seq;
    fb_newest_send_ = sent.send_time;
  }
  acknowledged_.on_packet_acked(arrival, sent.size);
  if (sent.probe_cluster != kNoProbeCluster) {
    probe_bitrate_.on_packet_received(sent, arrival);
    const auto end = fb_clusters_.begin() + static_cast<std::ptrdiff_t>(fb_cluster_count_);
    if (std::find(fb_clusters_.begin(), end, sent.probe_cluster) == end &&
        fb_cluster_count_ < fb_clusters_.size()) {
      fb_clusters_[fb_cluster_count_++] = sent.probe_cluster;
    }
  }
  // A probe cluster's own queue says nothing about the media's: the cluster measures the path
  // by its arrival rate (ProbeBitrate). Its packets do not enter the delay filter, and no group
  // delta spans it (the media after it would read the probe's queue as a delay increase).
  if (sent.probe_cluster != kNoProbeCluster) {
    inter_arrival_.reset();
    return;
  }
  if (const auto delta = inter_arrival_.add(sent.send_time, arrival, sent.size)) {
    trendline_.update(*delta);
    const BandwidthUsage usage = detector_.detect(trendline_.modified_trend(), delta->send_delta,
                                                  trendline_.num_deltas(), now);
    if (usage == BandwidthUsage::kOverusing) fb_overuse_ = true;
  }
}

void SendSideEstimator::finish_feedback(time::Timestamp now) noexcept {
  last_now_ = now;
  if (fb_lost_ + fb_received_ == 0 && fb_cluster_count_ == 0) return;  // nothing new
  transport_cc_seen_ = true;
  ++stats_feedbacks_;
  stats_lost_ += fb_lost_;
  stats_received_ += fb_received_;

  // The best probe result of this feedback, if any.
  std::optional<ProbeResult> probe;
  for (std::size_t i = 0; i < fb_cluster_count_; ++i) {
    const auto result = probe_bitrate_.evaluate(fb_clusters_[i]);
    if (!result) continue;
    ++stats_probe_results_;
    probes_.on_result(result->cluster, result->bitrate, now);
    if (!probe || result->bitrate > probe->bitrate) probe = result;
  }

  const DataRate before = estimate();
  const BandwidthUsage usage = fb_overuse_ ? BandwidthUsage::kOverusing : detector_.state();
  if (usage != BandwidthUsage::kOverusing && probe && probe->bitrate > aimd_.estimate()) {
    aimd_.set_estimate(probe->bitrate, now);
    loss_based_.on_probe_result(probe->bitrate);
  } else {
    aimd_.update(usage, Throughput{acknowledged_.bitrate(), acknowledged_.last_sample()}, now);
  }
  loss_based_.on_report(fb_loss_lost_, fb_loss_received_, estimate(), aimd_.estimate(), now);
  // After a decrease, the packets still queued were sent at the old rate: their loss says how
  // far the old rate overshot, which the decrease answered already. Counted again, it would cut
  // the new rate as well (a 2 Mbit/s stream meeting a 400 kbit/s link lost ~80 % for the 300 ms
  // its queue held, and the second cut fell below the lowest simulcast layer). Loss counts again
  // from packets sent at the new rate.
  if (estimate() < before) loss_counted_from_ = now;
  std::optional<time::Duration> rtt_sample;
  if (fb_newest_send_ && fb_newest_seq_ > newest_reported_) {
    newest_reported_ = fb_newest_seq_;
    rtt_sample = now - *fb_newest_send_;
  }
  window_.on_feedback(rtt_sample, history_.in_flight_bytes(), estimate(), now);
  probes_.on_target(estimate(), now);
}

time::Duration SendSideEstimator::unwrap_reference(std::int32_t reference) noexcept {
  const auto mod = [](std::int64_t v) {
    return (v % kReferenceModulus + kReferenceModulus) % kReferenceModulus;
  };
  // The cursor sign-extends the 24-bit reference; unwrap it as the nearest value to the newest
  // reference seen (reordered feedback carries an older one and does not move the anchor).
  const std::int64_t wire = mod(reference);
  if (!reference_) reference_ = wire;
  std::int64_t step = mod(wire - mod(*reference_));
  if (step >= kReferenceModulus / 2) step -= kReferenceModulus;
  const std::int64_t unwrapped = *reference_ + step;
  if (step > 0) reference_ = unwrapped;
  return (unwrapped - reference) * rtcp::TransportCc::kReferenceUnit;
}

void SendSideEstimator::on_feedback(const rtcp::TransportCc& feedback,
                                    time::Timestamp now) noexcept {
  begin_feedback();
  // Arrival times from the cursor are reference x 64 ms + deltas; shift them by the unwrapped
  // reference so that they keep increasing across the 24-bit wrap.
  const time::Duration shift = unwrap_reference(feedback.reference_time());
  auto cursor = feedback.statuses();
  while (const auto status = cursor.next()) {
    const auto seq = history_.unwrap(status->seq);
    if (!seq) {
      ++stats_ignored_;
      continue;
    }
    on_report(*seq, status->received, status->arrival + shift, now);
  }
  finish_feedback(now);
}

void SendSideEstimator::on_feedback(std::span<const PacketReport> reports,
                                    time::Timestamp now) noexcept {
  begin_feedback();
  for (const PacketReport& r : reports) on_report(r.seq, r.received, r.arrival, now);
  finish_feedback(now);
}

void SendSideEstimator::on_rtt(time::Duration rtt, time::Timestamp now) noexcept {
  last_now_ = now;
  if (rtt <= time::Duration(0)) return;
  aimd_.set_rtt(rtt);
  loss_based_.set_rtt(rtt);
}

void SendSideEstimator::on_remb(DataRate bitrate, time::Timestamp now) noexcept {
  last_now_ = now;
  remb_ = bitrate;
  remb_at_ = now;
  probes_.on_target(estimate(), now);
}

void SendSideEstimator::on_loss_report(std::int64_t lost, std::int64_t received,
                                       time::Timestamp now) noexcept {
  last_now_ = now;
  if (transport_cc_seen_) return;
  loss_based_.on_report(lost, received, target_bitrate(), target_bitrate(), now);
}

void SendSideEstimator::set_application_limited(bool limited) noexcept {
  probes_.set_application_limited(limited);
}

void SendSideEstimator::set_allocation_limit(DataRate limit) noexcept {
  probes_.set_allocation_limit(limit);
}

DataRate SendSideEstimator::target_bitrate() const noexcept {
  const DataRate target = estimate();
  if (!transport_cc_seen_) return target;
  return clamp(target * window_.ratio(), config_.min_bitrate, config_.max_bitrate);
}

DataRate SendSideEstimator::estimate() const noexcept {
  DataRate target = aimd_.estimate();
  const bool remb_fresh = remb_ && (!last_now_ || *last_now_ - remb_at_ <= config_.remb_timeout);
  if (!transport_cc_seen_ && remb_fresh) target = *remb_;
  if (remb_fresh) target = std::min(target, *remb_);
  if (const auto bound = loss_based_.bound()) target = std::min(target, *bound);
  return clamp(target, config_.min_bitrate, config_.max_bitrate);
}

std::optional<ProbeCluster> SendSideEstimator::next_probe(time::Timestamp now) noexcept {
  // While the window pushes back, a queue is draining: a probe would only lengthen it.
  if (window_.ratio() < 1.0) return std::nullopt;
  auto cluster = probes_.next_probe(now);
  if (cluster) probe_bitrate_.start_cluster(cluster->id, cluster->min_packets);
  return cluster;
}

std::optional<time::Timestamp> SendSideEstimator::next_timeout() const noexcept {
  return probes_.next_deadline();
}

EstimatorStats SendSideEstimator::stats() const noexcept {
  EstimatorStats s;
  s.feedbacks = stats_feedbacks_;
  s.reports_ignored = stats_ignored_;
  s.packets_lost = stats_lost_;
  s.packets_received = stats_received_;
  s.probe_results = stats_probe_results_;
  s.delay_based = aimd_.estimate();
  s.loss_bound = loss_based_.bound();
  s.acknowledged = acknowledged_.bitrate();
  s.usage = detector_.state();
  s.threshold_ms = detector_.threshold_ms();
  s.modified_trend = trendline_.modified_trend();
  s.in_flight_bytes = history_.in_flight_bytes();
  s.window_bytes = window_.window_bytes();
  s.pushback = window_.ratio();
  return s;
}

}  // namespace rrtc::bwe
