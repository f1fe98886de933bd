#include "fan_out.hpp"

#include <liburing.h>
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "rtp/byte_io.hpp"

namespace rrtc::floor_bench {

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux, as clock_nanosleep uses

constexpr std::size_t kRtpHeader = 12;
constexpr std::size_t kIncomingPackets = 8;
constexpr unsigned kUioMaxIov = 1024;  // the kernel's cap on sendmmsg's vlen
// Without pacing, the clock is read once per this many copies (a read costs ~20 ns, as much
// as copying a small packet).
constexpr std::uint64_t kClockEvery = 256;

// Keeps the compiler from treating the egress buffer's writes as dead in the copy-only variant.
inline void escape(const void* pointer) { asm volatile("" : : "r"(pointer) : "memory"); }

std::vector<std::uint8_t> incoming_packet(std::size_t index, std::size_t payload) {
  std::vector<std::uint8_t> packet(kRtpHeader + payload);
  packet[0] = 0x80;  // V=2
  packet[1] = 96;    // PT 96, M=0
  rtp::store_be16(packet.data() + 2, static_cast<std::uint16_t>(index));
  rtp::store_be32(packet.data() + 4, static_cast<std::uint32_t>(index * 3000));
  rtp::store_be32(packet.data() + 8, 0x11223344);
  for (std::size_t i = kRtpHeader; i < packet.size(); ++i) {
    packet[i] = static_cast<std::uint8_t>(index * 37 + i);
  }
  return packet;
}

std::vector<std::uint8_t> master_key(srtp::SrtpProfile profile, unsigned subscriber) {
  std::vector<std::uint8_t> master(srtp::master_key_length(profile) +
                                   srtp::master_salt_length(profile));
  for (std::size_t i = 0; i < master.size(); ++i) {
    master[i] = static_cast<std::uint8_t>(subscriber * 131 + i * 7 + 1);
  }
  return master;
}

// Sleeps until incoming packet `index` is due at `pps` egress packets per second, each
// incoming packet making `copies` of them. Returns the time after any sleep.
class Pacer {
 public:
  Pacer(double pps, unsigned copies, Clock::time_point start)
      : start_(start), interval_s_(pps > 0 ? copies / pps : 0) {
    // Timer slack (50 µs by default) would make every wake-up late.
    if (interval_s_ > 0) ::prctl(PR_SET_TIMERSLACK, 1000UL);
  }
  bool paced() const noexcept { return interval_s_ > 0; }
  Clock::time_point wait(std::uint64_t index) const noexcept {
    const auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(interval_s_ * index));
    const auto now = Clock::now();
    if (now >= due) return now;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch());
    timespec deadline{static_cast<time_t>(ns.count() / 1000000000),
                      static_cast<long>(ns.count() % 1000000000)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
    return Clock::now();
  }

 private:
  Clock::time_point start_;
  double interval_s_;
};

}  // namespace

FanOut::FanOut(const Options& options, const Receivers& receivers)
    : options_(options),
      receivers_(receivers),
      stride_(kRtpHeader + options.payload + srtp::kMaxSrtpOverhead) {
  for (std::size_t i = 0; i < kIncomingPackets; ++i) {
    incoming_.push_back(incoming_packet(i, options.payload));
  }
  subscribers_.reserve(options.subscribers);
  for (unsigned i = 0; i < options.subscribers; ++i) {
    auto srtp = srtp::SrtpSession::create(options.profile, master_key(options.profile, i),
                                          srtp::SrtpDirection::Outbound)
                    .value();
    subscribers_.push_back({std::move(srtp), 0x20000000U + i, static_cast<std::uint16_t>(i * 1000),
                            i * 90000U, receivers.address(i)});
  }
}

std::size_t FanOut::rewrite(const std::vector<std::uint8_t>& incoming, Subscriber& subscriber,
                            std::uint8_t* egress) noexcept {
  std::memcpy(egress, incoming.data(), incoming.size());
  rtp::store_be16(egress + 2, subscriber.sequence++);
  rtp::store_be32(egress + 4, rtp::load_be32(incoming.data() + 4) + subscriber.timestamp_offset);
  rtp::store_be32(egress + 8, subscriber.ssrc);
  return incoming.size();
}

std::size_t FanOut::protect(const std::vector<std::uint8_t>& incoming, Subscriber& subscriber,
                            std::uint8_t* egress, Counts& counts) noexcept {
  const std::size_t length = rewrite(incoming, subscriber, egress);
  const auto protected_length = subscriber.srtp.protect_rtp({egress, stride_}, length);
  if (!protected_length) {
    ++counts.protect_errors;
    return 0;
  }
  return *protected_length;
}

