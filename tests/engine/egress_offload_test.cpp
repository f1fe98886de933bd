// The egress offload (engine/egress_offload.hpp) over real UDP sockets on 127.0.0.1: seats go
// round-robin over the workers, a copy handed off is protected with the lane's session and
// reaches its destination (an Inbound session of the same key decrypts it to the bytes handed
// off), a full ring drops and counts, a retired lane is freed by the consumer (ASan's leak check
// and use-after-free check watch that), and a consumer on its own GLib thread, woken by the
// eventfd, sends everything a producer thread hands it (also in the ThreadSanitizer tree).

#include "engine/egress_offload.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "io/glib_loop.hpp"
#include "io/send_ring.hpp"
#include "srtp/session.hpp"
#include "support/loopback_udp.hpp"

namespace rrtc::engine {
namespace {

using test::LoopbackUdp;

const std::vector<std::uint8_t> kMaster = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                           11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                           21, 22, 23, 24, 25, 26, 27, 28};  // 16 + 12

srtp::SrtpSession session(srtp::SrtpDirection direction) {
  auto made = srtp::SrtpSession::create(srtp::SrtpProfile::AeadAes128Gcm, kMaster, direction);
  EXPECT_TRUE(made.has_value());
  return std::move(*made);
}

// An RTP packet: version 2, PT 96, `seq`, SSRC 0x11223344, then `payload` bytes of seq's low byte.
std::vector<std::uint8_t> rtp_packet(std::uint16_t seq, std::size_t payload = 200) {
  std::vector<std::uint8_t> packet(12 + payload, static_cast<std::uint8_t>(seq));
  packet[0] = 0x80;
  packet[1] = 96;
  packet[2] = static_cast<std::uint8_t>(seq >> 8);
  packet[3] = static_cast<std::uint8_t>(seq);
  std::memset(packet.data() + 4, 0, 4);
  packet[8] = 0x11;
  packet[9] = 0x22;
  packet[10] = 0x33;
  packet[11] = 0x44;
  return packet;
}

ice::IceTransport::DirectRoute route_from(const LoopbackUdp& from, const LoopbackUdp& to) {
  return {from.fd(), to.address(), sizeof(sockaddr_in)};
}

// Decrypts every datagram `to` received; they must be the packets with these sequence numbers.
void expect_received(const LoopbackUdp& to, std::uint16_t first, std::size_t count) {
  auto inbound = session(srtp::SrtpDirection::Inbound);
  const auto datagrams = to.drain_bytes();
  ASSERT_EQ(datagrams.size(), count);
  for (std::size_t i = 0; i < count; ++i) {
    auto bytes = datagrams[i];
    const auto plain = inbound.unprotect_rtp(bytes, bytes.size());
    ASSERT_TRUE(plain.has_value()) << i;
    bytes.resize(*plain);
    EXPECT_EQ(bytes, rtp_packet(static_cast<std::uint16_t>(first + i))) << i;
  }
}

TEST(EgressOffload, SeatsGoInTurnsTheOwnWorkerOnceEachOtherTwice) {
  EgressOffload offload(3, 16);
  EgressPort port(offload, 1);
  // Worker 1's turn comes first: that subscriber stays on its room's worker.
  EXPECT_FALSE(port.open_seat(session(srtp::SrtpDirection::Outbound)).active());
  std::vector<EgressSeat> seats;
  for (int i = 0; i < 4; ++i)
    seats.push_back(port.open_seat(session(srtp::SrtpDirection::Outbound)));
  std::vector<std::size_t> targets;
  for (const EgressSeat& seat : seats) {
    ASSERT_TRUE(seat.active());
    targets.push_back(seat.target());
  }
  EXPECT_EQ(targets, (std::vector<std::size_t>{2, 0, 2, 0}));
  static_assert(EgressPort::kOtherWorkerTurns == 2);
  // The cycle starts again with the own worker.
  EXPECT_FALSE(port.open_seat(session(srtp::SrtpDirection::Outbound)).active());
  EXPECT_TRUE(port.open_seat(session(srtp::SrtpDirection::Outbound)).active());
  EXPECT_EQ(port.counters().lanes_opened.get(), 5u);
  // The seats retire their lanes into the rings; the offload frees them (no consumer ran).
}

TEST(EgressOffload, HandedOffCopiesAreProtectedWithTheLaneAndSent) {
  auto ring = io::SendRing::create(16);  // nullptr without io_uring: sendto then
  EgressOffload offload(2, 64);
  EgressPort producer(offload, 0);
  EgressPort consumer(offload, 1);
  consumer.set_send_ring(ring.get());
  LoopbackUdp from;
  LoopbackUdp to;
  (void)producer.open_seat(session(srtp::SrtpDirection::Outbound));  // worker 0's own turn
  EgressSeat seat = producer.open_seat(session(srtp::SrtpDirection::Outbound));
  ASSERT_TRUE(seat.active());
  for (std::uint16_t seq = 100; seq < 140; ++seq) {
    const auto packet = rtp_packet(seq);
    if (seq % 2 == 0) {
      // Written into the entry as the Router does; odd ones are copied (resends, padding).
      const auto slot = seat.slot();
      ASSERT_GE(slot.size(), packet.size());
      std::memcpy(slot.data(), packet.data(), packet.size());
      ASSERT_TRUE(seat.hand_off(slot, packet.size(), route_from(from, to)));
    } else {
      ASSERT_TRUE(seat.hand_off(packet, packet.size(), route_from(from, to)));
    }
  }
  producer.batch_end();
  consumer.drain();
  EXPECT_EQ(producer.counters().handed_off.get(), 40u);
  EXPECT_EQ(producer.counters().dropped.get(), 0u);
  EXPECT_EQ(consumer.counters().sent_for_others.get(), 40u);
  EXPECT_EQ(consumer.counters().send_failures.get(), 0u);
  expect_received(to, 100, 40);
}

TEST(EgressOffload, AFullRingDropsAndCountsAndTheRetireWaitsForRoom) {
  EgressOffload offload(2, 8);
  EgressPort producer(offload, 0);
  EgressPort consumer(offload, 1);
  LoopbackUdp from;
  LoopbackUdp to;
  (void)producer.open_seat(session(srtp::SrtpDirection::Outbound));
  EgressSeat seat = producer.open_seat(session(srtp::SrtpDirection::Outbound));
  for (std::uint16_t seq = 0; seq < 10; ++seq) {
    const auto packet = rtp_packet(seq);
    EXPECT_EQ(seat.hand_off(packet, packet.size(), route_from(from, to)), seq < 8) << seq;
  }
  EXPECT_EQ(producer.counters().handed_off.get(), 8u);
  EXPECT_EQ(producer.counters().dropped.get(), 2u);
  EXPECT_TRUE(seat.slot().empty());
  // The subscriber leaves while the ring is full: its retire waits in the backlog.
  seat.reset();
  EXPECT_FALSE(seat.active());
  consumer.drain();      // sends the 8, frees room
  producer.batch_end();  // the retire goes in now
  consumer.drain();      // and the consumer frees the lane (LeakSanitizer would see it)
  EXPECT_EQ(consumer.counters().sent_for_others.get(), 8u);
  expect_received(to, 0, 8);
}

TEST(EgressOffload, AConsumerOnItsOwnLoopThreadSendsWhatAnotherThreadHandsOver) {
  constexpr std::uint16_t kPackets = 3000;
  EgressOffload offload(2, 256);
  EgressPort producer(offload, 0);  // this thread; no send ring: it wakes at every commit
  EgressPort consumer(offload, 1);
  LoopbackUdp from;
  LoopbackUdp to;
  {
    io::GlibLoop loop;
    loop.start("egress-test");
    std::atomic<bool> attached{false};
    loop.post([&] {
      consumer.attach(loop.context());
      attached = true;
    });
    while (!attached) std::this_thread::yield();
    (void)producer.open_seat(session(srtp::SrtpDirection::Outbound));
    EgressSeat seat = producer.open_seat(session(srtp::SrtpDirection::Outbound));
    ASSERT_TRUE(seat.active());
    std::vector<std::vector<std::uint8_t>> received;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::uint16_t next = 0;
    while (received.size() < kPackets && std::chrono::steady_clock::now() < deadline) {
      // At most 64 in flight: a loopback UDP socket whose buffer is full drops silently.
      if (next < kPackets && next - received.size() < 64) {
        const auto packet = rtp_packet(next);
        if (seat.hand_off(packet, packet.size(), route_from(from, to))) ++next;
      }
      for (auto& datagram : to.drain_bytes()) received.push_back(std::move(datagram));
    }
    seat.reset();  // retired through the ring; the consumer frees the lane on its thread
    ASSERT_EQ(received.size(), kPackets);
    auto inbound = session(srtp::SrtpDirection::Inbound);
    for (std::size_t i = 0; i < kPackets; ++i) {
      auto bytes = received[i];
      const auto plain = inbound.unprotect_rtp(bytes, bytes.size());
      ASSERT_TRUE(plain.has_value()) << i;
      bytes.resize(*plain);
      ASSERT_EQ(bytes, rtp_packet(static_cast<std::uint16_t>(i))) << i;
    }
    loop.post([&] { consumer.detach(); });
    loop.stop();
  }
  EXPECT_EQ(producer.counters().handed_off.get(), kPackets);
  EXPECT_EQ(consumer.counters().sent_for_others.get(), kPackets);
}

}  // namespace
}  // namespace rrtc::engine
