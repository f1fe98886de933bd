// srtp::SrtpSession: in-place protect/unprotect over libsrtp2, for both profiles.

#include "srtp/session.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace rrtc::srtp {
namespace {

std::vector<std::uint8_t> test_master(SrtpProfile profile, std::uint8_t seed) {
  std::vector<std::uint8_t> master(master_key_length(profile) + master_salt_length(profile));
  std::iota(master.begin(), master.end(), seed);
  return master;
}

// RFC 3550 section 5.1: V=2, PT 96, the given sequence number, timestamp and SSRC, then payload.
std::vector<std::uint8_t> rtp_packet(std::uint16_t sequence, std::size_t payload_size,
                                     std::uint32_t ssrc = 0x11223344) {
  std::vector<std::uint8_t> packet{0x80,
                                   96,
                                   static_cast<std::uint8_t>(sequence >> 8),
                                   static_cast<std::uint8_t>(sequence),
                                   0,
                                   0,
                                   0x10,
                                   0x00,
                                   static_cast<std::uint8_t>(ssrc >> 24),
                                   static_cast<std::uint8_t>(ssrc >> 16),
                                   static_cast<std::uint8_t>(ssrc >> 8),
                                   static_cast<std::uint8_t>(ssrc)};
  for (std::size_t i = 0; i < payload_size; ++i) packet.push_back(static_cast<std::uint8_t>(i * 7));
  return packet;
}

// RFC 3550 section 6.4.2: an empty receiver report from SSRC 0x11223344.
std::vector<std::uint8_t> rtcp_packet() { return {0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44}; }

struct Pair {
  SrtpSession sender;
  SrtpSession receiver;
};

Pair make_pair(SrtpProfile profile) {
  const auto master = test_master(profile, 7);
  auto sender = SrtpSession::create(profile, master, SrtpDirection::Outbound);
  auto receiver = SrtpSession::create(profile, master, SrtpDirection::Inbound);
  EXPECT_TRUE(sender.has_value());
  EXPECT_TRUE(receiver.has_value());
  return Pair{std::move(*sender), std::move(*receiver)};
}

// Protects `plain` into a buffer sized exactly for it plus the overhead (ASan sees any overrun).
std::vector<std::uint8_t> protect(SrtpSession& session, const std::vector<std::uint8_t>& plain,
                                  bool rtcp = false) {
  std::vector<std::uint8_t> buffer(plain);
  buffer.resize(plain.size() + (rtcp ? session.rtcp_overhead() : session.rtp_overhead()));
  auto length =
      rtcp ? session.protect_rtcp(buffer, plain.size()) : session.protect_rtp(buffer, plain.size());
  EXPECT_TRUE(length.has_value());
  if (!length) return {};
  buffer.resize(*length);
  return buffer;
}

boost::system::result<std::size_t> unprotect(SrtpSession& session, std::vector<std::uint8_t> packet,
                                             bool rtcp = false) {
  return rtcp ? session.unprotect_rtcp(packet, packet.size())
              : session.unprotect_rtp(packet, packet.size());
}

class SrtpSessionTest : public testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpSessionTest, RtpRoundTripInPlace) {
  auto [sender, receiver] = make_pair(GetParam());
  for (std::uint16_t sequence = 65530; sequence != 10; ++sequence) {  // across the rollover
    const auto plain = rtp_packet(sequence, 1188);
    auto packet = protect(sender, plain);
    ASSERT_EQ(packet.size(), plain.size() + (GetParam() == SrtpProfile::AeadAes128Gcm ? 16u : 10u));
    EXPECT_TRUE(
        std::equal(plain.begin(), plain.begin() + 12, packet.begin()));  // header stays clear
    EXPECT_FALSE(
        std::equal(plain.begin() + 12, plain.end(), packet.begin() + 12));  // payload does not
    auto length = receiver.unprotect_rtp(packet, packet.size());
    ASSERT_TRUE(length.has_value()) << length.error().message();
    packet.resize(*length);
    EXPECT_EQ(packet, plain);
  }
}

TEST_P(SrtpSessionTest, ReplayIsRejected) {
  auto [sender, receiver] = make_pair(GetParam());
  const auto packet = protect(sender, rtp_packet(1000, 100));
  ASSERT_TRUE(unprotect(receiver, packet).has_value());
  const auto again = unprotect(receiver, packet);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error(), SrtpError::Replay);
}

TEST_P(SrtpSessionTest, LateRetransmissionInsideTheWindowIsAccepted) {
  auto [sender, receiver] = make_pair(GetParam());
  const auto early = protect(sender, rtp_packet(1000, 100));
  const auto later = protect(sender, rtp_packet(3000, 100));
  // The sender may protect a sequence number again (allow_repeat_tx), e.g. to answer a NACK.
  const auto repeated = protect(sender, rtp_packet(1000, 100));
  ASSERT_FALSE(repeated.empty());
  ASSERT_TRUE(unprotect(receiver, later).has_value());
  EXPECT_TRUE(unprotect(receiver, early).has_value());  // 2000 behind, inside the window
  EXPECT_EQ(unprotect(receiver, repeated).error(), SrtpError::Replay);
}

TEST_P(SrtpSessionTest, TooOldIsRejected) {
  auto [sender, receiver] = make_pair(GetParam());
  const auto old_packet = protect(sender, rtp_packet(100, 20));
  const auto new_packet =
      protect(sender, rtp_packet(static_cast<std::uint16_t>(100 + kReplayWindow + 10), 20));
  ASSERT_TRUE(unprotect(receiver, new_packet).has_value());
  EXPECT_EQ(unprotect(receiver, old_packet).error(), SrtpError::Replay);
}

