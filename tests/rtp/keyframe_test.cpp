#include "rtp/keyframe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtp/hex_fixture.hpp"
#include "rtp/packet.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct CapturedCase {
  const char* fixture;
  VideoCodec codec;
  bool key;
};

class CapturedKeyframe : public ::testing::TestWithParam<CapturedCase> {};

TEST_P(CapturedKeyframe, ProbeMatchesAnnotation) {
  Bytes bytes = test::load_hex_fixture(std::string("rtp/") + GetParam().fixture + ".hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(is_keyframe(GetParam().codec, packet->payload()), GetParam().key);
}

INSTANTIATE_TEST_SUITE_P(
    Aiortc, CapturedKeyframe,
    ::testing::Values(CapturedCase{"vp8_key_frame_start", VideoCodec::kVp8, true},
                      CapturedCase{"vp8_delta_frame_start", VideoCodec::kVp8, false},
                      CapturedCase{"vp8_continuation", VideoCodec::kVp8, false},
                      CapturedCase{"h264_stap_a", VideoCodec::kH264, true},
                      CapturedCase{"h264_fu_a_idr_start", VideoCodec::kH264, true},
                      CapturedCase{"h264_fu_a_non_idr_start", VideoCodec::kH264, false},
                      CapturedCase{"h264_single_non_idr", VideoCodec::kH264, false}),
    [](const auto& info) { return std::string(info.param.fixture); });

struct HexCase {
  const char* name;
  VideoCodec codec;
  const char* hex;
  bool key;
};

class HandBuiltKeyframe : public ::testing::TestWithParam<HexCase> {};

TEST_P(HandBuiltKeyframe, ProbeAnswers) {
  const Bytes payload = test::parse_hex(GetParam().hex);
  EXPECT_EQ(is_keyframe(GetParam().codec, payload), GetParam().key);
}

// Payload headers written from RFC 7741, RFC 9628 (VP9), RFC 6184 and the AV1 RTP spec.
INSTANTIATE_TEST_SUITE_P(
    Spec, HandBuiltKeyframe,
    ::testing::Values(
        HexCase{"vp8_minimal_key", VideoCodec::kVp8, "10 50 2f 00 9d 01 2a 80 02 e0 01", true},
        HexCase{"vp8_key_with_extensions", VideoCodec::kVp8,
                "90 f0 81 23 05 40 50 2f 00 9d 01 2a 80 02", true},  // I(M),L,T present
        HexCase{"vp8_not_partition_0", VideoCodec::kVp8, "11 50 2f 00 9d 01 2a", false},
        HexCase{"vp8_not_start", VideoCodec::kVp8, "00 50 2f 00 9d 01 2a", false},
        HexCase{"vp8_bad_start_code", VideoCodec::kVp8, "10 50 2f 00 9d 01 2b", false},
        HexCase{"vp8_truncated_descriptor", VideoCodec::kVp8, "90 80", false},
        HexCase{"vp8_empty", VideoCodec::kVp8, "", false},
        HexCase{"vp9_non_flexible_key_with_ss", VideoCodec::kVp9,
                "8e 80 01 18 01 40 00 f0 01 00 82 49 83 42 00", true},
        HexCase{"vp9_inter_predicted", VideoCodec::kVp9, "c8 80 02 86", false},
        HexCase{"vp9_header_says_inter", VideoCodec::kVp9, "08 86", false},
        HexCase{"vp9_header_says_key", VideoCodec::kVp9, "08 82 49 83 42", true},
        HexCase{"vp9_descriptor_only", VideoCodec::kVp9, "08", true},
        HexCase{"vp9_show_existing_frame", VideoCodec::kVp9, "08 88", false},
        HexCase{"vp9_spatial_layer_1", VideoCodec::kVp9, "28 02 00 82", false},
        HexCase{"vp9_spatial_layer_0", VideoCodec::kVp9, "28 00 00 82", true},
        HexCase{"vp9_flexible_key", VideoCodec::kVp9, "98 05 82", true},
        HexCase{"vp9_not_start_of_frame", VideoCodec::kVp9, "80 05 82", false},
        HexCase{"vp9_truncated_picture_id", VideoCodec::kVp9, "8e 80", false},
        HexCase{"vp9_truncated_ss", VideoCodec::kVp9, "8e 05 18 01 40", false},
        HexCase{"h264_single_idr", VideoCodec::kH264, "65 88 84", true},
        HexCase{"h264_single_sps", VideoCodec::kH264, "67 42 c0 1f", true},
        HexCase{"h264_single_slice", VideoCodec::kH264, "41 9a", false},
        HexCase{"h264_stap_a_pps_then_idr", VideoCodec::kH264, "78 00 02 68 ce 00 02 65 88", true},
        HexCase{"h264_stap_a_size_past_end", VideoCodec::kH264, "78 00 09 67 42", false},
        HexCase{"h264_stap_a_zero_size", VideoCodec::kH264, "78 00 00 65", false},
        HexCase{"h264_fu_a_idr_end_only", VideoCodec::kH264, "7c 45 aa", false},
        HexCase{"h264_fu_a_truncated", VideoCodec::kH264, "7c", false},
        HexCase{"av1_new_sequence_bit", VideoCodec::kAv1, "18 32 00", true},
        HexCase{"av1_sequence_header_w1", VideoCodec::kAv1, "10 08 00 00 00", true},
        HexCase{"av1_td_then_sequence_header_w2", VideoCodec::kAv1, "20 02 10 00 08 00", true},
        HexCase{"av1_lengths_w0", VideoCodec::kAv1, "00 01 10 02 08 00", true},
        HexCase{"av1_continuation_not_header", VideoCodec::kAv1, "90 08 00", false},
        HexCase{"av1_frame_obu", VideoCodec::kAv1, "10 32 00 11", false},
        HexCase{"av1_truncated_leb128", VideoCodec::kAv1, "00 85", false},
        HexCase{"av1_length_past_end", VideoCodec::kAv1, "00 05 08", false},
        HexCase{"av1_empty", VideoCodec::kAv1, "", false}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace rrtc::rtp
