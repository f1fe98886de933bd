#include "ice/sim_network.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "io/sim_loop.hpp"

namespace rrtc::ice {
namespace {

// A uniform draw in [0, 1) from the top 53 bits: the same on every standard library, unlike
// std::uniform_real_distribution.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A uniform draw in [0, max].
time::Duration up_to(std::mt19937_64& rng, time::Duration max) {
  if (max <= time::Duration::zero()) return time::Duration::zero();
  return time::Duration(
      static_cast<time::Duration::rep>(rng() % (static_cast<std::uint64_t>(max.count()) + 1)));
}

// Time to put `bytes` on a link of `bandwidth` bits/s, rounded up to the microsecond.
time::Duration serialization(std::size_t bytes, std::uint64_t bandwidth) {
  const std::uint64_t bits = static_cast<std::uint64_t>(bytes) * 8;
  return time::Duration(
      static_cast<time::Duration::rep>((bits * 1'000'000 + bandwidth - 1) / bandwidth));
}

IceCredentials credentials(std::uint64_t id, char side) {
  std::string number = std::to_string(id);
  std::string pwd = "simnetpassword" + std::string(1, side);
  pwd += std::string(number.size() < 8 ? 8 - number.size() : 0, '0') + number;
  return {std::string("sim") + side + number, pwd};
}

std::string candidate(std::uint64_t id, Side side) {
  // Documentation address blocks (RFC 5737), one per side; the port tells pairs apart.
  const char* ip = side == Side::A ? "192.0.2.1" : "198.51.100.1";
  return "candidate:1 1 udp 2130706431 " + std::string(ip) + " " +
         std::to_string(10000 + id % 50000) + " typ host";
}

}  // namespace

// One pair's two links on the simulated clock.
class SimMedium final : public MemoryMedium {
 public:
  SimMedium(io::SimLoop& loop, std::uint64_t seed, std::uint64_t id, time::Duration consent_timeout,
            const LinkConfig& a_to_b, const LinkConfig& b_to_a)
      : loop_(loop), id_(id), consent_timeout_(consent_timeout) {
    links_[0].config = a_to_b;
    links_[1].config = b_to_a;
    for (std::uint32_t i = 0; i < 2; ++i) {
      std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                        static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32), i};
      links_[i].rng.seed(seq);
    }
  }

  void transmit(Side from, std::span<const uint8_t> datagram) override;

  void set_link(Side from, const LinkConfig& config) { links_[side_index(from)].config = config; }
  const LinkConfig& link(Side from) const { return links_[side_index(from)].config; }
  const LinkCounters& counters(Side from) const { return links_[side_index(from)].counters; }
  std::uint64_t id() const noexcept { return id_; }

 private:
  struct Link {
    LinkConfig config;
    LinkCounters counters;
    std::mt19937_64 rng;
    // The bandwidth queue: when each waiting datagram finishes serializing, and its size.
    std::deque<std::pair<time::Timestamp, std::size_t>> queue;
    std::size_t queued_bytes = 0;
    time::Timestamp busy_until{};
    // The latest arrival of an in-order datagram: jitter never lets one arrive before it.
    time::Timestamp last_arrival{};
  };

  time::Duration check_duration() const override {
    return links_[0].config.delay + links_[1].config.delay;
  }
  time::Duration consent_timeout() const override { return consent_timeout_; }
  void defer(time::Duration delay, std::function<void()> event) override {
    loop_.post_at(loop_.now() + delay, std::move(event));
  }

  // When the datagram leaves the sender (after the bandwidth queue); nullopt: the queue is full.
  std::optional<time::Timestamp> departure(Link& link, std::size_t size, time::Timestamp now);

  io::SimLoop& loop_;
  std::uint64_t id_;
  time::Duration consent_timeout_;
  std::array<Link, 2> links_;
};

std::optional<time::Timestamp> SimMedium::departure(Link& link, std::size_t size,
                                                    time::Timestamp now) {
  const std::uint64_t bandwidth = link.config.bandwidth;
  if (bandwidth == 0) return now;
  while (!link.queue.empty() && link.queue.front().first <= now) {
    link.queued_bytes -= link.queue.front().second;
    link.queue.pop_front();
  }
  if (link.queued_bytes + size > link.config.queue_limit) return std::nullopt;
  const time::Timestamp leaves = std::max(now, link.busy_until) + serialization(size, bandwidth);
  link.busy_until = leaves;
  link.queue.emplace_back(leaves, size);
  link.queued_bytes += size;
  return leaves;
}

void SimMedium::transmit(Side from, std::span<const uint8_t> datagram) {
  Link& link = links_[side_index(from)];
  ++link.counters.sent;
  link.counters.bytes_sent += datagram.size();
  const time::Timestamp now = loop_.now();
  const std::optional<time::Timestamp> leaves = departure(link, datagram.size(), now);
  if (!leaves) {
    ++link.counters.dropped_queue;
    return;
  }
  // Three draws per datagram on the wire, whatever the configuration, so switching one knob
  // does not shift the draws the others see.
  const double loss_draw = unit(link.rng);
  const time::Duration jitter = up_to(link.rng, link.config.jitter);
  const double reorder_draw = unit(link.rng);
  if (loss_draw < link.config.loss) {
    ++link.counters.dropped_loss;
    return;
  }
  time::Timestamp arrival = std::max(*leaves + link.config.delay + jitter, link.last_arrival);
  if (reorder_draw < link.config.reorder) {
    arrival += link.config.reorder_delay;
  } else {
    link.last_arrival = arrival;
  }
  LinkCounters* counters = &link.counters;  // lives as long as this medium, which deliver checks
  deliver(other_side(from), arrival - now,
          [counters, bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())](
              MemoryTransport& to) mutable {
            ++counters->delivered;
            counters->bytes_delivered += bytes.size();
            to.deliver_datagram(bytes);
          });
}

void SimPath::set_link(Side from, const LinkConfig& config) { medium_->set_link(from, config); }
LinkConfig SimPath::link(Side from) const { return medium_->link(from); }
LinkCounters SimPath::counters(Side from) const { return medium_->counters(from); }
void SimPath::fail() { medium_->fail(); }
std::uint64_t SimPath::id() const { return medium_->id(); }

SimNetwork::SimNetwork(io::SimLoop& loop, std::uint64_t seed, Options options)
    : loop_(loop), seed_(seed), options_(options) {}

SimPair SimNetwork::create_pair(const LinkConfig& a_to_b, const LinkConfig& b_to_a) {
  const std::uint64_t id = next_id_++;
  auto medium =
      std::make_shared<SimMedium>(loop_, seed_, id, options_.consent_timeout, a_to_b, b_to_a);
  SimPair pair{SimPath(medium), nullptr, nullptr};
  pair.a = std::make_unique<MemoryTransport>(medium, Side::A, credentials(id, 'A'),
                                             candidate(id, Side::A));
  pair.b = std::make_unique<MemoryTransport>(medium, Side::B, credentials(id, 'B'),
                                             candidate(id, Side::B));
  return pair;
}

}  // namespace rrtc::ice