TEST_P(SrtpSessionTest, TamperingIsRejected) {
  auto [sender, receiver] = make_pair(GetParam());
  std::uint16_t sequence = 1;
  // Flip one bit in the header, the payload and the tag: each must fail authentication.
  for (const std::size_t offset : {std::size_t{3}, std::size_t{20}, std::size_t{200}}) {
    auto packet = protect(sender, rtp_packet(sequence++, 200));
    const std::size_t at = std::min(offset, packet.size() - 1);
    packet[at] ^= 0x01;
    const auto result = unprotect(receiver, packet);
    ASSERT_FALSE(result.has_value()) << "offset " << at;
    EXPECT_EQ(result.error(), SrtpError::AuthFailure) << result.error().message();
  }
  auto last = protect(sender, rtp_packet(sequence++, 200));
  last.back() ^= 0x80;
  EXPECT_EQ(unprotect(receiver, last).error(), SrtpError::AuthFailure);
}

TEST_P(SrtpSessionTest, WrongKeyFailsAuthentication) {
  auto sender =
      SrtpSession::create(GetParam(), test_master(GetParam(), 1), SrtpDirection::Outbound);
  auto receiver =
      SrtpSession::create(GetParam(), test_master(GetParam(), 2), SrtpDirection::Inbound);
  ASSERT_TRUE(sender && receiver);
  const auto packet = protect(*sender, rtp_packet(5, 50));
  EXPECT_EQ(unprotect(*receiver, packet).error(), SrtpError::AuthFailure);
}

TEST_P(SrtpSessionTest, RtcpRoundTripReplayAndTamper) {
  auto [sender, receiver] = make_pair(GetParam());
  const auto plain = rtcp_packet();
  auto first = protect(sender, plain, true);
  ASSERT_EQ(first.size(), plain.size() + sender.rtcp_overhead());
  auto second = protect(sender, plain, true);
  auto copy = first;
  auto length = receiver.unprotect_rtcp(copy, copy.size());
  ASSERT_TRUE(length.has_value()) << length.error().message();
  copy.resize(*length);
  EXPECT_EQ(copy, plain);
  EXPECT_EQ(unprotect(receiver, first, true).error(), SrtpError::Replay);
  second[5] ^= 0x04;
  EXPECT_EQ(unprotect(receiver, second, true).error(), SrtpError::AuthFailure);
}

TEST_P(SrtpSessionTest, BadLengthsAreRejected) {
  auto [sender, receiver] = make_pair(GetParam());
  auto plain = rtp_packet(9, 100);
  // No room for the tag.
  EXPECT_EQ(sender.protect_rtp(plain, plain.size()).error(), SrtpError::BadLength);
  // Length beyond the buffer.
  EXPECT_EQ(sender.protect_rtp(plain, plain.size() + 1).error(), SrtpError::BadLength);
  // Shorter than an RTP header.
  std::vector<std::uint8_t> tiny(40, 0x80);
  EXPECT_EQ(sender.protect_rtp(tiny, 4).error(), SrtpError::BadLength);
  EXPECT_EQ(receiver.unprotect_rtp(tiny, 12).error(), SrtpError::BadLength);
  EXPECT_EQ(receiver.unprotect_rtcp(tiny, 8).error(), SrtpError::BadLength);
  // A header that claims more CSRCs than the packet holds.
  std::vector<std::uint8_t> lying{0x8f, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  lying.resize(lying.size() + 40);
  EXPECT_FALSE(receiver.unprotect_rtp(lying, 12 + 20).has_value());
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         testing::Values(SrtpProfile::AeadAes128Gcm,
                                         SrtpProfile::AesCm128HmacSha1_80),
                         [](const testing::TestParamInfo<SrtpProfile>& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("CmSha1");
                         });

TEST(SrtpSession, KeyLengthMustMatchTheProfile) {
  const auto gcm_master = test_master(SrtpProfile::AeadAes128Gcm, 0);       // 28 bytes
  const auto cm_master = test_master(SrtpProfile::AesCm128HmacSha1_80, 0);  // 30 bytes
  EXPECT_EQ(
      SrtpSession::create(SrtpProfile::AesCm128HmacSha1_80, gcm_master, SrtpDirection::Inbound)
          .error(),
      SrtpError::BadKey);
  EXPECT_EQ(
      SrtpSession::create(SrtpProfile::AeadAes128Gcm, cm_master, SrtpDirection::Inbound).error(),
      SrtpError::BadKey);
  EXPECT_EQ(SrtpSession::create(SrtpProfile::AeadAes128Gcm, {}, SrtpDirection::Outbound).error(),
            SrtpError::BadKey);
}

TEST(SrtpSession, MovedFromSessionReportsFailure) {
  const auto master = test_master(SrtpProfile::AeadAes128Gcm, 3);
  auto session = SrtpSession::create(SrtpProfile::AeadAes128Gcm, master, SrtpDirection::Outbound);
  ASSERT_TRUE(session.has_value());
  SrtpSession moved = std::move(*session);
  auto packet = rtp_packet(1, 10);
  packet.resize(packet.size() + 16);
  EXPECT_EQ(session->protect_rtp(packet, 22).error(),
            SrtpError::Failure);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.protect_rtp(packet, 22).has_value());
}

TEST(SrtpSession, ErrorMessagesAreReadable) {
  EXPECT_EQ(make_error_code(SrtpError::Replay).message(), "replayed or too old packet");
  EXPECT_STREQ(srtp_category().name(), "rrtc.srtp");
}

}  // namespace
}  // namespace rrtc::srtp
