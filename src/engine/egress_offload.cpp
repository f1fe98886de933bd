#include "engine/egress_offload.hpp"

#include <glib-unix.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "io/fd_source.hpp"

namespace rrtc::engine {
namespace {

// A target is woken at the latest when this many entries wait for it, so a wake-up that fans
// out thousands of copies does not fill the ring before the egress worker starts draining.
constexpr std::uint32_t kWakeEvery = 128;

// Frees the lane of every Retire entry left in `ring` (no thread uses it any more).
void free_retired(EgressRing& ring) {
  const std::size_t n = ring.readable();
  for (std::size_t i = 0; i < n; ++i) {
    EgressEntry& entry = ring.front(i);
    if (entry.kind == EgressEntry::Kind::Retire) delete entry.lane;
  }
  ring.release(n);
}

}  // namespace

EgressOffload::EgressOffload(std::size_t workers, std::size_t ring_entries) : workers_(workers) {
  rings_.resize(workers * workers);
  for (std::size_t from = 0; from < workers; ++from) {
    for (std::size_t to = 0; to < workers; ++to) {
      if (from != to) rings_[from * workers + to] = std::make_unique<EgressRing>(ring_entries);
    }
  }
  for (std::size_t i = 0; i < workers; ++i) {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
      for (const int open : wake_fds_) ::close(open);
      throw std::runtime_error(std::string("egress offload: eventfd: ") + std::strerror(errno));
    }
    wake_fds_.push_back(fd);
  }
}

EgressOffload::~EgressOffload() {
  for (auto& ring : rings_) {
    if (ring != nullptr) free_retired(*ring);
  }
  for (const int fd : wake_fds_) ::close(fd);
}

EgressSeat::EgressSeat(EgressSeat&& other) noexcept
    : port_(other.port_), target_(other.target_), lane_(std::exchange(other.lane_, nullptr)) {}

EgressSeat& EgressSeat::operator=(EgressSeat&& other) noexcept {
  if (this != &other) {
    reset();
    port_ = other.port_;
    target_ = other.target_;
    lane_ = std::exchange(other.lane_, nullptr);
  }
  return *this;
}

std::span<std::uint8_t> EgressSeat::slot() noexcept {
  EgressEntry* entry = port_->offload_.ring(port_->index_, target_).claim();
  if (entry == nullptr) return {};
  return entry->bytes;
}

bool EgressSeat::hand_off(std::span<const std::uint8_t> buffer, std::size_t length,
                          const ice::IceTransport::DirectRoute& route) noexcept {
  EgressEntry* entry = port_->offload_.ring(port_->index_, target_).claim();
  if (entry == nullptr || length > sizeof(entry->bytes) || route.to_length > sizeof(entry->to)) {
    port_->counters_.dropped.increment();
    return false;
  }
  // Written in place by the Router (slot()): nothing to copy. Resends and padding come from
  // the Router's own buffer.
  if (buffer.data() != entry->bytes) std::memcpy(entry->bytes, buffer.data(), length);
  entry->lane = lane_;
  entry->kind = EgressEntry::Kind::Packet;
  entry->length = static_cast<std::uint16_t>(length);
  entry->fd = route.fd;
  entry->to_length = route.to_length;
  std::memcpy(&entry->to, route.to, route.to_length);
  port_->offload_.ring(port_->index_, target_).commit();
  port_->counters_.handed_off.increment();
  port_->committed(target_);
  return true;
}

void EgressSeat::reset() noexcept {
  if (lane_ == nullptr) return;
  port_->retire(target_, std::exchange(lane_, nullptr));
}

EgressPort::EgressPort(EgressOffload& offload, std::size_t index) noexcept
    : offload_(offload), index_(index) {
  unwoken_.resize(offload.workers(), 0);
}

EgressPort::~EgressPort() {
  detach();
  // The worker thread has stopped; retires still waiting go to the rings if there is room,
  // else their lanes are freed here (no entry of theirs can be sent any more: every worker
  // thread stops before the engine destroys a port).
  for (const Retire& retire : backlog_) {
    if (!push_retire(retire.target, retire.lane)) delete retire.lane;
  }
  backlog_.clear();
  if (send_ring_ != nullptr) send_ring_->set_batch_end(nullptr, nullptr);
}

void EgressPort::set_send_ring(io::SendRing* ring) noexcept {
  if (send_ring_ != nullptr) send_ring_->set_batch_end(nullptr, nullptr);
  send_ring_ = ring;
  if (ring != nullptr) {
    ring->set_batch_end([](void* self) noexcept { static_cast<EgressPort*>(self)->batch_end(); },
                        this);
  }
}

void EgressPort::attach(GMainContext* context) {
  // Woken for every batch another worker hands over: a source GLib never blocks
  // (io/fd_source.hpp). drain() does not iterate the context, so it is never re-entered.
  source_ = io::attach_readable_source(
      context, offload_.wake_fd(index_),
      +[](int /*fd*/, GIOCondition /*condition*/, void* self) -> gboolean {
        static_cast<EgressPort*>(self)->drain();
        return G_SOURCE_CONTINUE;
      },
      this);
}

