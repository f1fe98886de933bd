// srtp::SrtpSession under hostile input: every single-bit change is rejected, failed packets
// change no state (neither ROC, replay window nor the SSRC table), and the number of SSRCs a
// session tracks is bounded.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "srtp/packets.hpp"
#include "srtp/session.hpp"

namespace rrtc::srtp {
namespace {

using testing::master_for;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kSsrcLimit = 256;  // documented in srtp_session.hpp

struct Pair {
  explicit Pair(SrtpProfile profile, std::uint8_t receiver_seed = 9)
      : sender(
            SrtpSession::create(profile, master_for(profile, 9), SrtpDirection::Outbound).value()),
        receiver(
            SrtpSession::create(profile, master_for(profile, receiver_seed), SrtpDirection::Inbound)
                .value()) {}

  Bytes protect(const Bytes& plain, bool rtcp = false) {
    Bytes buffer(plain);
    buffer.resize(plain.size() + kMaxSrtcpOverhead);
    auto length =
        rtcp ? sender.protect_rtcp(buffer, plain.size()) : sender.protect_rtp(buffer, plain.size());
    EXPECT_TRUE(length.has_value());
    buffer.resize(length ? *length : 0);
    return buffer;
  }

  boost::system::result<std::size_t> unprotect(Bytes packet, bool rtcp = false) {
    return rtcp ? receiver.unprotect_rtcp(packet, packet.size())
                : receiver.unprotect_rtp(packet, packet.size());
  }

