#include "estimator_sim.hpp"

#include <algorithm>

#include "rtcp/header.hpp"

namespace rrtc::bwe::test {

EstimatorSim::EstimatorSim(const SimConfig& config)
    : config_(config),
      start_(time::Timestamp(time::Duration(1'000'000'000))),
      now_(start_),
      estimator_(config.estimator, start_),
      link_(config.link, config.initial_capacity),
      random_(config.link.seed ^ 0xFEEDBEEF) {
  next_feedback_ = start_ + config_.min_feedback_interval;
  next_rtt_ = start_ + time::Duration(1'000'000);
  in_flight_.reserve(4096);
  unreported_.reserve(4096);
}

void EstimatorSim::send_packets(time::Timestamp now) {
  if (!probe_) {
    probe_ = estimator_.next_probe(now);
    if (probe_) {
      ++probe_clusters_;
      probe_bytes_ = 0;
      probe_packets_ = 0;
    }
  }
  DataRate rate = probe_ ? probe_->bitrate : estimator_.target_bitrate();
  if (!probe_ && config_.media_rate) {
    estimator_.set_application_limited(*config_.media_rate < rate);
    rate = std::min(rate, *config_.media_rate);
  }
  budget_bytes_ += static_cast<double>(rate.bps()) / 8.0 / 1000.0;  // one millisecond's worth
  // An idle pacer does not save up more than one packet plus 5 ms.
  budget_bytes_ = std::min(budget_bytes_, static_cast<double>(config_.packet_size) +
                                              static_cast<double>(rate.bps()) / 8.0 / 200.0);
  if (config_.key_frame_bytes > 0 && !probe_ && now - start_ >= next_key_frame_) {
    next_key_frame_ += config_.key_frame_every;
    for (std::int64_t sent = 0; sent < config_.key_frame_bytes; sent += kKeyFramePacket) {
      SentPacket packet{next_seq_++, kKeyFramePacket, now, kNoProbeCluster};
      estimator_.on_packet_sent(packet);
      if (const auto arrival = link_.send(packet.size, now)) {
        in_flight_.push_back(InFlight{*arrival, packet.seq});
      }
    }
  }
  while (budget_bytes_ >= static_cast<double>(config_.packet_size)) {
    budget_bytes_ -= static_cast<double>(config_.packet_size);
    SentPacket packet;
    packet.seq = next_seq_++;
    packet.size = config_.packet_size;
    packet.send_time = now;
    if (probe_) packet.probe_cluster = probe_->id;
    estimator_.on_packet_sent(packet);
    if (const auto arrival = link_.send(packet.size, now)) {
      in_flight_.push_back(InFlight{*arrival, packet.seq});
    }
    if (probe_) {
      probe_bytes_ += packet.size;
      ++probe_packets_;
      if (probe_bytes_ >= probe_->min_bytes && probe_packets_ >= probe_->min_packets) {
        probe_.reset();
        break;  // back to the media rate
      }
    }
  }
}

void EstimatorSim::maybe_send_feedback(time::Timestamp now) {
  // Deliver what has arrived (in_flight_ is in arrival order: the link never reorders).
  std::size_t arrived = 0;
  while (arrived < in_flight_.size() && in_flight_[arrived].arrival <= now) {
    const InFlight& p = in_flight_[arrived++];
    unreported_.push_back(
        rtcp::PacketArrival{p.seq, p.arrival.time_since_epoch() + config_.receiver_clock_offset});
  }
  in_flight_.erase(in_flight_.begin(), in_flight_.begin() + static_cast<std::ptrdiff_t>(arrived));
  if (now < next_feedback_) return;
  const auto spread = config_.max_feedback_interval - config_.min_feedback_interval;
  next_feedback_ = now + config_.min_feedback_interval +
                   time::Duration(static_cast<std::int64_t>(random_.uniform() *
                                                            static_cast<double>(spread.count())));
  if (unreported_.empty()) return;
  const rtcp::TransportCc cc(1, 2, feedback_count_++, unreported_);
  Returning back;
  back.at = now + config_.link.propagation;
  back.bytes.resize(cc.serialized_size());
  if (back.bytes.empty() || cc.write_to(back.bytes) != back.bytes.size()) return;
  returning_.push_back(std::move(back));
  unreported_.clear();
}

void EstimatorSim::deliver_feedback(time::Timestamp now) {
  std::size_t done = 0;
  while (done < returning_.size() && returning_[done].at <= now) {
    const auto raw = rtcp::parse_raw(returning_[done].bytes);
    if (raw) {
      if (const auto cc = rtcp::TransportCc::parse(*raw)) estimator_.on_feedback(*cc, now);
    }
    ++done;
  }
  returning_.erase(returning_.begin(), returning_.begin() + static_cast<std::ptrdiff_t>(done));
}

void EstimatorSim::run(time::Duration until,
                       const std::function<DataRate(time::Duration)>& capacity_at) {
  const time::Timestamp end = start_ + until;
  while (now_ < end) {
    const time::Duration elapsed = now_ - start_;
    link_.set_capacity(capacity_at(elapsed));
    deliver_feedback(now_);
    if (now_ >= next_rtt_) {
      estimator_.on_rtt(config_.link.propagation * 2 + link_.queue_delay(now_), now_);
      next_rtt_ = now_ + time::Duration(1'000'000);
    }
    send_packets(now_);
    maybe_send_feedback(now_);
    if (elapsed >= next_sample_) {
      samples_.push_back(SimSample{elapsed, estimator_.target_bitrate(), link_.capacity(),
                                   estimator_.stats(), link_.queue_delay(now_)});
      next_sample_ += config_.sample_every;
    }
    now_ += time::Duration(1000);
  }
}

StepSummary summarize_step(const std::vector<SimSample>& samples, time::Duration from,
                           time::Duration to) {
  StepSummary s;
  s.min_share = 1e9;
  s.min_share_whole_step = 1e9;
  double sum = 0;
  int count = 0;
  double queue_sum = 0;
  int queue_count = 0;
  for (const SimSample& sample : samples) {
    if (sample.at < from || sample.at >= to) continue;
    const double share = sample.target / sample.capacity;
    queue_sum += to_ms(sample.queue_delay);
    ++queue_count;
    s.max_queue_ms = std::max(s.max_queue_ms, to_ms(sample.queue_delay));
    if (sample.at >= from + time::Duration(5'000'000)) {
      s.min_share_whole_step = std::min(s.min_share_whole_step, share);
    }
    if (!s.converged_after && share >= 0.7 && share <= 1.0) s.converged_after = sample.at - from;
    if (!s.converged_after) continue;
    s.min_share = std::min(s.min_share, share);
    s.max_share = std::max(s.max_share, share);
    sum += share;
    ++count;
    if (share >= 0.7 && share <= 1.0) s.in_band += 1;
  }
  if (count > 0) {
    s.mean_share = sum / count;
    s.in_band /= count;
  }
  if (queue_count > 0) s.mean_queue_ms = queue_sum / queue_count;
  return s;
}

}  // namespace rrtc::bwe::test
