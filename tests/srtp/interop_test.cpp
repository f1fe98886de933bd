// srtp::SrtpSession against libsrtp2 (the reference): the same plaintext protected by both must
// give the same bytes, each must unprotect the other's packets, and both receivers must take the
// same decision (accept, replay, authentication failure) on the same packet stream.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "srtp/packets.hpp"
#include "srtp/reference.hpp"
#include "srtp/session.hpp"

namespace rrtc::srtp {
namespace {

using testing::master_for;
using testing::ReferenceSrtp;
using testing::RtpShape;
using Bytes = std::vector<std::uint8_t>;

// What a receiver decided, in SrtpError terms (the mapping SrtpSession used over libsrtp2).
SrtpError verdict(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_ok:
      return SrtpError::Ok;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return SrtpError::Replay;
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:
      return SrtpError::AuthFailure;
    default:
      return SrtpError::Failure;
  }
}

SrtpError verdict(const boost::system::result<std::size_t>& result) {
  return result ? SrtpError::Ok : static_cast<SrtpError>(result.error().value());
}

std::string describe(const Bytes& packet) {
  std::string text;
  for (std::size_t i = 0; i < packet.size() && i < 16; ++i) text += std::to_string(packet[i]) + " ";
  return text + "(" + std::to_string(packet.size()) + " octets)";
}

// Where the E+SRTCP index word sits: before the 10-octet HMAC tag (RFC 3711), or after the
// 16-octet GCM tag (RFC 7714 section 9).
std::size_t sender_index_offset(SrtpProfile profile, std::size_t size) {
  return profile == SrtpProfile::AeadAes128Gcm ? size - 4 : size - 14;
}

struct Endpoints {
  explicit Endpoints(SrtpProfile profile)
      : master(master_for(profile, 0x21)),
        ours_out(SrtpSession::create(profile, master, SrtpDirection::Outbound).value()),
        ours_in(SrtpSession::create(profile, master, SrtpDirection::Inbound).value()),
        ref_out(profile, master, SrtpDirection::Outbound),
        ref_in(profile, master, SrtpDirection::Inbound) {}

  // Protects `plain` with both senders; they must agree on success and bytes.
  Bytes protect(const Bytes& plain, bool rtcp = false) {
    Bytes ours(plain);
    ours.resize(plain.size() + kMaxSrtcpOverhead);
    auto length =
        rtcp ? ours_out.protect_rtcp(ours, plain.size()) : ours_out.protect_rtp(ours, plain.size());
    auto reference = rtcp ? ref_out.protect_rtcp(plain) : ref_out.protect_rtp(plain);
    EXPECT_EQ(length.has_value(), reference.has_value()) << describe(plain);
    if (!length || !reference) return {};
    ours.resize(*length);
    EXPECT_EQ(ours, *reference) << describe(plain);
    return ours;
  }

  // Unprotects `packet` with both receivers; they must decide alike and agree on the plaintext.
  SrtpError unprotect(const Bytes& packet, bool rtcp = false) {
    Bytes ours(packet);
    auto length =
        rtcp ? ours_in.unprotect_rtcp(ours, ours.size()) : ours_in.unprotect_rtp(ours, ours.size());
    auto reference = rtcp ? ref_in.unprotect_rtcp(packet) : ref_in.unprotect_rtp(packet);
    const SrtpError expected = reference ? SrtpError::Ok : verdict(ref_in.last_status());
    EXPECT_EQ(verdict(length), expected) << describe(packet);
    if (length && reference) {
      ours.resize(*length);
      EXPECT_EQ(ours, *reference);
    }
    return verdict(length);
  }

  Bytes master;
  SrtpSession ours_out;
  SrtpSession ours_in;
  ReferenceSrtp ref_out;
  ReferenceSrtp ref_in;
};

class SrtpInteropTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpInteropTest, RtpShapesAndSizesMatchByteForByte) {
  Endpoints ends(GetParam());
  ASSERT_TRUE(ends.ref_out.valid() && ends.ref_in.valid());
  std::uint16_t sequence = 65500;  // rolls over during the run
  for (const std::size_t csrcs : {0, 1, 15}) {
    for (const auto extension :
         {testing::Extension::None, testing::Extension::OneByte, testing::Extension::TwoByte}) {
      for (const std::size_t padding : {0, 1, 7}) {
        for (const std::size_t payload : {0, 1, 15, 16, 17, 160, 1199, 1400}) {
          const RtpShape shape{csrcs, extension, padding, payload};
          const Bytes plain = testing::rtp(0x1234abcd, sequence++, shape);
          const Bytes packet = ends.protect(plain);
          ASSERT_FALSE(packet.empty());
          ASSERT_EQ(ends.unprotect(packet), SrtpError::Ok);
        }
      }
    }
  }
}