  SrtpSession sender;
  SrtpSession receiver;
};

class SrtpGuardTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpGuardTest, EverySingleBitFlipIsRejectedAndLeavesNoTrace) {
  for (const bool rtcp : {false, true}) {
    Pair pair(GetParam());
    const Bytes plain =
        rtcp ? testing::rtcp_compound(0x0a0b0c0d, 1)
             : testing::rtp(0x0a0b0c0d, 65535, {1, testing::Extension::OneByte, 0, 24});
    const Bytes packet = pair.protect(plain, rtcp);
    for (std::size_t bit = 0; bit < packet.size() * 8; ++bit) {
      Bytes flipped = packet;
      flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      const auto result = pair.unprotect(flipped, rtcp);
      ASSERT_FALSE(result.has_value()) << (rtcp ? "rtcp" : "rtp") << " bit " << bit;
      EXPECT_TRUE(result.error() == SrtpError::AuthFailure ||
                  result.error() == SrtpError::BadLength)
          << "bit " << bit << ": " << result.error().message();
    }
    EXPECT_TRUE(pair.unprotect(packet, rtcp).has_value());
  }
}

TEST_P(SrtpGuardTest, WrongKeyIsRejectedForRtpAndRtcp) {
  Pair pair(GetParam(), 10);
  EXPECT_EQ(pair.unprotect(pair.protect(testing::rtp(1, 1))).error(), SrtpError::AuthFailure);
  EXPECT_EQ(pair.unprotect(pair.protect(testing::rtcp_compound(1, 1), true), true).error(),
            SrtpError::AuthFailure);
}

// A packet that looks like SRTP from `ssrc` but carries a made-up tag (and SRTCP index word).
Bytes forged(SrtpProfile profile, std::uint32_t ssrc, std::uint16_t sequence, bool rtcp) {
  Bytes packet = rtcp ? testing::rtcp_compound(ssrc, sequence) : testing::rtp(ssrc, sequence);
  if (rtcp) packet.insert(packet.end(), {0x80, 0, 0, static_cast<std::uint8_t>(sequence)});
  const std::size_t tag = profile == SrtpProfile::AeadAes128Gcm ? 16 : 10;
  for (std::size_t i = 0; i < tag; ++i) packet.push_back(static_cast<std::uint8_t>(i * 13 + ssrc));
  return packet;
}

// A forged packet far ahead must not move the window: if it did, the genuine packet right after
// the last one would count as too old, or would be decrypted with the wrong ROC.
TEST_P(SrtpGuardTest, ForgedPacketAheadDoesNotMoveTheWindowOrRoc) {
  Pair pair(GetParam());
  ASSERT_TRUE(pair.unprotect(pair.protect(testing::rtp(4, 10))).has_value());
  for (const std::uint16_t ahead : {5010, 40000, 9}) {
    EXPECT_EQ(pair.unprotect(forged(GetParam(), 4, ahead, false)).error(), SrtpError::AuthFailure);
  }
  EXPECT_TRUE(pair.unprotect(pair.protect(testing::rtp(4, 11))).has_value());
  EXPECT_TRUE(pair.unprotect(pair.protect(testing::rtp(4, 9))).has_value());  // not marked seen

  ASSERT_TRUE(pair.unprotect(pair.protect(testing::rtcp_compound(4, 1), true), true).has_value());
  EXPECT_EQ(pair.unprotect(forged(GetParam(), 4, 200, true), true).error(), SrtpError::AuthFailure);
  EXPECT_TRUE(pair.unprotect(pair.protect(testing::rtcp_compound(4, 2), true), true).has_value());
}

TEST_P(SrtpGuardTest, ForgedNewSsrcsUseNoSlots) {
  Pair pair(GetParam());
  for (std::uint32_t ssrc = 1; ssrc <= 3 * kSsrcLimit; ++ssrc) {
    ASSERT_EQ(pair.unprotect(forged(GetParam(), 0x70000000U + ssrc, 1, false)).error(),
              SrtpError::AuthFailure);
    ASSERT_EQ(pair.unprotect(forged(GetParam(), 0x70000000U + ssrc, 1, true), true).error(),
              SrtpError::AuthFailure);
  }
  // All slots are still free for genuine streams.
  for (std::uint32_t ssrc = 1; ssrc <= kSsrcLimit; ++ssrc) {
    ASSERT_TRUE(pair.unprotect(pair.protect(testing::rtp(ssrc, 1))).has_value()) << ssrc;
  }
}

TEST_P(SrtpGuardTest, SsrcCountIsBounded) {
  Pair pair(GetParam());
  for (std::uint32_t ssrc = 1; ssrc <= kSsrcLimit; ++ssrc) {
    const Bytes packet = pair.protect(testing::rtp(ssrc * 2654435761U, 1));
    ASSERT_TRUE(pair.unprotect(packet).has_value()) << ssrc;
  }
  // The sender is full too: a new SSRC cannot be protected.
  Bytes extra = testing::rtp(0xdeadbeef, 1);
  const std::size_t length = extra.size();
  extra.resize(length + kMaxSrtpOverhead);
  EXPECT_EQ(pair.sender.protect_rtp(extra, length).error(), SrtpError::Failure);
  Bytes extra_rtcp = testing::rtcp_compound(0xdeadbeef, 1);
  const std::size_t rtcp_length = extra_rtcp.size();
  extra_rtcp.resize(rtcp_length + kMaxSrtcpOverhead);
  EXPECT_EQ(pair.sender.protect_rtcp(extra_rtcp, rtcp_length).error(), SrtpError::Failure);

  // The receiver refuses a new SSRC (protected by a second sender), known ones keep working.
  auto other =
      SrtpSession::create(GetParam(), master_for(GetParam(), 9), SrtpDirection::Outbound).value();
  Bytes fresh = testing::rtp(0xdeadbeef, 1);
  fresh.resize(fresh.size() + kMaxSrtpOverhead);
  fresh.resize(other.protect_rtp(fresh, fresh.size() - kMaxSrtpOverhead).value());
  EXPECT_EQ(pair.unprotect(fresh).error(), SrtpError::Failure);
  EXPECT_TRUE(pair.unprotect(pair.protect(testing::rtp(2654435761U, 2))).has_value());
  EXPECT_TRUE(
      pair.unprotect(pair.protect(testing::rtcp_compound(2654435761U, 2), true), true).has_value());
}

TEST_P(SrtpGuardTest, WrongDirectionFails) {
  Pair pair(GetParam());
  Bytes plain = testing::rtp(1, 1);
  const std::size_t length = plain.size();
  plain.resize(length + kMaxSrtpOverhead);
  EXPECT_EQ(pair.receiver.protect_rtp(plain, length).error(), SrtpError::Failure);
  const Bytes packet = pair.protect(testing::rtp(1, 2));
  Bytes copy = packet;
  EXPECT_EQ(pair.sender.unprotect_rtp(copy, copy.size()).error(), SrtpError::Failure);
}

TEST_P(SrtpGuardTest, TruncatedAndLyingHeadersAreBadLength) {
  Pair pair(GetParam());
  const Bytes packet = pair.protect(testing::rtp(1, 1, {0, testing::Extension::TwoByte, 0, 0}));
  // The extension header claims 2 words; cut the packet so they no longer fit before the tag.
  Bytes cut(packet.begin(), packet.begin() + 12 + 4 + 4);
  cut.resize(cut.size() + (GetParam() == SrtpProfile::AeadAes128Gcm ? 16 : 10), 0);
  EXPECT_EQ(pair.unprotect(cut).error(), SrtpError::BadLength);
  Bytes lying = testing::rtp(1, 1, {0, testing::Extension::None, 0, 0});
  lying[0] |= 0x10;  // X set but no room for the extension preamble
  const std::size_t length = lying.size();
  lying.resize(length + kMaxSrtpOverhead);
  EXPECT_EQ(pair.sender.protect_rtp(lying, length).error(), SrtpError::BadLength);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpGuardTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm,
                                           SrtpProfile::AesCm128HmacSha1_80),
                         [](const ::testing::TestParamInfo<SrtpProfile>& info) {
                           return testing::profile_name(info.param);
                         });

}  // namespace
}  // namespace rrtc::srtp
