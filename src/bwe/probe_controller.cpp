#include "bwe/probe_controller.hpp"

#include <algorithm>

namespace rrtc::bwe {

void ProbeController::start(DataRate start_bitrate, time::Timestamp now) noexcept {
  if (!config_.enabled || started_) return;
  started_ = true;
  target_ = start_bitrate;
  recent_max_ = start_bitrate;
  recent_max_at_ = now;
  last_probe_ = now;
  plan(start_bitrate * config_.initial_factors[0], false, now);
  plan(start_bitrate * config_.initial_factors[1], true, now);
}

void ProbeController::plan(DataRate bitrate, bool further, time::Timestamp at) noexcept {
  if (planned_count_ == planned_.size()) return;
  planned_[planned_count_++] =
      Planned{std::clamp(bitrate, config_.min_bitrate, std::max(config_.min_bitrate, ceiling())),
              further, at};
}

DataRate ProbeController::ceiling() const noexcept {
  if (allocation_limit_.bps() <= 0) return config_.max_bitrate;
  return std::min(config_.max_bitrate, allocation_limit_ * config_.further_factor);
}

bool ProbeController::enough() const noexcept {
  return target_ >= config_.max_bitrate ||
         (allocation_limit_.bps() > 0 && target_ >= allocation_limit_ * kEnoughFactor);
}

void ProbeController::on_target(DataRate target, time::Timestamp now) noexcept {
  target_ = target;
  if (!started_) return;
  if (target >= recent_max_ || now - recent_max_at_ > config_.drop_window) {
    recent_max_ = target;
    recent_max_at_ = now;
    drop_probe_done_ = false;
  }
  if (app_limited_ && !drop_probe_done_ && target < recent_max_ * config_.drop_fraction) {
    // A large drop while we sent little: check at once whether the old rate still holds. At
    // most at twice the new target: a cluster at 85 % of a far higher old rate would flood the
    // queue of a link whose capacity really fell (20 Mbit/s -> 400 kbit/s: 85 KB in 40 ms), and
    // the loss would drag the estimate below the capacity. A capped cluster that passes is
    // followed by higher ones, as probing further does.
    const DataRate recovery = recent_max_ * config_.recovery_factor;
    const DataRate capped = target * config_.further_factor;
    plan(std::min(recovery, capped), capped < recovery, now);
    drop_probe_done_ = true;
  }
}

void ProbeController::on_result(int cluster, DataRate result, time::Timestamp now) noexcept {
  if (!waiting_ || waiting_->id != cluster) return;
  const ProbeCluster done = *waiting_;
  waiting_.reset();
  // What the path just carried is the rate a later drop is measured against: a drop below it
  // while we send little gets its own recovery probe, however recent the last one.
  recent_max_ = result;
  recent_max_at_ = now;
  drop_probe_done_ = false;
  if (waiting_further_ && done.bitrate < ceiling() && !enough() &&
      result >= done.bitrate * config_.further_fraction) {
    plan(result * config_.further_factor, true, now);
  }
}

std::optional<ProbeCluster> ProbeController::next_probe(time::Timestamp now) noexcept {
  if (!config_.enabled || !started_) return std::nullopt;
  if (waiting_ && now - waiting_since_ >= config_.result_timeout) waiting_.reset();
  if (planned_count_ == 0 && !waiting_ && !enough() && last_probe_ &&
      now - *last_probe_ >= config_.interval) {
    plan(target_ * config_.periodic_factor, true, now);
  }
  if (planned_count_ == 0 || planned_[0].at > now) return std::nullopt;
  const Planned next = planned_[0];
  std::move(planned_.begin() + 1, planned_.begin() + static_cast<std::ptrdiff_t>(planned_count_),
            planned_.begin());
  --planned_count_;

  ProbeCluster cluster;
  cluster.id = next_id_++;
  cluster.bitrate = next.bitrate;
  cluster.min_bytes = next.bitrate.bytes_in(config_.cluster_duration);
  cluster.min_packets = config_.min_packets;
  waiting_ = cluster;
  waiting_further_ = next.further;
  waiting_since_ = now;
  last_probe_ = now;
  return cluster;
}

std::optional<time::Timestamp> ProbeController::next_deadline() const noexcept {
  if (!config_.enabled || !started_) return std::nullopt;
  if (planned_count_ > 0) return planned_[0].at;
  if (enough() || !last_probe_) return std::nullopt;
  time::Timestamp at = *last_probe_ + config_.interval;
  if (waiting_) at = std::max(at, waiting_since_ + config_.result_timeout);
  return at;
}

}  // namespace rrtc::bwe
