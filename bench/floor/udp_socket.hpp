#pragma once
// A UDP socket bound to 127.0.0.1 on a kernel-chosen port, closed on destruction. Opening and
// configuring throw std::system_error: they only run while the benchmark sets up.

#include <netinet/in.h>

#include <cstddef>

namespace rrtc::floor_bench {

class UdpSocket {
 public:
  static UdpSocket bind_loopback();

  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const noexcept { return fd_; }
  const sockaddr_in& local() const noexcept { return local_; }

  // Asks for `bytes` of receive buffer with SO_RCVBUFFORCE (past net.core.rmem_max, needs
  // CAP_NET_ADMIN), falling back to SO_RCVBUF. Returns true if the forced request was accepted.
  bool set_receive_buffer(std::size_t bytes);
  // What the kernel granted (it doubles the request for its own bookkeeping).
  std::size_t receive_buffer() const;
  // Fixes the destination, so send(2) skips the per-call route lookup of sendto(2).
  void connect_to(const sockaddr_in& peer);

 private:
  explicit UdpSocket(int fd) noexcept : fd_(fd) {}

  int fd_ = -1;
  sockaddr_in local_{};
};

}  // namespace rrtc::floor_bench
