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

// Receives 200 RTP packets and 200 receiver reports, the reports from `rtcp_ssrcs` SSRCs in
// turn, and returns the allocations counted while they were unprotected and handed over.
std::size_t receive_allocations(std::uint32_t rtcp_ssrcs) {
  PeerPair pair;
  EXPECT_TRUE(pair.connect());
  // Hold the protected packets at the server's ICE, then deliver them as ICE would.
  std::vector<std::vector<std::uint8_t>> wire;
  pair.server.tap->hold = &wire;
  for (std::uint16_t sequence = 0; sequence < 200; ++sequence) {
    EXPECT_EQ(test::send_rtp(*pair.client.peer, test::rtp_packet(sequence, 1000, 1)),
              SendResult::Sent);
    EXPECT_EQ(test::send_rtcp(*pair.client.peer, test::rtcp_receiver_report(sequence % rtcp_ssrcs)),
              SendResult::Sent);
  }
  pair.link.flush();
  EXPECT_EQ(wire.size(), 400u);
  pair.server.tap->hold = nullptr;
  pair.server.listener.keep_media = false;
  std::size_t counted = 0;
  {
    CountAllocations scope;
    for (auto& datagram : wire) pair.server.tap->inject(std::move(datagram));
    counted = scope.count();
  }
  EXPECT_EQ(pair.server.listener.media_seen, 400u);
  EXPECT_EQ(pair.server.peer->counters().rtp_decrypted, 200u);
  EXPECT_EQ(pair.server.peer->counters().rtcp_decrypted, 200u);
  return counted;
}

// A peer's RTCP comes from its few SSRCs (here 4, with the RTP stream's 5).
TEST(PeerHotPath, ReceiveAllocatesNothing) { EXPECT_EQ(receive_allocations(4), 0u); }

// An inbound SRTP session makes room for 8 SSRCs at creation (srtp/stream_table.hpp); reports
// from 200 make its table double five times (16, 32, ..., 256), not allocate per packet.
TEST(PeerHotPath, ManyRemoteSsrcsAllocateOnlyAsTheTableDoubles) {
  EXPECT_LE(receive_allocations(200), 5u);
}

}  // namespace
}  // namespace rrtc::transport
