#include "rtp/demux.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/hex_fixture.hpp"

namespace rrtc::rtp {
namespace {

TEST(Demux, FirstByteRangesOfRfc7983) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    PacketKind kind;
  };
  const Case cases[] = {
      {{}, PacketKind::kUnknown},
      {{0x00, 0x01}, PacketKind::kStun},  // binding request
      {{0x01, 0x01}, PacketKind::kStun},  // binding success
      {{0x03}, PacketKind::kStun},
      {{0x04}, PacketKind::kUnknown},
      {{0x10}, PacketKind::kUnknown},           // ZRTP
      {{0x14, 0xfe}, PacketKind::kDtls},        // change cipher spec
      {{0x16, 0xfe, 0xfd}, PacketKind::kDtls},  // handshake
      {{0x3f}, PacketKind::kDtls},
      {{0x40}, PacketKind::kUnknown},  // TURN channel
      {{0x7f, 0x00}, PacketKind::kUnknown},
      {{0x80}, PacketKind::kUnknown},  // cannot tell RTP from RTCP
      {{0x80, 0x60}, PacketKind::kRtp},
      {{0x80, 0xe0}, PacketKind::kRtp},   // PT 96 with marker
      {{0x80, 0xbf}, PacketKind::kRtp},   // 191
      {{0x80, 0xc0}, PacketKind::kRtcp},  // 192
      {{0x80, 0xc8}, PacketKind::kRtcp},  // SR
      {{0x8f, 0xce}, PacketKind::kRtcp},  // PSFB
      {{0x80, 0xdf}, PacketKind::kRtcp},  // 223
      {{0x80, 0xe1}, PacketKind::kRtp},   // 224: PT 97 with marker
      {{0xbf, 0xc9}, PacketKind::kRtcp},
      {{0xc0, 0xc9}, PacketKind::kUnknown},
      {{0xff}, PacketKind::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify(c.bytes), c.kind)
        << to_string(c.kind) << " for first byte " << (c.bytes.empty() ? -1 : c.bytes[0]);
  }
}

TEST(Demux, CapturedPackets) {
  EXPECT_EQ(classify(test::load_hex_fixture("rtp/opus_audio_level.hex")), PacketKind::kRtp);
  EXPECT_EQ(classify(test::load_hex_fixture("rtp/vp8_rtx.hex")), PacketKind::kRtp);
  EXPECT_EQ(classify(test::load_hex_fixture("rtcp/sr_compound.hex")), PacketKind::kRtcp);
  EXPECT_EQ(classify(test::load_hex_fixture("rtcp/remb_compound.hex")), PacketKind::kRtcp);
}

}  // namespace
}  // namespace rrtc::rtp
