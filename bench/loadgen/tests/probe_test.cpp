#include "probe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtp/keyframe.hpp"

namespace rrtc::loadgen {
namespace {

TEST(Probe, RoundTripsAtTheEndOfThePayload) {
  std::vector<std::uint8_t> payload(100, 0);
  const Probe probe{7, StreamKind::video, 123456789012ULL, 987654321098765ULL};
  ASSERT_TRUE(write_probe(payload, probe));
  EXPECT_EQ(read_probe(payload), probe);
  // Anything prepended (an RTX original sequence number) does not move it.
  std::vector<std::uint8_t> longer(2, 0xff);
  longer.insert(longer.end(), payload.begin(), payload.end());
  EXPECT_EQ(read_probe(longer), probe);
}

TEST(Probe, CarriesTheSimulcastLayerAndRejectsAnUnknownOne) {
  std::vector<std::uint8_t> payload(64, 0);
  const Probe probe{3, StreamKind::video, 99, 1234, 2};
  ASSERT_TRUE(write_probe(payload, probe));
  EXPECT_EQ(read_probe(payload), probe);
  EXPECT_EQ(payload[payload.size() - kProbeSize + 9], 2);
  payload[payload.size() - kProbeSize + 9] = kMaxLayers;
  EXPECT_FALSE(read_probe(payload));
}

TEST(Vp8Payload, LayeredDescriptorCarriesTl0picidxTidAndTheKeyFrameSize) {
  std::vector<std::uint8_t> payload(200, 0);
  Vp8PacketShape shape{true, true, 0x0102, true, 77, 2, true, 5, 1280, 720};
  EXPECT_EQ(write_vp8_payload(payload, shape), kVp8LayeredDescriptorSize + kVp8FrameHeaderSize);
  EXPECT_EQ(payload[0], 0x90);  // X, S
  EXPECT_EQ(payload[1], 0xf0);  // I, L, T, K
  EXPECT_EQ(payload[2], 0x81);  // M + picture id high
  EXPECT_EQ(payload[3], 0x02);
  EXPECT_EQ(payload[4], 77);                   // TL0PICIDX
  EXPECT_EQ(payload[5], (2 << 6) | 0x20 | 5);  // TID 2, Y, KEYIDX 5
  ASSERT_TRUE(write_probe(payload, Probe{1, StreamKind::video, 5, 6}));
  EXPECT_TRUE(rtp::is_vp8_keyframe(payload));
  const std::uint8_t* f = payload.data() + kVp8LayeredDescriptorSize;
  EXPECT_EQ(f[6] | (f[7] << 8), 1280);
  EXPECT_EQ(f[8] | (f[9] << 8), 720);
}

TEST(Probe, RejectsShortWrongMagicAndUnknownStream) {
  std::vector<std::uint8_t> payload(kProbeSize - 1, 0);
  EXPECT_FALSE(write_probe(payload, Probe{}));
  EXPECT_FALSE(read_probe(payload));
  std::vector<std::uint8_t> zeros(64, 0);
  EXPECT_FALSE(read_probe(zeros));
  std::vector<std::uint8_t> ok(64, 0);
  ASSERT_TRUE(write_probe(ok, Probe{1, StreamKind::audio, 1, 1}));
  ok[ok.size() - kProbeSize + 8] = 2;  // stream kind out of range
  EXPECT_FALSE(read_probe(ok));
}

struct Vp8Case {
  bool start;
  bool key;
  bool keyframe_probe;
};

class Vp8Payload : public ::testing::TestWithParam<Vp8Case> {};

TEST_P(Vp8Payload, KeyFrameProbeAgrees) {
  const auto c = GetParam();
  std::vector<std::uint8_t> payload(200, 0);
  const auto header = write_vp8_payload(payload, Vp8PacketShape{c.start, c.key, 0x1234});
  EXPECT_EQ(header, kVp8DescriptorSize + (c.start ? kVp8FrameHeaderSize : 0));
  ASSERT_TRUE(write_probe(payload, Probe{1, StreamKind::video, 5, 6}));
  EXPECT_EQ(rtp::is_vp8_keyframe(payload), c.keyframe_probe);
  EXPECT_EQ(payload[0] & 0x10, c.start ? 0x10 : 0);  // S bit
  EXPECT_EQ(((payload[2] & 0x7f) << 8) | payload[3], 0x1234);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Vp8Payload,
                         ::testing::Values(Vp8Case{true, true, true}, Vp8Case{true, false, false},
                                           Vp8Case{false, true, false},
                                           Vp8Case{false, false, false}),
                         [](const ::testing::TestParamInfo<Vp8Case>& info) {
                           return std::string(info.param.start ? "Start" : "Continuation") +
                                  (info.param.key ? "OfKeyFrame" : "OfDeltaFrame");
                         });

TEST(Vp8Payload, RefusesPayloadsWithoutRoomForHeaderAndProbe) {
  std::vector<std::uint8_t> payload(kVp8DescriptorSize + kVp8FrameHeaderSize + kProbeSize - 1);
  EXPECT_EQ(write_vp8_payload(payload, Vp8PacketShape{true, true, 0}), 0u);
}

}  // namespace
}  // namespace rrtc::loadgen
