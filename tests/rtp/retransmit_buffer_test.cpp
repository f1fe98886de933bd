#include "rtp/retransmit_buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/packet_builder.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;
using std::chrono::microseconds;
using std::chrono::milliseconds;

Bytes make_packet(std::uint16_t seq, std::size_t payload_size = 100) {
  const Bytes payload(payload_size, static_cast<std::uint8_t>(seq));
  PacketBuilder builder;
  builder.set_payload_type(96).set_sequence_number(seq).set_ssrc(0x1234).set_payload(payload);
  Bytes out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

TEST(RetransmitBuffer, ReturnsStoredCopies) {
  RetransmitBuffer buffer(16, milliseconds(1000));
  for (std::uint16_t seq = 100; seq < 110; ++seq) {
    Bytes packet = make_packet(seq);
    ASSERT_TRUE(buffer.store(packet, microseconds(0)));
    packet.assign(packet.size(), 0);  // the buffer holds its own copy
  }
  for (std::uint16_t seq = 100; seq < 110; ++seq) {
    const auto got = buffer.get(seq, microseconds(0));
    ASSERT_TRUE(got) << seq;
    EXPECT_EQ(Bytes(got->begin(), got->end()), make_packet(seq));
  }
  EXPECT_FALSE(buffer.get(110, microseconds(0)));
  EXPECT_FALSE(buffer.get(99, microseconds(0)));
  EXPECT_EQ(buffer.size(microseconds(0)), 10u);
}

TEST(RetransmitBuffer, BoundedInPackets) {
  RetransmitBuffer buffer(4, milliseconds(1000));
  for (std::uint16_t seq = 0; seq < 10; ++seq)
    ASSERT_TRUE(buffer.store(make_packet(seq), microseconds(0)));
  for (std::uint16_t seq = 0; seq < 6; ++seq) EXPECT_FALSE(buffer.get(seq, microseconds(0))) << seq;
  for (std::uint16_t seq = 6; seq < 10; ++seq) EXPECT_TRUE(buffer.get(seq, microseconds(0))) << seq;
  EXPECT_EQ(buffer.size(microseconds(0)), 4u);
  // Older than the ring can hold: refused rather than evicting a newer packet.
  EXPECT_FALSE(buffer.store(make_packet(5), microseconds(0)));
  EXPECT_TRUE(buffer.get(9, microseconds(0)));
}

TEST(RetransmitBuffer, BoundedInTime) {
  RetransmitBuffer buffer(16, milliseconds(500));
  ASSERT_TRUE(buffer.store(make_packet(1), milliseconds(0)));
  ASSERT_TRUE(buffer.store(make_packet(2), milliseconds(300)));
  EXPECT_TRUE(buffer.get(1, milliseconds(500)));
  EXPECT_FALSE(buffer.get(1, milliseconds(501)));
  EXPECT_TRUE(buffer.get(2, milliseconds(800)));
  EXPECT_EQ(buffer.size(milliseconds(600)), 1u);
}

TEST(RetransmitBuffer, AcrossSequenceWrap) {
  RetransmitBuffer buffer(8, milliseconds(1000));
  for (std::uint16_t seq : {65533, 65534, 65535, 0, 1, 2}) {
    ASSERT_TRUE(buffer.store(make_packet(seq), microseconds(0)));
  }
  for (std::uint16_t seq : {65533, 65534, 65535, 0, 1, 2}) {
    const auto got = buffer.get(seq, microseconds(0));
    ASSERT_TRUE(got) << seq;
    EXPECT_EQ((*got)[2] << 8 | (*got)[3], seq);
  }
}

TEST(RetransmitBuffer, OutOfOrderStoreWithinWindow) {
  RetransmitBuffer buffer(8, milliseconds(1000));
  ASSERT_TRUE(buffer.store(make_packet(10), microseconds(0)));
  ASSERT_TRUE(buffer.store(make_packet(8), microseconds(0)));
  EXPECT_TRUE(buffer.get(8, microseconds(0)));
  EXPECT_TRUE(buffer.get(10, microseconds(0)));
  EXPECT_FALSE(buffer.get(9, microseconds(0)));
}

TEST(RetransmitBuffer, RefusesPacketsThatDoNotFit) {
  RetransmitBuffer buffer(4, milliseconds(1000), 200);
  EXPECT_FALSE(buffer.store(make_packet(1, 300), microseconds(0)));
  const Bytes short_packet(11, 0x80);
  EXPECT_FALSE(buffer.store(short_packet, microseconds(0)));
  EXPECT_FALSE(buffer.get(1, microseconds(0)));
  EXPECT_EQ(buffer.size(microseconds(0)), 0u);
}

}  // namespace
}  // namespace rrtc::rtp
