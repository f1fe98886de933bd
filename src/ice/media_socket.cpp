#include "ice/media_socket.hpp"

#include <linux/filter.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "log/log.hpp"

namespace rrtc::ice {
namespace {

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("ice");
  return instance;
}

void refuse(const char* step, int error) noexcept {
  static std::once_flag once;
  std::call_once(once, [step, error] {
    logger().info("ice: media is read through libnice, one datagram per call ({}: {})", step,
                  std::strerror(error));
  });
}

// RFC 7983 section 7: first byte 128-191 is RTP or RTCP -> index 1 (this socket); everything
// else, and a datagram too short to load from, -> index 0 (libnice's socket, first in the group).
// Offsets start at the UDP payload.
constexpr sock_filter kSteering[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 128, 0, 2),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 192, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, 1),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

// The selected pair's socket takes media bursts: as libnice's socket (nice_transport_events.cpp).
void enlarge_receive_buffer(int fd) noexcept {
  constexpr int kReceiveBuffer = 4 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(kReceiveBuffer)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(kReceiveBuffer));
  }
}

}  // namespace

MediaSocket::ReceiveBuffers::ReceiveBuffers() noexcept {
  for (std::size_t i = 0; i < kBatch; ++i) {
    vectors[i] = {bytes[i].data(), kMaxDatagram};
    msghdr& header = headers[i].msg_hdr;
    header.msg_name = &from[i];
    header.msg_namelen = sizeof(sockaddr_storage);
    header.msg_iov = &vectors[i];
    header.msg_iovlen = 1;
  }
}

MediaSocket::ReceiveBuffers& MediaSocket::buffers() {
  thread_local std::unique_ptr<ReceiveBuffers> instance = std::make_unique<ReceiveBuffers>();
  return *instance;
}

std::unique_ptr<MediaSocket> MediaSocket::join(int shared_fd) noexcept {
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  if (getsockname(shared_fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    refuse("getsockname", errno);
    return nullptr;
  }
  const int one = 1;
  if (setsockopt(shared_fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    refuse("SO_REUSEPORT", errno);
    return nullptr;
  }
  const int fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    refuse("socket", errno);
    return nullptr;
  }
  bool joined = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0;
  if (joined && local.ss_family == AF_INET6) {
    // The kernel groups only sockets with the same IPV6_V6ONLY.
    int v6only = 0;
    socklen_t length = sizeof(v6only);
    joined = getsockopt(shared_fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &length) == 0 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) == 0;
  }
  const char* step = "bind";
  joined = joined && bind(fd, reinterpret_cast<const sockaddr*>(&local), local_length) == 0;
  if (joined) {
    // After bind: the program belongs to the group the bind made (attached before, it would go
    // with this socket's own group, which the bind frees). Until it is in, the kernel spreads
    // the pair's datagrams over both sockets by hash; one that lands here and is not media is
    // dropped by the reader, as a lost datagram.
    step = "SO_ATTACH_REUSEPORT_CBPF";
    sock_fprog program{static_cast<unsigned short>(std::size(kSteering)),
                       const_cast<sock_filter*>(kSteering)};
    joined = setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof(program)) == 0;
  }
  if (!joined) {
    const int error = errno;
    close(fd);  // libnice's socket is alone in its group again
    refuse(step, error);
    return nullptr;
  }
  enlarge_receive_buffer(fd);
  return std::unique_ptr<MediaSocket>(new MediaSocket(fd, shared_fd));
}

MediaSocket::~MediaSocket() { close(fd_); }

std::size_t MediaSocket::receive(ReceiveBuffers& buffers) noexcept {
  for (mmsghdr& header : buffers.headers) {
    header.msg_hdr.msg_namelen = sizeof(sockaddr_storage);  // the kernel wrote the last length
    header.msg_hdr.msg_flags = 0;
  }
  const int count = recvmmsg(fd_, buffers.headers.data(), kBatch, MSG_DONTWAIT, nullptr);
  return count > 0 ? static_cast<std::size_t>(count) : 0;
}

bool same_endpoint(const sockaddr_storage& a, const sockaddr_storage& b) noexcept {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (a.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    // A scope of 0 is "not said" (libnice's addresses may leave it out).
    const bool same_scope = x.sin6_scope_id == y.sin6_scope_id || x.sin6_scope_id == 0 ||
                            y.sin6_scope_id == 0;
    return x.sin6_port == y.sin6_port && same_scope &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

}  // namespace rrtc::ice