void FanOut::open_sockets(Variant variant) {
  sockets_.clear();
  if (!variant_sends(variant)) return;
  if (variant == Variant::sendmmsg_shared) {
    sockets_.push_back(UdpSocket::bind_loopback());
    return;
  }
  for (const auto& subscriber : subscribers_) {
    auto& socket = sockets_.emplace_back(UdpSocket::bind_loopback());
    if (variant == Variant::connected) socket.connect_to(subscriber.destination);
  }
}

template <typename PerCopy, typename PerIncoming>
void FanOut::loop(PerCopy per_copy, PerIncoming per_incoming) {
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options_.seconds));
  const Pacer pacer(options_.pps, options_.subscribers, start);
  std::uint64_t copies_since_clock = 0;
  for (std::uint64_t index = 0;; ++index) {
    if (pacer.paced()) {
      if (pacer.wait(index) >= end) return;
    } else if (copies_since_clock >= kClockEvery) {
      copies_since_clock = 0;
      if (Clock::now() >= end) return;
    }
    const auto& incoming = incoming_[index % kIncomingPackets];
    for (std::size_t i = 0; i < subscribers_.size(); ++i) per_copy(i, incoming);
    per_incoming();
    copies_since_clock += subscribers_.size();
  }
}

struct FanOut::Ring {
  io_uring ring;
};

void FanOut::RingExit::operator()(Ring* ring) const noexcept {
  io_uring_queue_exit(&ring->ring);
  delete ring;
}

// One io_uring_enter(2) submits every copy and, since UDP sends complete inline, finds their
// completions posted when it returns.
void FanOut::submit_ring(std::size_t count, Counts& counts) noexcept {
  io_uring* ring = &ring_->ring;
  for (std::size_t i = 0; i < count; ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    io_uring_prep_sendmsg(sqe, batch_fds_[i], &messages_[i].msg_hdr, 0);
  }
  if (io_uring_submit_and_wait(ring, static_cast<unsigned>(count)) < 0) {
    counts.send_errors += count;
    return;
  }
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_for_each_cqe(ring, head, cqe) {
    ++seen;
    if (cqe->res < 0) {
      ++counts.send_errors;
    } else {
      ++counts.packets;
    }
  }
  io_uring_cq_advance(ring, seen);
}

void FanOut::send_batch(std::size_t count, Counts& counts) noexcept {
  const int fd = sockets_.front().fd();
  std::size_t next = 0;
  while (next < count) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(count - next, kUioMaxIov));
    const int sent = ::sendmmsg(fd, messages_.data() + next, chunk, 0);
    if (sent < 0) {
      ++counts.send_errors;  // the first message failed; the rest may still go
      ++next;
    } else {
      counts.packets += static_cast<unsigned>(sent);
      next += static_cast<unsigned>(sent);
    }
  }
}

template <Variant kVariant>
void FanOut::copy_once(std::size_t index, const std::vector<std::uint8_t>& incoming,
                       Counts& counts) noexcept {
  Subscriber& subscriber = subscribers_[index];
  std::uint8_t* const egress =
      egress_.data() + (kVariant == Variant::sendmmsg_shared || kVariant == Variant::io_uring
                            ? index * stride_
                            : 0);
  std::size_t length = 0;
  if constexpr (variant_protects(kVariant)) {
    length = protect(incoming, subscriber, egress, counts);
    if (length == 0) return;
  } else {
    length = rewrite(incoming, subscriber, egress);
  }
  ssize_t result = 0;
  if constexpr (!variant_sends(kVariant)) {
    escape(egress);
  } else if constexpr (kVariant == Variant::send_plain || kVariant == Variant::sendto) {
    const sockaddr_in& to = subscriber.destination;
    result = ::sendto(sockets_[index].fd(), egress, length, 0,
                      reinterpret_cast<const sockaddr*>(&to), sizeof(to));
  } else if constexpr (kVariant == Variant::connected) {
    result = ::send(sockets_[index].fd(), egress, length, 0);
  } else {
    iovecs_[batched_] = {egress, length};
    messages_[batched_].msg_hdr.msg_iov = &iovecs_[batched_];
    messages_[batched_].msg_hdr.msg_name = &subscriber.destination;
    if constexpr (kVariant == Variant::io_uring) batch_fds_[batched_] = sockets_[index].fd();
    ++batched_;
    return;  // counted when the batch goes out
  }
  if (result < 0) {
    ++counts.send_errors;
  } else {
    ++counts.packets;
  }
}

