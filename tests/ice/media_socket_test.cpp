// MediaSocket over real UDP sockets on 127.0.0.1: the kernel steers RTP and RTCP (first byte
// 128-191) to the media socket and everything else (STUN, DTLS, TURN ChannelData, empty
// datagrams) to the socket it joined, as libnice's socket would need; one recvmmsg returns a
// whole burst, in order, with its source; closing the media socket gives everything back.

#include "ice/media_socket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/counting_new.hpp"
#include "support/loopback_udp.hpp"

namespace rrtc::ice {
namespace {

using Udp = test::LoopbackUdp;

std::vector<std::uint8_t> datagram(std::uint8_t first, std::uint8_t tag, std::size_t size = 100) {
  std::vector<std::uint8_t> out(size, tag);
  if (size > 0) out[0] = first;
  return out;
}

// Spins until `fd` is readable or a second passes.
bool readable(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, 10) == 1) return true;
  }
  return false;
}

TEST(MediaSocket, SteersRtpAndRtcpHereAndTheRestToTheJoinedSocket) {
  Udp nice;  // stands for libnice's bound socket
  Udp peer;
  auto media = MediaSocket::join(nice.fd());
  ASSERT_NE(media, nullptr);
  EXPECT_EQ(media->shared_fd(), nice.fd());

  const std::vector<std::vector<std::uint8_t>> others = {
      datagram(0x00, 1),  // STUN Binding Request
      datagram(0x01, 2),  // STUN success response
      datagram(0x16, 3),  // DTLS handshake
      datagram(0x40, 4),  // TURN ChannelData
      datagram(0x7f, 5),  // top of the range below RTP
      datagram(0xc0, 6),  // above RFC 7983's RTP/RTCP range
      {},                 // empty: nothing to steer by
  };
  const std::vector<std::vector<std::uint8_t>> media_datagrams = {
      datagram(0x80, 10),  // RTP
      datagram(0x90, 11),  // RTP with an extension
      datagram(0x81, 12),  // RTCP (its second byte decides RTP or RTCP; both are media)
      datagram(0xbf, 13),  // top of the range
  };
  for (std::size_t i = 0; i < others.size(); ++i) {
    peer.send_to(nice, others[i]);
    if (i < media_datagrams.size()) peer.send_to(nice, media_datagrams[i]);
  }

  ASSERT_TRUE(readable(media->fd()));
  auto& buffers = MediaSocket::buffers();
  ASSERT_EQ(media->receive(buffers), media_datagrams.size());
  for (std::size_t i = 0; i < media_datagrams.size(); ++i) {
    const auto got = buffers.datagram(i);
    EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), media_datagrams[i]) << i;
    EXPECT_FALSE(buffers.truncated(i));
    EXPECT_TRUE(same_endpoint(buffers.from[i], peer.storage())) << i;
  }
  EXPECT_EQ(media->receive(buffers), 0u);
  EXPECT_EQ(nice.drain_bytes(), others);
}

TEST(MediaSocket, OneCallReadsABurstUpToTheBatch) {
  Udp nice;
  Udp peer;
  auto media = MediaSocket::join(nice.fd());
  ASSERT_NE(media, nullptr);
  constexpr std::size_t kSent = MediaSocket::kBatch + 5;
  for (std::size_t i = 0; i < kSent; ++i) {
    peer.send_to(nice, datagram(0x80, static_cast<std::uint8_t>(i), 1200));
  }
  ASSERT_TRUE(readable(media->fd()));
  auto& buffers = MediaSocket::buffers();
  std::size_t first = 0;
  std::size_t second = 0;
  std::size_t counted = 0;
  {
    // The receive path allocates nothing (the buffers exist already).
    rrtc::test::CountAllocations scope;
    first = media->receive(buffers);
    counted = scope.count();
  }
  EXPECT_EQ(counted, 0u);
  ASSERT_EQ(first, MediaSocket::kBatch);
  for (std::size_t i = 0; i < first; ++i) {
    ASSERT_EQ(buffers.datagram(i).size(), 1200u);
    EXPECT_EQ(buffers.datagram(i)[1], static_cast<std::uint8_t>(i));
  }
  second = media->receive(buffers);
  ASSERT_EQ(second, 5u);
  EXPECT_EQ(buffers.datagram(4)[1], static_cast<std::uint8_t>(kSent - 1));
  EXPECT_TRUE(nice.drain_bytes().empty());
}

