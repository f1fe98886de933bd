// The pieces under SrtpSession: the RFC 3711 key derivation, the ring replay window and the
// packet index estimate (RFC 3711 Appendix A, with libsrtp2's guard near index 0).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "srtp/index.hpp"
#include "srtp/kdf.hpp"
#include "srtp/replay_window.hpp"

namespace rrtc::srtp::detail {
namespace {

std::vector<std::uint8_t> hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// RFC 3711 Appendix B.3.
TEST(SrtpKdf, MatchesRfc3711TestVector) {
  const auto master_key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto master_salt = hex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<std::uint8_t> cipher(16);
  std::vector<std::uint8_t> salt(14);
  std::vector<std::uint8_t> auth(94);
  ASSERT_TRUE(srtp_kdf(master_key, master_salt, SrtpKdfLabel::RtpCipher, cipher));
  ASSERT_TRUE(srtp_kdf(master_key, master_salt, SrtpKdfLabel::RtpSalt, salt));
  ASSERT_TRUE(srtp_kdf(master_key, master_salt, SrtpKdfLabel::RtpAuth, auth));
  EXPECT_EQ(cipher, hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(salt, hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(auth, hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
                      "E049646C43D9327AD175578EF7227098"
                      "6371C10C9A369AC2F94A8C5FBCDDDC256D6E919A48B610EF17C2041E47403576"
                      "6B68642C59BBFC2F34DB60DBDFB2"));

  const auto keys = derive_session_keys(master_key, master_salt, false, 14);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(std::vector<std::uint8_t>(keys->auth.begin(), keys->auth.end()),
            std::vector<std::uint8_t>(auth.begin(), auth.begin() + 20));
}

TEST(SrtpKdf, RejectsBadLengths) {
  std::vector<std::uint8_t> out(16);
  EXPECT_FALSE(srtp_kdf(std::vector<std::uint8_t>(15), std::vector<std::uint8_t>(14),
                        SrtpKdfLabel::RtpCipher, out));
  EXPECT_FALSE(srtp_kdf(std::vector<std::uint8_t>(16), std::vector<std::uint8_t>(15),
                        SrtpKdfLabel::RtpCipher, out));
}

TEST(ReplayWindow, AcceptsOnceInsideTheWindowAndRejectsOlder) {
  ReplayWindow<128> window;
  EXPECT_EQ(window.check(0), ReplayVerdict::Fresh);  // a new stream has seen nothing
  window.commit(5);
  EXPECT_EQ(window.check(5), ReplayVerdict::Seen);
  EXPECT_EQ(window.check(0), ReplayVerdict::Fresh);
  window.commit(1000);
  EXPECT_EQ(window.check(1000 - 127), ReplayVerdict::Fresh);
  EXPECT_EQ(window.check(1000 - 128), ReplayVerdict::TooOld);
  EXPECT_EQ(window.check(5), ReplayVerdict::TooOld);
  window.commit(1000 - 127);
  EXPECT_EQ(window.check(1000 - 127), ReplayVerdict::Seen);
}

// Walks indexes with gaps of every size up to twice the window and checks each position against
// a plain set of what was committed.
TEST(ReplayWindow, RingClearsExactlyTheBitsThatLeave) {
  ReplayWindow<256> window;
  std::vector<bool> seen(20000, false);
  std::uint64_t highest = 0;
  std::uint64_t step = 1;
  while (highest + step < seen.size()) {
    highest += step;
    window.commit(highest);
    seen[highest] = true;
    if (highest >= 3) {
      window.commit(highest - 3);  // some late arrivals too
      seen[highest - 3] = true;
    }
    for (std::uint64_t index = highest > 300 ? highest - 300 : 0; index <= highest + 2; ++index) {
      const ReplayVerdict expected = index > highest          ? ReplayVerdict::Fresh
                                     : highest - index >= 256 ? ReplayVerdict::TooOld
                                     : seen[index]            ? ReplayVerdict::Seen
                                                              : ReplayVerdict::Fresh;
      ASSERT_EQ(window.check(index), expected) << "highest " << highest << " index " << index;
    }
    step = step % 517 + 7;
  }
}

struct IndexCase {
  std::uint64_t highest;
  std::uint16_t sequence;
  std::uint64_t index;
  std::int64_t delta;
};

TEST(SrtpIndex, EstimatesRocAcrossTheRollover) {
  const IndexCase cases[] = {
      {0, 0, 0, 0},
      {0, 65535, 65535, 65535},      // near index 0 the ROC stays 0 (no ROC - 1)
      {30000, 65000, 65000, 35000},  // still below 2^15: no guess of ROC - 1
      {65535, 0, 0x10000, 1},        // rollover
      {65535, 65534, 65534, -1},
      {0x10002, 65533, 65533, -5},  // late packet from before the rollover
      {0x10002, 30000, 0x10000 + 30000, 29998},
      {0x18000, 0, 0x10000, -0x8000},  // exactly half the space away: same ROC
      {0x18001, 1, 0x10001, -0x8000},
      {0x18001, 0, 0x20000, 0x7fff},  // just under half ahead: next ROC
      {0x20005, 0x8005, 0x28005, 0x8000},
      {0x20005, 0x8006, 0x18006, -0x7fff},
  };
  for (const auto& c : cases) {
    const auto guess = estimate_srtp_index(c.highest, c.sequence);
    EXPECT_EQ(guess.index, c.index) << c.highest << " " << c.sequence;
    EXPECT_EQ(guess.delta, c.delta) << c.highest << " " << c.sequence;
  }
}

}  // namespace
}  // namespace rrtc::srtp::detail