template <Variant kVariant>
FanOut::Counts FanOut::fan_out() {
  Counts counts;
  batched_ = 0;
  loop(
      [&](std::size_t index, const std::vector<std::uint8_t>& incoming) {
        copy_once<kVariant>(index, incoming, counts);
      },
      [&] {
        if constexpr (kVariant == Variant::sendmmsg_shared) {
          send_batch(batched_, counts);
          batched_ = 0;
        } else if constexpr (kVariant == Variant::io_uring) {
          submit_ring(batched_, counts);
          batched_ = 0;
        }
      });
  return counts;
}

FanOut::Counts FanOut::fan_out(Variant variant) {
  switch (variant) {
    case Variant::copy:
      return fan_out<Variant::copy>();
    case Variant::protect:
      return fan_out<Variant::protect>();
    case Variant::send_plain:
      return fan_out<Variant::send_plain>();
    case Variant::sendto:
      return fan_out<Variant::sendto>();
    case Variant::connected:
      return fan_out<Variant::connected>();
    case Variant::sendmmsg_shared:
      return fan_out<Variant::sendmmsg_shared>();
    case Variant::io_uring:
      return fan_out<Variant::io_uring>();
  }
  return {};
}

void FanOut::prepare(Variant variant) {
  open_sockets(variant);
  const bool batch = variant == Variant::sendmmsg_shared || variant == Variant::io_uring;
  egress_.assign(stride_ * (batch ? subscribers_.size() : 1), 0);
  ring_.reset();
  if (variant == Variant::io_uring) {
    auto ring = std::make_unique<Ring>();
    const unsigned entries = std::max(8U, static_cast<unsigned>(subscribers_.size()));
    if (const int error = io_uring_queue_init(entries, &ring->ring, 0); error < 0) {
      throw std::runtime_error(std::string("io_uring_queue_init: ") + std::strerror(-error));
    }
    ring_.reset(ring.release());
  }
  if (batch) {
    iovecs_.assign(subscribers_.size(), {});
    messages_.assign(subscribers_.size(), {});
    batch_fds_.assign(subscribers_.size(), -1);
    for (auto& message : messages_) {
      message.msg_hdr.msg_namelen = sizeof(sockaddr_in);
      message.msg_hdr.msg_iovlen = 1;
    }
  }
}

Measurement FanOut::run(Variant variant) {
  prepare(variant);
  // Copies that skip SRTP must not move the sequence numbers its sessions see: a jump of more
  // than 2^15 would look like a replay to the outbound session of a later variant.
  std::vector<std::uint16_t> sequences;
  if (!variant_protects(variant)) {
    for (const auto& subscriber : subscribers_) sequences.push_back(subscriber.sequence);
  }
  const auto received_before = receivers_.received();
  const double softirq_before = core_softirq_seconds(options_.cpu);
  const double ksoftirqd_before = ksoftirqd_seconds(options_.cpu);
  const ThreadCpu cpu_before = thread_cpu();
  const auto start = Clock::now();

  const Counts counts = fan_out(variant);

  const auto stop = Clock::now();
  const ThreadCpu cpu_after = thread_cpu();
  const double softirq_after = core_softirq_seconds(options_.cpu);
  const double ksoftirqd_after = ksoftirqd_seconds(options_.cpu);
  Measurement m;
  m.variant = variant;
  m.subscribers = options_.subscribers;
  m.packets = counts.packets;
  m.send_errors = counts.send_errors;
  m.protect_errors = counts.protect_errors;
  m.wall_s = std::chrono::duration<double>(stop - start).count();
  m.cpu = {cpu_after.user_s - cpu_before.user_s, cpu_after.sys_s - cpu_before.sys_s};
  if (softirq_before >= 0 && softirq_after >= 0) m.softirq_s = softirq_after - softirq_before;
  if (ksoftirqd_before >= 0 && ksoftirqd_after >= 0) {
    m.ksoftirqd_s = ksoftirqd_after - ksoftirqd_before;
  }
  if (variant_sends(variant)) {
    m.received =
        receivers_.wait_for(received_before + counts.packets, options_.drain_s) - received_before;
  }
  for (std::size_t i = 0; i < sequences.size(); ++i) subscribers_[i].sequence = sequences[i];
  sockets_.clear();
  return m;
}

}  // namespace rrtc::floor_bench
