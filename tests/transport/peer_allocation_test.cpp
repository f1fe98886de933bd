// The hot path allocates nothing: Peer::send_rtp / send_rtcp and the receive path (demux,
// unprotect in place, on_rtp / on_rtcp). Its own binary, because it replaces the global
// operator new to count allocations.

#include <gtest/gtest.h>

#include <memory>

#include "peer_harness.hpp"
#include "support/counting_new.hpp"
#include "transport/peer.hpp"


namespace rrtc::transport {
namespace {

using test::PeerPair;

using rrtc::test::CountAllocations;

// The counter itself works (ASan must not bypass the replacement), or the tests below prove
// nothing.
TEST(PeerHotPath, CounterSeesAllocations) {
  std::size_t counted = 0;
  {
    CountAllocations scope;
    auto box = std::make_unique<std::vector<int>>(16);
    counted = scope.count();
  }
  EXPECT_GE(counted, 2u);
}

TEST(PeerHotPath, SendAllocatesNothing) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  // The memory link copies what it delivers; dropping at the link keeps its copy out of the count.
  pair.link.set_drop_hook([](ice::Side, std::span<const uint8_t>) { return true; });
  std::vector<std::uint8_t> rtp(1200 + kRtpSendOverhead);
  std::vector<std::uint8_t> rtcp(64 + kRtcpSendOverhead);
  const auto rtp_template = test::rtp_packet(0, 1188, 0x33);
  const auto rtcp_template = test::rtcp_receiver_report(7);
  std::size_t sent = 0;
  std::size_t counted = 0;
  {
    CountAllocations scope;
    for (std::uint16_t sequence = 0; sequence < 500; ++sequence) {
      std::copy(rtp_template.begin(), rtp_template.end(), rtp.begin());
      rtp[2] = static_cast<std::uint8_t>(sequence >> 8);
      rtp[3] = static_cast<std::uint8_t>(sequence);
      sent += pair.client.peer->send_rtp(rtp, rtp_template.size()) == SendResult::Sent;
      std::copy(rtcp_template.begin(), rtcp_template.end(), rtcp.begin());
      sent += pair.client.peer->send_rtcp(rtcp, rtcp_template.size()) == SendResult::Sent;
    }
    counted = scope.count();
  }
  EXPECT_EQ(sent, 1000u);
  EXPECT_EQ(counted, 0u);
}

TEST(PeerHotPath, ReceiveAllocatesNothing) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  // Hold the protected packets at the server's ICE, then deliver them as ICE would.
  std::vector<std::vector<std::uint8_t>> wire;
  pair.server.tap->hold = &wire;
  for (std::uint16_t sequence = 0; sequence < 200; ++sequence) {
    ASSERT_EQ(test::send_rtp(*pair.client.peer, test::rtp_packet(sequence, 1000, 1)),
              SendResult::Sent);
    ASSERT_EQ(test::send_rtcp(*pair.client.peer, test::rtcp_receiver_report(sequence)),
              SendResult::Sent);
  }
  pair.link.flush();
  ASSERT_EQ(wire.size(), 400u);
  pair.server.tap->hold = nullptr;
  pair.server.listener.keep_media = false;
  std::size_t counted = 0;
  {
    CountAllocations scope;
    for (auto& datagram : wire) pair.server.tap->inject(std::move(datagram));
    counted = scope.count();
  }
  EXPECT_EQ(counted, 0u);
  EXPECT_EQ(pair.server.listener.media_seen, 400u);
  EXPECT_EQ(pair.server.peer->counters().rtp_decrypted, 200u);
  EXPECT_EQ(pair.server.peer->counters().rtcp_decrypted, 200u);
}

}  // namespace
}  // namespace rrtc::transport
