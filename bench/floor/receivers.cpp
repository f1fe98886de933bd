#include "receivers.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "thread_cpu.hpp"

namespace rrtc::floor_bench {

namespace {

constexpr unsigned kBatch = 64;  // datagrams per recvmmsg(2)

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void add_to_epoll(int epoll_fd, int fd, std::uint64_t tag) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = tag;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl");
}

}  // namespace

Receivers::Receivers(unsigned count, std::size_t rcvbuf, std::size_t max_datagram, int cpu) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("epoll_create1");
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) fail("eventfd");
  add_to_epoll(epoll_fd_, stop_fd_, count);
  sockets_.reserve(count);
  forced_ = true;
  for (unsigned i = 0; i < count; ++i) {
    auto& socket = sockets_.emplace_back(UdpSocket::bind_loopback());
    forced_ = socket.set_receive_buffer(rcvbuf) && forced_;
    add_to_epoll(epoll_fd_, socket.fd(), i);
  }
  granted_rcvbuf_ = sockets_.front().receive_buffer();
  thread_ = std::thread([this, cpu, max_datagram] { drain(cpu, max_datagram); });
}

Receivers::~Receivers() {
  const std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof(one)) != sizeof(one)) std::terminate();
  thread_.join();
  ::close(stop_fd_);
  ::close(epoll_fd_);
}

void Receivers::drain(int cpu, std::size_t max_datagram) {
  pin_current_thread(cpu);
  std::vector<std::uint8_t> buffers(kBatch * max_datagram);
  std::vector<iovec> iovecs(kBatch);
  std::vector<mmsghdr> messages(kBatch);
  for (unsigned i = 0; i < kBatch; ++i) {
    iovecs[i] = {buffers.data() + i * max_datagram, max_datagram};
    messages[i].msg_hdr.msg_iov = &iovecs[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  epoll_event events[64];
  const auto count = static_cast<std::uint64_t>(sockets_.size());
  for (;;) {
    const int ready = ::epoll_wait(epoll_fd_, events, 64, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) std::terminate();  // only a programming error (bad fd) gets here
    for (int e = 0; e < ready; ++e) {
      const std::uint64_t tag = events[e].data.u64;
      if (tag == count) return;
      const int fd = sockets_[tag].fd();
      for (;;) {
        const int got = ::recvmmsg(fd, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (got <= 0) break;
        received_.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_release);
        // Without source addresses recvmmsg only sets msg_len and msg_flags: reuse as is.
        if (static_cast<unsigned>(got) < kBatch) break;
      }
    }
  }
}

bool Receivers::queues_empty() const {
  for (const auto& socket : sockets_) {
    int queued = 0;
    if (::ioctl(socket.fd(), FIONREAD, &queued) != 0 || queued > 0) return false;
  }
  return true;
}

std::uint64_t Receivers::wait_for(std::uint64_t target, double max_s) const {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(max_s);
  auto last = received();
  auto last_change = Clock::now();
  while (last < target) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto now = Clock::now();
    const auto current = received();
    if (current != last) {
      last = current;
      last_change = now;
    } else if (now - last_change > std::chrono::milliseconds(50) && queues_empty()) {
      break;  // on loopback delivery is synchronous: nothing more is on its way
    }
    if (now >= deadline) break;
  }
  return received();
}

}  // namespace rrtc::floor_bench