void EgressPort::detach() noexcept {
  if (source_ == nullptr) return;
  g_source_destroy(source_);
  g_source_unref(source_);
  source_ = nullptr;
}

EgressSeat EgressPort::open_seat(const transport::Peer& peer) {
  if (peek_turn() == index_) {
    ++turn_;
    return {};
  }
  auto session = peer.make_outbound_rtp_session();
  if (!session) return {};
  return open_seat(std::move(*session));
}

EgressSeat EgressPort::open_seat(srtp::SrtpSession rtp) {
  const std::size_t target = peek_turn();
  ++turn_;
  if (target == index_) return {};
  auto* lane = new (std::nothrow) EgressLane{std::move(rtp)};
  if (lane == nullptr) return {};
  counters_.lanes_opened.increment();
  return EgressSeat(this, target, lane);
}

std::size_t EgressPort::peek_turn() const noexcept {
  const std::size_t workers = offload_.workers();
  if (workers <= 1) return index_;
  // One turn for this worker, then kOtherWorkerTurns for each other one, interleaved: with 3
  // workers, from worker 1: 1, 2, 0, 2, 0.
  const std::size_t cycle = 1 + kOtherWorkerTurns * (workers - 1);
  const std::size_t turn = turn_ % cycle;
  if (turn == 0) return index_;
  return (index_ + 1 + (turn - 1) % (workers - 1)) % workers;
}

void EgressPort::committed(std::size_t target) noexcept {
  // Inside a wake-up's Batch the wake waits for batch_end() (one eventfd write per target per
  // wake-up) unless many entries already wait; outside one (no io_uring) it goes at once.
  if (++unwoken_[target] >= kWakeEvery || send_ring_ == nullptr || !send_ring_->batching()) {
    wake(target);
  }
}

void EgressPort::wake(std::size_t target) noexcept {
  unwoken_[target] = 0;
  const std::uint64_t one = 1;
  // EAGAIN only when the counter would overflow: the target is awake anyway.
  [[maybe_unused]] const ssize_t written = ::write(offload_.wake_fd(target), &one, sizeof(one));
}

void EgressPort::batch_end() noexcept {
  if (!backlog_.empty()) {
    std::size_t kept = 0;
    for (const Retire& retire : backlog_) {
      if (!push_retire(retire.target, retire.lane)) backlog_[kept++] = retire;
    }
    backlog_.resize(kept);
  }
  for (std::size_t target = 0; target < unwoken_.size(); ++target) {
    if (unwoken_[target] > 0) wake(target);
  }
}

void EgressPort::retire(std::size_t target, EgressLane* lane) noexcept {
  if (push_retire(target, lane)) return;
  // The ring is full: try again when this worker's wake-up ends. Allocates, but only for a
  // subscriber leaving while its egress worker is overrun.
  try {
    backlog_.push_back({target, lane});
  } catch (...) {
    // Out of memory: leaking one lane beats freeing it under the consumer.
  }
}

bool EgressPort::push_retire(std::size_t target, EgressLane* lane) noexcept {
  EgressRing& ring = offload_.ring(index_, target);
  EgressEntry* entry = ring.claim();
  if (entry == nullptr) return false;
  entry->lane = lane;
  entry->kind = EgressEntry::Kind::Retire;
  entry->length = 0;
  ring.commit();
  committed(target);
  return true;
}

void EgressPort::drain() noexcept {
  // Read the eventfd before looking at the rings: an entry committed after the look is
  // followed by another write, so it is never left waiting.
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t got = ::read(offload_.wake_fd(index_), &count, sizeof(count));
  for (std::size_t from = 0; from < offload_.workers(); ++from) {
    if (from == index_) continue;
    EgressRing& ring = offload_.ring(from, index_);
    const std::size_t n = ring.readable();
    if (n == 0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      EgressEntry& entry = ring.front(i);
      if (entry.kind == EgressEntry::Kind::Retire) {
        delete entry.lane;  // its packets are all before this entry, protected already
        continue;
      }
      send(entry);
    }
    // The SendRing points at the entries' bytes: they leave before the entries are reused.
    if (send_ring_ != nullptr) send_ring_->flush();
    ring.release(n);
  }
}

void EgressPort::send(EgressEntry& entry) noexcept {
  const std::span<std::uint8_t> bytes(entry.bytes, sizeof(entry.bytes));
  const auto protected_length = entry.lane->rtp.protect_rtp(bytes, entry.length);
  if (!protected_length) {
    counters_.send_failures.increment();
    return;
  }
  const std::span<const std::uint8_t> datagram(entry.bytes, *protected_length);
  const auto* to = reinterpret_cast<const sockaddr*>(&entry.to);
  counters_.sent_for_others.increment();
  if (send_ring_ != nullptr &&
      send_ring_->queue_external(entry.fd, to, entry.to_length, datagram)) {
    return;  // a kernel drop at flush is counted by the ring, as for the worker's own sends
  }
  const ssize_t sent = ::sendto(entry.fd, datagram.data(), datagram.size(),
                                MSG_DONTWAIT | MSG_NOSIGNAL, to, entry.to_length);
  if (sent != static_cast<ssize_t>(datagram.size())) counters_.send_failures.increment();
}

}  // namespace rrtc::engine