TEST(MediaSocket, TooLargeDatagramsAreMarkedTruncated) {
  Udp nice;
  Udp peer;
  auto media = MediaSocket::join(nice.fd());
  ASSERT_NE(media, nullptr);
  peer.send_to(nice, datagram(0x80, 1, MediaSocket::kMaxDatagram + 1));
  peer.send_to(nice, datagram(0x80, 2, MediaSocket::kMaxDatagram));
  ASSERT_TRUE(readable(media->fd()));
  auto& buffers = MediaSocket::buffers();
  ASSERT_EQ(media->receive(buffers), 2u);
  EXPECT_TRUE(buffers.truncated(0));
  EXPECT_FALSE(buffers.truncated(1));
  EXPECT_EQ(buffers.datagram(1).size(), MediaSocket::kMaxDatagram);
}

TEST(MediaSocket, ClosingGivesEverythingBackToTheJoinedSocket) {
  Udp nice;
  Udp peer;
  auto media = MediaSocket::join(nice.fd());
  ASSERT_NE(media, nullptr);
  media.reset();
  const auto rtp = datagram(0x80, 7);
  const auto stun = datagram(0x00, 8);
  peer.send_to(nice, rtp);
  peer.send_to(nice, stun);
  ASSERT_TRUE(readable(nice.fd()));
  EXPECT_EQ(nice.drain_bytes(), (std::vector<std::vector<std::uint8_t>>{rtp, stun}));

  // And a socket can join again (a pair selected once more on the same local socket).
  auto again = MediaSocket::join(nice.fd());
  ASSERT_NE(again, nullptr);
  peer.send_to(nice, rtp);
  peer.send_to(nice, stun);
  ASSERT_TRUE(readable(again->fd()));
  auto& buffers = MediaSocket::buffers();
  ASSERT_EQ(again->receive(buffers), 1u);
  EXPECT_EQ(buffers.datagram(0)[1], 7);
  EXPECT_EQ(nice.drain_bytes(), (std::vector<std::vector<std::uint8_t>>{stun}));
}

TEST(MediaSocket, SameEndpointComparesFamilyAddressAndPort) {
  sockaddr_storage a{};
  auto& a4 = reinterpret_cast<sockaddr_in&>(a);
  a4.sin_family = AF_INET;
  a4.sin_port = htons(5000);
  a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_storage b = a;
  EXPECT_TRUE(same_endpoint(a, b));
  reinterpret_cast<sockaddr_in&>(b).sin_port = htons(5001);
  EXPECT_FALSE(same_endpoint(a, b));
  b = a;
  reinterpret_cast<sockaddr_in&>(b).sin_addr.s_addr = htonl(0x7f000002);
  EXPECT_FALSE(same_endpoint(a, b));
  sockaddr_storage c{};
  auto& c6 = reinterpret_cast<sockaddr_in6&>(c);
  c6.sin6_family = AF_INET6;
  c6.sin6_port = htons(5000);
  c6.sin6_addr = in6addr_loopback;
  EXPECT_FALSE(same_endpoint(a, c));
  sockaddr_storage d = c;
  reinterpret_cast<sockaddr_in6&>(d).sin6_scope_id = 2;
  EXPECT_TRUE(same_endpoint(c, d));  // one says no scope
  reinterpret_cast<sockaddr_in6&>(c).sin6_scope_id = 3;
  EXPECT_FALSE(same_endpoint(c, d));
}

}  // namespace
}  // namespace rrtc::ice