TEST_P(SrtpInteropTest, ReferenceProtectsOursUnprotectsAndBack) {
  Endpoints ends(GetParam());
  SrtpSession ours_in2 =
      SrtpSession::create(GetParam(), ends.master, SrtpDirection::Inbound).value();
  ReferenceSrtp ref_in2(GetParam(), ends.master, SrtpDirection::Inbound);
  for (std::uint16_t sequence = 65530; sequence != 40; ++sequence) {
    const Bytes plain = testing::rtp(7, sequence, {2, testing::Extension::OneByte, 0, 300});
    auto reference = ends.ref_out.protect_rtp(plain);
    ASSERT_TRUE(reference.has_value());
    Bytes copy = *reference;
    auto length = ours_in2.unprotect_rtp(copy, copy.size());
    ASSERT_TRUE(length.has_value()) << length.error().message();
    copy.resize(*length);
    EXPECT_EQ(copy, plain);

    Bytes ours(plain);
    ours.resize(plain.size() + kMaxSrtpOverhead);
    ours.resize(ends.ours_out.protect_rtp(ours, plain.size()).value());
    auto back = ref_in2.unprotect_rtp(ours);
    ASSERT_TRUE(back.has_value()) << ref_in2.last_status();
    EXPECT_EQ(*back, plain);
  }
}

// Sequence numbers around the rollover, a NACK resend of a number from before it, jumps of about
// half the sequence space both ways, and old packets delivered late: both implementations must
// pick the same index (same bytes) and the same receiver verdicts.
TEST_P(SrtpInteropTest, IndexEstimationAndReplayAgree) {
  Endpoints ends(GetParam());
  const std::vector<std::uint16_t> sent{65533, 65534, 65535, 0,     1,     2,     65534, 3,
                                        32000, 32001, 64000, 100,   32767, 65535, 200,   32768,
                                        40000, 7000,  7001,  39999, 39000, 50,    60000, 61000};
  std::vector<Bytes> packets;
  std::size_t refused = 0;
  for (const std::uint16_t sequence : sent) {
    packets.push_back(
        ends.protect(testing::rtp(99, sequence, {0, testing::Extension::None, 0, 40})));
    if (packets.back().empty()) ++refused;
  }
  // 39999 (just after 7000 moved into the next ROC), 60000 and 61000 (after 50 did) are guessed
  // into the previous ROC, more than a window behind: both senders refuse them.
  EXPECT_EQ(refused, 3u);
  std::erase_if(packets, [](const Bytes& packet) { return packet.empty(); });
  // Delivered in order, then again (all replays or too old), then a few out of order.
  for (const auto& packet : packets) ends.unprotect(packet);
  for (const auto& packet : packets) EXPECT_NE(ends.unprotect(packet), SrtpError::Ok);
  Endpoints late(GetParam());
  for (const std::size_t at : {5, 3, 9, 0, 12, 8, 11, 10, 19, 14, 13, 17, 16, 15}) {
    late.unprotect(packets[at]);
  }
}

TEST_P(SrtpInteropTest, RepeatedProtectGivesTheSameBytes) {
  Endpoints ends(GetParam());
  const Bytes plain = testing::rtp(5, 65535, {});
  const Bytes first = ends.protect(plain);
  for (std::uint16_t sequence = 0; sequence < 300; ++sequence)
    ends.protect(testing::rtp(5, sequence, {}));
  EXPECT_EQ(ends.protect(plain), first);  // the resend is still in ROC 0
}

TEST_P(SrtpInteropTest, ProtectFarBehindIsRejectedLikeTheReference) {
  Endpoints ends(GetParam());
  ends.protect(testing::rtp(5, 100, {}));
  ends.protect(testing::rtp(5, 100 + 4095, {}));
  EXPECT_FALSE(ends.protect(testing::rtp(5, 100, {})).empty());  // 4095 behind: still allowed
  ends.protect(testing::rtp(5, 100 + 4096, {}));
  EXPECT_TRUE(ends.protect(testing::rtp(5, 100, {})).empty());  // 4096 behind: both refuse
  Bytes plain = testing::rtp(5, 100, {});
  plain.resize(plain.size() + kMaxSrtpOverhead);
  EXPECT_EQ(ends.ours_out.protect_rtp(plain, plain.size() - kMaxSrtpOverhead).error(),
            SrtpError::Replay);
}

