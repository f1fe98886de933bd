// The hand-off path allocates nothing per packet (issue 18, STYLE.md): a seat's slot(), its
// hand_off() (written in place and copied), the producer's batch_end() wake-up, and the
// consumer's drain() (eventfd, SRTP protect in place, SendRing queue_external or sendto, flush,
// release), counted with the process's allocator replaced (support/counting_new.hpp).

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/egress_offload.hpp"
#include "io/send_ring.hpp"
#include "srtp/session.hpp"
#include "support/counting_new.hpp"
#include "support/loopback_udp.hpp"

namespace rrtc::engine {
namespace {

const std::vector<std::uint8_t> kMaster(30, 0x5a);  // AES-CM-128: 16 + 14

std::vector<std::uint8_t> rtp_packet(std::uint16_t seq) {
  std::vector<std::uint8_t> packet(12 + 1000, 0xab);
  packet[0] = 0x80;
  packet[1] = 96;
  packet[2] = static_cast<std::uint8_t>(seq >> 8);
  packet[3] = static_cast<std::uint8_t>(seq);
  std::memset(packet.data() + 4, 0, 8);
  packet[11] = 7;
  return packet;
}

void run(bool with_send_ring) {
  auto ring = with_send_ring ? io::SendRing::create(64) : nullptr;
  if (with_send_ring && ring == nullptr) GTEST_SKIP() << "io_uring unavailable here";
  EgressOffload offload(2, 256);
  EgressPort producer(offload, 0);
  EgressPort consumer(offload, 1);
  consumer.set_send_ring(ring.get());
  test::LoopbackUdp from;
  test::LoopbackUdp to;
  const ice::IceTransport::DirectRoute route{from.fd(), to.address(), sizeof(sockaddr_in)};
  (void)producer.open_seat(std::move(*srtp::SrtpSession::create(
      srtp::SrtpProfile::AesCm128HmacSha1_80, kMaster, srtp::SrtpDirection::Outbound)));
  EgressSeat seat = producer.open_seat(std::move(*srtp::SrtpSession::create(
      srtp::SrtpProfile::AesCm128HmacSha1_80, kMaster, srtp::SrtpDirection::Outbound)));
  ASSERT_TRUE(seat.active());
  std::vector<std::vector<std::uint8_t>> packets;
  for (std::uint16_t seq = 0; seq < 400; ++seq) packets.push_back(rtp_packet(seq));
  char sink[2048];
  auto round = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (i % 4 == 3) {
        (void)seat.hand_off(packets[i], packets[i].size(), route);  // a resend: copied
      } else {
        const auto slot = seat.slot();
        std::memcpy(slot.data(), packets[i].data(), packets[i].size());
        (void)seat.hand_off(slot, packets[i].size(), route);
      }
    }
    producer.batch_end();
    consumer.drain();
    while (::recv(to.fd(), sink, sizeof(sink), 0) > 0) {
    }
  };
  round(0, 50);  // warm-up: the SSRC's stream state, OpenSSL's first use
  std::size_t allocations = 0;
  {
    test::CountAllocations count;
    for (std::size_t begin = 50; begin < 400; begin += 50) round(begin, begin + 50);
    allocations = count.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(producer.counters().handed_off.get(), 400u);
  EXPECT_EQ(consumer.counters().sent_for_others.get(), 400u);
  EXPECT_EQ(consumer.counters().send_failures.get(), 0u);
}

TEST(EgressAllocation, HandOffAndDrainAllocateNothingWithTheSendRing) { run(true); }
TEST(EgressAllocation, HandOffAndDrainAllocateNothingWithSendto) { run(false); }

}  // namespace
}  // namespace rrtc::engine
