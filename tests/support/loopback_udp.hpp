#pragma once
// A non-blocking UDP socket bound to 127.0.0.1 on a free port, for the tests that send and
// receive real datagrams (io's send ring and loop batches, ice's media socket).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rrtc::test {

class LoopbackUdp {
 public:
  LoopbackUdp() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address_);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address_), &length);
  }
  ~LoopbackUdp() { ::close(fd_); }
  LoopbackUdp(const LoopbackUdp&) = delete;
  LoopbackUdp& operator=(const LoopbackUdp&) = delete;

  int fd() const { return fd_; }
  const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&address_); }
  const sockaddr_storage& storage() const { return address_; }

  void send_to(const LoopbackUdp& to, const std::vector<std::uint8_t>& datagram) const {
    ASSERT_EQ(::sendto(fd_, datagram.data(), datagram.size(), 0, to.address(), sizeof(sockaddr_in)),
              static_cast<ssize_t>(datagram.size()));
  }

  // Everything queued on the socket now (loopback delivers during the send).
  std::vector<std::vector<std::uint8_t>> drain_bytes() const {
    std::vector<std::vector<std::uint8_t>> out;
    std::uint8_t buffer[2048];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n < 0) return out;
      out.emplace_back(buffer, buffer + n);
    }
  }
  // The same, as text.
  std::vector<std::string> drain() const {
    std::vector<std::string> out;
    for (const auto& datagram : drain_bytes()) out.emplace_back(datagram.begin(), datagram.end());
    return out;
  }

 private:
  int fd_;
  sockaddr_storage address_{};
};

}  // namespace rrtc::test
