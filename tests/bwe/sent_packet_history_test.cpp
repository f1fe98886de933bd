#include "bwe/sent_packet_history.hpp"

#include <gtest/gtest.h>

namespace rrtc::bwe {
namespace {

using time::Duration;
const time::Timestamp kT0{Duration(1'000'000)};

SentPacket packet(std::int64_t seq) {
  return SentPacket{seq, 1000 + seq % 7, kT0, kNoProbeCluster};
}

TEST(SentPacketHistory, UnwrapsWireNumbersBelowTheNewest) {
  SentPacketHistory h(1024);
  EXPECT_FALSE(h.unwrap(5));  // nothing sent
  for (std::int64_t s = 65530; s < 65546; ++s) h.add(packet(s));
  EXPECT_EQ(h.unwrap(65535), 65535);
  EXPECT_EQ(h.unwrap(0), 65536);
  EXPECT_EQ(h.unwrap(9), 65545);
  EXPECT_EQ(h.unwrap(65530), 65530);
  // A number above the newest is taken as one 64 Ki back (and is then unknown).
  EXPECT_EQ(h.unwrap(10), 65546 - 65536);
  SentPacket sent;
  EXPECT_EQ(h.report(10, true, &sent), ReportOutcome::kIgnored);
}

TEST(SentPacketHistory, EachPacketIsReportedOnce) {
  SentPacketHistory h(1024);
  for (std::int64_t s = 0; s < 10; ++s) h.add(packet(s));
  SentPacket sent;
  EXPECT_EQ(h.report(3, true, &sent), ReportOutcome::kReceived);
  EXPECT_EQ(sent.seq, 3);
  EXPECT_EQ(sent.size, 1003);
  EXPECT_EQ(h.report(3, true, &sent), ReportOutcome::kIgnored);   // duplicated feedback
  EXPECT_EQ(h.report(3, false, &sent), ReportOutcome::kIgnored);  // older feedback
  EXPECT_EQ(h.report(4, false, &sent), ReportOutcome::kLost);
  EXPECT_EQ(h.report(4, false, &sent), ReportOutcome::kIgnored);
  EXPECT_EQ(h.report(4, true, &sent), ReportOutcome::kRecovered);  // arrived late
  EXPECT_EQ(h.report(4, true, &sent), ReportOutcome::kIgnored);
}

TEST(SentPacketHistory, UnknownAndForgottenNumbersAreIgnored) {
  SentPacketHistory h(16);
  EXPECT_EQ(h.report(0, true, nullptr), ReportOutcome::kIgnored);  // nothing sent
  for (std::int64_t s = 0; s < 40; ++s) h.add(packet(s));
  EXPECT_EQ(h.report(40, true, nullptr), ReportOutcome::kIgnored);  // never sent
  EXPECT_EQ(h.report(-1, true, nullptr), ReportOutcome::kIgnored);
  EXPECT_EQ(h.report(23, true, nullptr), ReportOutcome::kIgnored);  // 16 behind: overwritten
  EXPECT_EQ(h.report(24, true, nullptr), ReportOutcome::kReceived);
  h.add(packet(39));  // not above the newest: ignored
  h.add(packet(45));  // a gap: 40..44 were never sent
  EXPECT_EQ(h.report(42, true, nullptr), ReportOutcome::kIgnored);
  EXPECT_EQ(h.report(45, true, nullptr), ReportOutcome::kReceived);
  EXPECT_EQ(h.newest_seq(), 45);
}

}  // namespace
}  // namespace rrtc::bwe
