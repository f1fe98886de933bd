#include "udp_socket.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace rrtc::floor_bench {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

UdpSocket UdpSocket::bind_loopback() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  UdpSocket socket(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) fail("bind");
  socklen_t length = sizeof(socket.local_);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&socket.local_), &length) != 0) {
    fail("getsockname");
  }
  return socket;
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpSocket::set_receive_buffer(std::size_t bytes) {
  const int value = static_cast<int>(bytes);
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(value)) == 0) return true;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &value, sizeof(value)) != 0) fail("SO_RCVBUF");
  return false;
}

std::size_t UdpSocket::receive_buffer() const {
  int value = 0;
  socklen_t length = sizeof(value);
  if (::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &value, &length) != 0) fail("getsockopt");
  return static_cast<std::size_t>(value);
}

void UdpSocket::connect_to(const sockaddr_in& peer) {
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)) != 0) {
    fail("connect");
  }
}

}  // namespace rrtc::floor_bench
