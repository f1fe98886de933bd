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

TEST(SentPacketHistory, StartsSmallAndStaysSmallWhileFeedbackKeepsUp) {
  SentPacketHistory h(4096);
  EXPECT_EQ(h.entries(), SentPacketHistory::kInitialEntries);
  EXPECT_EQ(h.capacity(), 4096u);
  // 20,000 packets, each batch of 50 reported 100 packets later: never more than 150 unreported.
  for (std::int64_t s = 0; s < 20'000; ++s) {
    h.add(packet(s));
    if (s >= 150 && s % 50 == 0) {
      for (std::int64_t r = s - 150; r < s - 100; ++r) {
        ASSERT_EQ(h.report(r, r % 9 != 0, nullptr),
                  r % 9 != 0 ? ReportOutcome::kReceived : ReportOutcome::kLost);
      }
    }
  }
  EXPECT_EQ(h.entries(), SentPacketHistory::kInitialEntries);
}

TEST(SentPacketHistory, GrowsRatherThanForgetUnreportedPackets) {
  SentPacketHistory h(1024);
  // 700 packets without feedback: the ring doubles twice (256 -> 512 -> 1024).
  for (std::int64_t s = 0; s < 700; ++s) h.add(packet(s));
  EXPECT_EQ(h.entries(), 1024u);
  EXPECT_EQ(h.in_flight_bytes(), [] {
    std::int64_t bytes = 0;
    for (std::int64_t s = 0; s < 700; ++s) bytes += 1000 + s % 7;
    return bytes;
  }());
  // Every one of them is still known, with its size.
  SentPacket sent;
  for (std::int64_t s = 0; s < 700; ++s) {
    ASSERT_EQ(h.report(s, true, &sent), ReportOutcome::kReceived) << s;
    ASSERT_EQ(sent.seq, s);
    ASSERT_EQ(sent.size, 1000 + s % 7);
  }
  EXPECT_EQ(h.in_flight_bytes(), 0);
  // At capacity it overwrites as a fixed ring does: 3000 more unreported, the oldest forgotten.
  for (std::int64_t s = 700; s < 3700; ++s) h.add(packet(s));
  EXPECT_EQ(h.entries(), 1024u);
  EXPECT_EQ(h.report(3700 - 1025, true, nullptr), ReportOutcome::kIgnored);
  EXPECT_EQ(h.report(3700 - 1024, true, nullptr), ReportOutcome::kReceived);
}

TEST(SentPacketHistory, ReportedPacketsAreOverwrittenWithoutGrowing) {
  SentPacketHistory h(4096);
  for (std::int64_t s = 0; s < 256; ++s) h.add(packet(s));
  // Only the first 10 reported: the 257th packet may take the first's slot, not the 267th.
  for (std::int64_t s = 0; s < 10; ++s) h.report(s, true, nullptr);
  for (std::int64_t s = 256; s < 266; ++s) h.add(packet(s));
  EXPECT_EQ(h.entries(), SentPacketHistory::kInitialEntries);
  h.add(packet(266));
  EXPECT_EQ(h.entries(), 2 * SentPacketHistory::kInitialEntries);
  EXPECT_EQ(h.report(10, true, nullptr), ReportOutcome::kReceived);  // kept through the growth
  EXPECT_EQ(h.report(266, false, nullptr), ReportOutcome::kLost);
}

}  // namespace
}  // namespace rrtc::bwe
