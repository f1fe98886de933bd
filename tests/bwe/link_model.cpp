#include "link_model.hpp"

#include <algorithm>

namespace rrtc::bwe::test {

std::uint64_t Random::next() noexcept {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Random::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::optional<time::Timestamp> LinkModel::send(std::int64_t size, time::Timestamp now) {
  while (!queue_.empty() && queue_.front().departure <= now) {
    queued_bytes_ -= queue_.front().size;
    queue_.pop_front();
  }
  // Draw both numbers for every packet, so a change of one setting does not shift the other's
  // sequence.
  const double loss_draw = random_.uniform();
  const double jitter_draw = random_.uniform();
  if (queued_bytes_ + size > config_.queue_bytes) {
    ++queue_drops_;
    return std::nullopt;
  }
  const time::Timestamp start = std::max(now, last_departure_);
  const time::Timestamp departure = start + capacity_.time_for(size);
  last_departure_ = departure;
  queue_.push_back(Queued{departure, size});
  queued_bytes_ += size;
  // Lost after the bottleneck (a lossy last hop): the packet took its share of the capacity.
  if (loss_draw < config_.loss) {
    ++random_losses_;
    return std::nullopt;
  }
  const auto jitter = time::Duration(
      static_cast<std::int64_t>(jitter_draw * static_cast<double>(config_.jitter.count())));
  const time::Timestamp arrival = std::max(departure + config_.propagation + jitter, last_arrival_);
  last_arrival_ = arrival;
  return arrival;
}

time::Duration LinkModel::queue_delay(time::Timestamp now) const noexcept {
  return std::max(last_departure_ - now, time::Duration(0));
}

}  // namespace rrtc::bwe::test
