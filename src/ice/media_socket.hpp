#pragma once
// The selected pair's RTP and RTCP read beside libnice, up to kBatch datagrams per recvmmsg(2).
//
// Why not libnice: for each wake-up of a socket, libnice 0.1.21 (component_io_cb) reads one
// datagram per recvmsg(2) through g_socket_receive_message, which allocates a GSocketAddress for
// the source of each, and ends with one more recvmsg that says EAGAIN. Its
// nice_agent_recv_messages_nonblocking is no better: it detaches the receive callback, iterates
// the component's GMainContext (the worker's own, so any other ready source is dispatched from
// inside the call) and reads through the same one-datagram path.
//
// How STUN still reaches libnice: the kernel steers each datagram by its first byte. This socket
// joins the libnice socket's local address through SO_REUSEPORT (set on libnice's bound socket
// afterwards: Linux forms the reuseport group when the second socket binds, with libnice's socket
// first), and a classic BPF program on the group (SO_ATTACH_REUSEPORT_CBPF, which sees the UDP
// payload) picks this socket for RFC 7983's RTP/RTCP range (128-191) and libnice's socket for
// the rest: STUN (0-3: the peer's checks and consent, the answers to libnice's consent checks,
// TURN), DTLS (20-63) and TURN ChannelData (64-79). libnice's consent freshness, its answers and
// its TURN refreshes see exactly what they saw before; only media bypasses it.
//
// While a MediaSocket exists, libnice's socket carries SO_REUSEPORT: another socket of the same
// user could join the address (the kernel refuses other users). Closing the MediaSocket leaves
// libnice's socket alone in the group, and the program's index 1 no longer exists, so the kernel
// falls back to the only socket left: libnice receives everything again.
//
// Threading: the owner's (the worker's) thread.

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace rrtc::ice {

class MediaSocket {
 public:
  static constexpr std::size_t kBatch = 32;
  // Larger datagrams arrive truncated and are dropped: WebRTC media stays under the path MTU.
  static constexpr std::size_t kMaxDatagram = 2048;

  // Where one recvmmsg lands: large (64 KB), so one per worker thread (buffers()), not per socket.
  struct ReceiveBuffers {
    ReceiveBuffers() noexcept;
    ReceiveBuffers(const ReceiveBuffers&) = delete;
    ReceiveBuffers& operator=(const ReceiveBuffers&) = delete;

    std::span<std::uint8_t> datagram(std::size_t i) noexcept {
      return {bytes[i].data(), headers[i].msg_len};
    }
    bool truncated(std::size_t i) const noexcept {
      return (headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }

    std::array<mmsghdr, kBatch> headers{};
    std::array<iovec, kBatch> vectors{};
    std::array<sockaddr_storage, kBatch> from{};
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> bytes{};
    bool in_use = false;  // a nested read (not expected) must not reuse them
  };
  // The calling thread's buffers, allocated on its first call.
  static ReceiveBuffers& buffers();

  // Joins `shared_fd`'s bound UDP address and installs the steering program. nullptr when the
  // kernel refuses a step (logged once per process); libnice's socket then gets everything.
  static std::unique_ptr<MediaSocket> join(int shared_fd) noexcept;
  ~MediaSocket();
  MediaSocket(const MediaSocket&) = delete;
  MediaSocket& operator=(const MediaSocket&) = delete;

  int fd() const noexcept { return fd_; }
  int shared_fd() const noexcept { return shared_fd_; }

  // Reads what is waiting, up to kBatch datagrams, without blocking; 0 when nothing is (or on an
  // error). Datagram i is buffers.datagram(i) from buffers.from[i].
  std::size_t receive(ReceiveBuffers& buffers) noexcept;

 private:
  MediaSocket(int fd, int shared_fd) noexcept : fd_(fd), shared_fd_(shared_fd) {}

  int fd_;
  int shared_fd_;
};

// Same family, address and port (IPv4 or IPv6; the IPv6 scope too when both have one).
bool same_endpoint(const sockaddr_storage& a, const sockaddr_storage& b) noexcept;

}  // namespace rrtc::ice
