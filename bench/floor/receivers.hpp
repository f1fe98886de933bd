#pragma once
// The subscribers' side: one UDP socket per subscriber on 127.0.0.1 with a large receive buffer,
// and a drain thread pinned to its own core that reads them all (epoll + recvmmsg) and counts
// datagrams. The kernel thus delivers into sockets a reader is waiting on, as it does for real
// clients (wake-ups included), and what the receivers lost is known.
//
// Threading: the constructor starts the drain thread and the destructor stops and joins it;
// received() may be read from any thread.

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "udp_socket.hpp"

namespace rrtc::floor_bench {

class Receivers {
 public:
  // Throws std::system_error if a socket, the epoll set or the thread cannot be set up.
  Receivers(unsigned count, std::size_t rcvbuf, std::size_t max_datagram, int cpu);
  ~Receivers();
  Receivers(const Receivers&) = delete;
  Receivers& operator=(const Receivers&) = delete;

  const sockaddr_in& address(unsigned index) const noexcept { return sockets_[index].local(); }
  // Datagrams read so far, over all sockets.
  std::uint64_t received() const noexcept { return received_.load(std::memory_order_acquire); }
  // Waits until `target` datagrams have been read in all, or nothing arrived for 50 ms and
  // every socket's queue is empty, or `max_s` passed; returns received().
  std::uint64_t wait_for(std::uint64_t target, double max_s) const;

  std::size_t granted_rcvbuf() const noexcept { return granted_rcvbuf_; }
  bool rcvbuf_forced() const noexcept { return forced_; }

 private:
  void drain(int cpu, std::size_t max_datagram);
  bool queues_empty() const;

  std::vector<UdpSocket> sockets_;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // eventfd in the epoll set: written once to end the drain thread
  std::size_t granted_rcvbuf_ = 0;
  bool forced_ = false;
  std::atomic<std::uint64_t> received_{0};
  std::thread thread_;
};

}  // namespace rrtc::floor_bench
