// The structural check before usrsctp (sctp/packet_check.hpp). The INIT whose zero-length
// parameter made Debian's usrsctp 0.9.5 loop forever is replayed from the fuzz corpus
// (fuzz/corpus/sctp_input/timeout-usrsctp-initiate-ack-loop) by corpus_test.cpp.
#include "sctp/packet_check.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace rrtc::sctp {
namespace {

// Common header, then an INIT chunk (20 fixed bytes) with the given parameters.
std::vector<std::uint8_t> init_with(const std::vector<std::uint8_t>& parameters) {
  std::vector<std::uint8_t> packet = {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0};
  const std::size_t length = 20 + parameters.size();
  packet.insert(packet.end(), {1, 0, static_cast<std::uint8_t>(length >> 8),
                               static_cast<std::uint8_t>(length)});
  packet.insert(packet.end(), {0, 0, 0, 1, 0, 1, 0, 0, 0, 8, 0, 8, 0, 0, 0, 1});
  packet.insert(packet.end(), parameters.begin(), parameters.end());
  return packet;
}

TEST(SctpPacketCheck, WellFormedInitPasses) {
  // Supported extensions (0x8008, length 6, padded) and forward-TSN supported (0xc000, 4).
  EXPECT_TRUE(well_formed_packet(init_with({0x80, 0x08, 0, 6, 0x82, 0xc0, 0, 0, 0xc0, 0, 0, 4})));
  EXPECT_TRUE(well_formed_packet(init_with({})));
}

TEST(SctpPacketCheck, ParameterShorterThanItsHeaderIsRefused) {
  EXPECT_FALSE(well_formed_packet(init_with({0x80, 0x08, 0, 0, 0xc0, 0, 0, 4})));
  EXPECT_FALSE(well_formed_packet(init_with({0x80, 0x08, 0, 2})));
}

TEST(SctpPacketCheck, ParameterOrChunkPastItsEndIsRefused) {
  EXPECT_FALSE(well_formed_packet(init_with({0x80, 0x08, 0, 40, 0, 0, 0, 0})));
  EXPECT_FALSE(well_formed_packet(init_with({0x80, 0x08})));
  std::vector<std::uint8_t> data_chunk = {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 3, 0x1e, 0xa7, 0, 0, 0, 0};
  EXPECT_FALSE(well_formed_packet(data_chunk));
  data_chunk[15] = 8;
  data_chunk[14] = 0;
  EXPECT_TRUE(well_formed_packet(data_chunk));
  EXPECT_FALSE(well_formed_packet(std::vector<std::uint8_t>(12, 0)));
}

}  // namespace
}  // namespace rrtc::sctp
