// NiceTransport's media socket on loopback: the selected pair's RTP and RTCP are read beside
// libnice, a burst in few recvmmsg calls, in order; everything else still goes through libnice;
// RTP from a socket that is not the selected remote is dropped; consent (libnice's STUN) keeps
// the pair up while media flows; a listener may close the transport in the middle of a batch.

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ice/nice_transport.hpp"
#include "nice_pair.hpp"

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using test::loopback_options;
using test::NicePair;

// RTP-shaped (first byte 0x80, RFC 7983's RTP/RTCP range) with a sequence number.
std::vector<uint8_t> rtp(uint16_t sequence, std::size_t size = 200) {
  std::vector<uint8_t> out(size, 0x55);
  out[0] = 0x80;
  out[1] = 96;
  out[2] = static_cast<uint8_t>(sequence >> 8);
  out[3] = static_cast<uint8_t>(sequence);
  return out;
}

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

class NiceMediaTest : public ::testing::Test {
 protected:
  void connect() {
    pair_.create(loopback_options(false), loopback_options(true));
    ASSERT_TRUE(pair_.run_until_connected(20s));
    ASSERT_TRUE(pair_.server.transport->reads_media_directly());
    ASSERT_TRUE(pair_.client.transport->reads_media_directly());
  }

  io::GlibLoop loop_;
  NicePair pair_{loop_};
};

TEST_F(NiceMediaTest, ABurstOfRtpArrivesInOrderInFewReads) {
  connect();
  const auto before = pair_.server.transport->media_reads();
  // Sent back to back before the loop runs again: all 50 wait in the socket at the next poll.
  constexpr uint16_t kBurst = 50;
  for (uint16_t i = 0; i < kBurst; ++i) ASSERT_TRUE(pair_.client.transport->send(rtp(i)));
  ASSERT_TRUE(pair_.client.transport->send(bytes("through libnice")));
  ASSERT_TRUE(loop_.run_until(
      [&] { return pair_.server.listener.datagrams.size() == kBurst + 1u; }, 10s));
  const auto after = pair_.server.transport->media_reads();
  EXPECT_EQ(after.datagrams - before.datagrams, kBurst);
  EXPECT_EQ(after.calls - before.calls, 2u);  // 32 + 18
  EXPECT_EQ(after.dropped, before.dropped);
  std::vector<std::vector<uint8_t>> media;
  for (const auto& d : pair_.server.listener.datagrams) {
    if (d[0] == 0x80) {
      media.push_back(d);
    } else {
      EXPECT_EQ(d, bytes("through libnice"));
    }
  }
  ASSERT_EQ(media.size(), kBurst);
  for (uint16_t i = 0; i < kBurst; ++i) EXPECT_EQ(media[i], rtp(i)) << i;
}

TEST_F(NiceMediaTest, RtpFromAnotherSourceIsDropped) {
  connect();
  const auto selected = pair_.server.transport->selected_pair();
  ASSERT_TRUE(selected);
  const int rogue = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(selected->local_port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto forged = rtp(999);
  ASSERT_EQ(sendto(rogue, forged.data(), forged.size(), 0, reinterpret_cast<sockaddr*>(&to),
                   sizeof(to)),
            static_cast<ssize_t>(forged.size()));
  close(rogue);
  ASSERT_TRUE(pair_.client.transport->send(rtp(1)));
  ASSERT_TRUE(loop_.run_until(
      [&] {
        return pair_.server.transport->media_reads().dropped == 1 &&
               !pair_.server.listener.datagrams.empty();
      },
      10s));
  ASSERT_EQ(pair_.server.listener.datagrams.size(), 1u);
  EXPECT_EQ(pair_.server.listener.datagrams[0], rtp(1));
}

TEST_F(NiceMediaTest, AListenerMayCloseInTheMiddleOfABatch) {
  connect();
  pair_.server.listener.on_receive = [&](std::span<uint8_t>) { pair_.server.transport->close(); };
  for (uint16_t i = 0; i < 10; ++i) ASSERT_TRUE(pair_.client.transport->send(rtp(i)));
  ASSERT_TRUE(loop_.run_until([&] { return pair_.server.listener.saw(IceState::Closed); }, 10s));
  ASSERT_EQ(pair_.server.listener.datagrams.size(), 1u);
  EXPECT_EQ(pair_.server.listener.datagrams[0], rtp(0));
  EXPECT_FALSE(pair_.server.transport->reads_media_directly());
}

TEST_F(NiceMediaTest, ConsentHoldsWhileMediaBypassesLibnice) {
  // libnice checks consent every ~5 s and declares the component FAILED after 10 s without an
  // answer (nice_transport.hpp): 12 s of media both ways must leave both sides Connected, so the
  // STUN answers did reach libnice.
  connect();
  const uint64_t rearmed = NiceTransport::consent_counters().rearmed;
  uint16_t sequence = 0;
  bool done = false;
  io::TimerHandle end = loop_.add_timer(12s, [&] { done = true; });
  std::function<void()> tick;
  io::TimerHandle ticker;
  tick = [&] {
    pair_.client.transport->send(rtp(sequence));
    pair_.server.transport->send(rtp(sequence));
    ++sequence;
    ticker = loop_.add_timer(20ms, tick);
  };
  tick();
  ASSERT_TRUE(loop_.run_until([&] { return done; }, 20s));
  ticker.cancel();
  // Every datagram the client sent came through the media socket (loopback loses none).
  const uint64_t sent = sequence;
  EXPECT_TRUE(loop_.run_until(
      [&] { return pair_.server.transport->media_reads().datagrams == sent; }, 5s));
  EXPECT_EQ(pair_.server.transport->state(), IceState::Connected);
  EXPECT_EQ(pair_.client.transport->state(), IceState::Connected);
  EXPECT_FALSE(pair_.server.listener.saw(IceState::Failed));
  EXPECT_FALSE(pair_.client.listener.saw(IceState::Failed));
  EXPECT_EQ(NiceTransport::consent_counters().rearmed, rearmed);  // no window went unanswered
  EXPECT_TRUE(pair_.server.transport->reads_media_directly());
  EXPECT_EQ(pair_.server.transport->media_reads().datagrams, sent);
  EXPECT_EQ(pair_.server.listener.datagrams.size(), sent);
}

}  // namespace
}  // namespace rrtc::ice