TEST_P(SrtpInteropTest, ReplayWindowEdges) {
  Endpoints ends(GetParam());
  std::vector<Bytes> packets;
  for (const std::uint16_t sequence : {10, 10 + 4095, 10 + 4096, 11, 12, 10 + 4097, 13})
    packets.push_back(ends.protect(testing::rtp(3, sequence, {})));
  EXPECT_EQ(ends.unprotect(packets[1]), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets[0]), SrtpError::Ok);  // 4095 behind: inside
  EXPECT_EQ(ends.unprotect(packets[2]), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets[3]), SrtpError::Ok);  // 4095 behind the new highest
  EXPECT_EQ(ends.unprotect(packets[4]), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets[5]), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets[6]), SrtpError::Ok);      // 4094 behind
  EXPECT_EQ(ends.unprotect(packets[3]), SrtpError::Replay);  // now 4096 behind: too old
}

TEST_P(SrtpInteropTest, InterleavedSsrcsKeepTheirOwnState) {
  Endpoints ends(GetParam());
  for (std::uint32_t round = 0; round < 200; ++round) {
    for (std::uint32_t ssrc = 1; ssrc <= 40; ++ssrc) {
      const auto sequence = static_cast<std::uint16_t>(65400 + round * ssrc);
      const Bytes packet = ends.protect(testing::rtp(ssrc * 0x01000193U, sequence, {0, {}, 0, 20}));
      ASSERT_EQ(ends.unprotect(packet), SrtpError::Ok) << ssrc << " " << sequence;
    }
  }
}

TEST_P(SrtpInteropTest, RtcpCompoundMatchesAndReplaysAreRejected) {
  Endpoints ends(GetParam());
  std::vector<Bytes> packets;
  for (std::uint32_t count = 0; count < 300; ++count) {
    for (const std::uint32_t ssrc : {0x11111111U, 0x22222222U}) {
      packets.push_back(ends.protect(testing::rtcp_compound(ssrc, count), true));
      ASSERT_FALSE(packets.back().empty());
    }
  }
  // In order, then the first 100 again (beyond the 128-packet SRTCP window: too old), and a
  // late one inside it.
  for (std::size_t i = 0; i + 10 < packets.size(); ++i) {
    ASSERT_EQ(ends.unprotect(packets[i], true), SrtpError::Ok) << i;
  }
  for (std::size_t i = 0; i < 100; ++i)
    EXPECT_EQ(ends.unprotect(packets[i], true), SrtpError::Replay);
  EXPECT_EQ(ends.unprotect(packets.back(), true), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets[packets.size() - 4], true), SrtpError::Ok);
  EXPECT_EQ(ends.unprotect(packets.back(), true), SrtpError::Replay);
}

TEST_P(SrtpInteropTest, RtcpFromTheReferenceUnprotects) {
  Endpoints ends(GetParam());
  for (std::uint32_t count = 0; count < 20; ++count) {
    const Bytes plain = testing::rtcp_compound(0xabcdef01U, count);
    auto packet = ends.ref_out.protect_rtcp(plain);
    ASSERT_TRUE(packet.has_value());
    Bytes copy = *packet;
    auto length = ends.ours_in.unprotect_rtcp(copy, copy.size());
    ASSERT_TRUE(length.has_value()) << length.error().message();
    copy.resize(*length);
    EXPECT_EQ(copy, plain);
  }
}

TEST_P(SrtpInteropTest, RtcpWithoutEncryptionFlagIsAuthenticatedOnly) {
  const Bytes master = master_for(GetParam(), 0x33);
  ReferenceSrtp sender(GetParam(), master, SrtpDirection::Outbound, true);
  auto receiver = SrtpSession::create(GetParam(), master, SrtpDirection::Inbound).value();
  const Bytes plain = testing::rtcp_compound(0x0badcafe, 3);
  auto packet = sender.protect_rtcp(plain);
  ASSERT_TRUE(packet.has_value());
  ASSERT_TRUE(std::equal(plain.begin(), plain.end(), packet->begin()));  // sent in the clear
  EXPECT_EQ((*packet)[sender_index_offset(GetParam(), packet->size())] & 0x80, 0);  // E = 0
  Bytes copy = *packet;
  auto length = receiver.unprotect_rtcp(copy, copy.size());
  ASSERT_TRUE(length.has_value()) << length.error().message();
  copy.resize(*length);
  EXPECT_EQ(copy, plain);
  auto next = sender.protect_rtcp(plain);  // SRTCP index 2: not yet seen
  ASSERT_TRUE(next.has_value());
  Bytes tampered = *next;
  tampered[20] ^= 1;
  EXPECT_EQ(receiver.unprotect_rtcp(tampered, tampered.size()).error(), SrtpError::AuthFailure);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpInteropTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm,
                                           SrtpProfile::AesCm128HmacSha1_80),
                         [](const ::testing::TestParamInfo<SrtpProfile>& info) {
                           return testing::profile_name(info.param);
                         });

}  // namespace
}  // namespace rrtc::srtp
