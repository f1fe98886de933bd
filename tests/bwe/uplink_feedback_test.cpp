// UplinkFeedback: exact feedback bytes for the common cases (in order, a gap after a message,
// wrap-around, reordering, duplicates, a late packet), its deadlines (none while silent), a
// backlog split over messages, and a randomized run checking every message parses, fits and
// reports each packet's arrival.
#include "bwe/uplink_feedback.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>
#include <vector>

#include "rtcp/header.hpp"

namespace rrtc::bwe {
namespace {

using time::Duration;
using time::Timestamp;

constexpr std::uint32_t kSender = 0x11111111;
constexpr std::uint32_t kMedia = 0x22222222;

Timestamp at_ms(std::int64_t ms) { return Timestamp(Duration(ms * 1000)); }

struct Written {
  std::vector<std::uint8_t> bytes;
  std::vector<rtcp::PacketStatus> statuses;
};

// Writes the message due at `now` (nullopt: none) and reads it back.
std::optional<Written> write(UplinkFeedback& feedback, Timestamp now) {
  std::array<std::uint8_t, kMaxFeedbackBytes> buffer{};
  const std::size_t size = feedback.write_feedback(now, kSender, kMedia, buffer);
  if (size == 0) return std::nullopt;
  Written out;
  out.bytes.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
  const auto raw = rtcp::parse_raw(out.bytes);
  EXPECT_TRUE(raw);
  if (!raw) return out;
  EXPECT_EQ(raw->bytes.size(), size);
  const auto cc = rtcp::TransportCc::parse(*raw);
  EXPECT_TRUE(cc);
  if (!cc) return out;
  auto cursor = cc->statuses();
  while (const auto status = cursor.next()) out.statuses.push_back(*status);
  return out;
}

std::vector<std::uint16_t> received_seqs(const Written& w) {
  std::vector<std::uint16_t> out;
  for (const auto& s : w.statuses) {
    if (s.received) out.push_back(s.seq);
  }
  return out;
}
std::vector<std::uint16_t> lost_seqs(const Written& w) {
  std::vector<std::uint16_t> out;
  for (const auto& s : w.statuses) {
    if (!s.received) out.push_back(s.seq);
  }
  return out;
}

TEST(UplinkFeedback, InOrderThenGapExactBytes) {
  UplinkFeedback feedback;
  EXPECT_FALSE(feedback.next_timeout());
  feedback.on_packet(10, at_ms(1000));
  feedback.on_packet(11, at_ms(1001));
  feedback.on_packet(12, at_ms(1003));
  // The first message is due at the first arrival (nothing was sent before).
  EXPECT_EQ(feedback.next_timeout(), at_ms(1000));
  const auto first = write(feedback, at_ms(1003));
  ASSERT_TRUE(first);
  // Base 10, 3 statuses, reference 1000 ms / 64 ms = 15, fb count 0; one run-length chunk of 3
  // "small delta"; deltas 160 (4000 - 15 x 256 ticks), 4, 8; zero padding to 28 bytes.
  const std::vector<std::uint8_t> expected_first = {
      0x8F, 0xCD, 0x00, 0x06, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x00, 0x0A,
      0x00, 0x03, 0x00, 0x00, 0x0F, 0x00, 0x20, 0x03, 0xA0, 0x04, 0x08, 0x00, 0x00, 0x00};
  EXPECT_EQ(first->bytes, expected_first);
  EXPECT_FALSE(feedback.next_timeout());  // everything reported: no deadline while silent
  EXPECT_FALSE(write(feedback, at_ms(2000)));

  // 13 never arrives: the next message starts at 12 (the last reported) to say so.
  feedback.on_packet(14, at_ms(1060));
  feedback.on_packet(15, at_ms(1061));
  EXPECT_EQ(feedback.next_timeout(), at_ms(1060));  // later than 1003 + 50
  EXPECT_FALSE(write(feedback, at_ms(1059)));
  const auto second = write(feedback, at_ms(1061));
  ASSERT_TRUE(second);
  // Base 12, 4 statuses, reference 15, fb count 1; a one-bit vector 1 0 1 1; deltas 172, 228, 4.
  const std::vector<std::uint8_t> expected_second = {
      0x8F, 0xCD, 0x00, 0x06, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x00, 0x0C,
      0x00, 0x04, 0x00, 0x00, 0x0F, 0x01, 0xAC, 0x00, 0xAC, 0xE4, 0x04, 0x00, 0x00, 0x00};
  EXPECT_EQ(second->bytes, expected_second);
  EXPECT_EQ(lost_seqs(*second), std::vector<std::uint16_t>{13});
  EXPECT_EQ(feedback.stats().messages, 2u);
}

TEST(UplinkFeedback, DeadlineEveryIntervalWhileSending) {
  UplinkFeedback feedback;
  feedback.on_packet(1, at_ms(0));
  ASSERT_TRUE(write(feedback, at_ms(0)));
  feedback.on_packet(2, at_ms(10));
  EXPECT_EQ(feedback.next_timeout(), at_ms(50));
  EXPECT_FALSE(write(feedback, at_ms(49)));
  feedback.on_packet(3, at_ms(40));
  const auto w = write(feedback, at_ms(50));
  ASSERT_TRUE(w);
  EXPECT_EQ(received_seqs(*w), (std::vector<std::uint16_t>{2, 3}));
  // Silent for a while: the next packet's message is due at its arrival.
  feedback.on_packet(4, at_ms(500));
  EXPECT_EQ(feedback.next_timeout(), at_ms(500));
}

TEST(UplinkFeedback, WrapAround) {
  UplinkFeedback feedback;
  feedback.on_packet(65534, at_ms(100));
  feedback.on_packet(65535, at_ms(101));
  feedback.on_packet(0, at_ms(102));
  feedback.on_packet(2, at_ms(103));
  const auto w = write(feedback, at_ms(103));
  ASSERT_TRUE(w);
  ASSERT_EQ(w->statuses.size(), 5u);
  EXPECT_EQ(w->statuses.front().seq, 65534);
  EXPECT_EQ(received_seqs(*w), (std::vector<std::uint16_t>{65534, 65535, 0, 2}));
  EXPECT_EQ(lost_seqs(*w), std::vector<std::uint16_t>{1});
  // Arrivals come back on the tick grid: 101 ms after 100 ms is 4 ticks.
  EXPECT_EQ(w->statuses[1].delta_ticks, 4);
  EXPECT_EQ(w->statuses[1].arrival - w->statuses[0].arrival, Duration(1000));
}

TEST(UplinkFeedback, ReorderingAndDuplicates) {
  UplinkFeedback feedback;
  feedback.on_packet(5, at_ms(200));
  feedback.on_packet(7, at_ms(202));
  feedback.on_packet(6, at_ms(203));  // reordered: arrives after 7
  feedback.on_packet(7, at_ms(204));  // duplicate: keeps the first arrival
  const auto w = write(feedback, at_ms(204));
  ASSERT_TRUE(w);
  EXPECT_EQ(received_seqs(*w), (std::vector<std::uint16_t>{5, 6, 7}));
  ASSERT_EQ(w->statuses.size(), 3u);
  EXPECT_EQ(w->statuses[1].delta_ticks, 12);  // 203 ms - 200 ms
  EXPECT_EQ(w->statuses[2].delta_ticks, -4);  // 202 ms - 203 ms: a signed 2-byte delta
  EXPECT_EQ(feedback.stats().duplicates, 1u);
  EXPECT_EQ(feedback.stats().packets, 3u);
}

TEST(UplinkFeedback, LatePacketIsReportedAgain) {
  UplinkFeedback feedback;
  feedback.on_packet(20, at_ms(300));
  feedback.on_packet(22, at_ms(301));
  const auto first = write(feedback, at_ms(301));
  ASSERT_TRUE(first);
  EXPECT_EQ(lost_seqs(*first), std::vector<std::uint16_t>{21});
  feedback.on_packet(21, at_ms(320));  // after the message said lost
  EXPECT_EQ(feedback.stats().late, 1u);
  const auto second = write(feedback, at_ms(351));
  ASSERT_TRUE(second);
  EXPECT_EQ(received_seqs(*second), (std::vector<std::uint16_t>{21, 22}));
  EXPECT_TRUE(lost_seqs(*second).empty());
}

TEST(UplinkFeedback, TooOldPacketsAreIgnored) {
  UplinkFeedbackConfig config;
  config.capacity = 64;
  UplinkFeedback feedback(config);
  feedback.on_packet(1000, at_ms(0));
  feedback.on_packet(1100, at_ms(1));  // 100 ahead: the window keeps the newest 64 numbers
  feedback.on_packet(1020, at_ms(2));  // older than the window
  EXPECT_EQ(feedback.stats().too_old, 1u);
  const auto w = write(feedback, at_ms(2));
  ASSERT_TRUE(w);
  EXPECT_EQ(received_seqs(*w), std::vector<std::uint16_t>{1100});
}

TEST(UplinkFeedback, BacklogSplitsIntoMessagesDueAtOnce) {
  UplinkFeedback feedback;  // at most 300 received packets per message
  for (std::uint16_t s = 0; s < 700; ++s) feedback.on_packet(s, at_ms(1000) + Duration(s * 100));
  const Timestamp now = at_ms(1070);
  std::vector<std::size_t> counts;
  while (const auto w = write(feedback, now)) {
    EXPECT_LE(w->bytes.size(), kMaxFeedbackBytes);
    counts.push_back(received_seqs(*w).size());
  }
  EXPECT_EQ(counts, (std::vector<std::size_t>{300, 300, 100}));
  EXPECT_FALSE(feedback.next_timeout());
}

TEST(UplinkFeedback, LongSilenceBetweenPacketsStillEncodes) {
  UplinkFeedback feedback;
  feedback.on_packet(1, at_ms(0));
  ASSERT_TRUE(write(feedback, at_ms(0)));
  // 2 is lost; 3 arrives 20 s later: too far from 1 for a delta, so the message starts at 3.
  feedback.on_packet(3, at_ms(20'000));
  const auto w = write(feedback, at_ms(20'000));
  ASSERT_TRUE(w);
  EXPECT_EQ(received_seqs(*w), std::vector<std::uint16_t>{3});
}

// Writes every message due at `now`, checking each (see below) and marking what it reports.
void drain(UplinkFeedback& feedback, Timestamp now,
           const std::map<std::uint16_t, std::int64_t>& first_arrival_us,
           std::map<std::uint16_t, bool>& reported) {
  while (const auto w = write(feedback, now)) {
    ASSERT_LE(w->bytes.size(), kMaxFeedbackBytes);
    ASSERT_FALSE(w->statuses.empty());
    const std::int64_t offset =
        first_arrival_us.at(w->statuses.front().seq) - w->statuses.front().arrival.count();
    for (const auto& s : w->statuses) {
      if (!s.received) continue;
      ASSERT_TRUE(first_arrival_us.contains(s.seq));
      EXPECT_NEAR(static_cast<double>(first_arrival_us.at(s.seq) - offset),
                  static_cast<double>(s.arrival.count()), 250.0);
      reported[s.seq] = true;
    }
  }
}

// Random sequence numbers (runs, jumps, reordering, duplicates, wrap-around) and arrival gaps,
// messages asked for at every arrival (only due ones are written): every message parses, fits
// kMaxFeedbackBytes, reports received packets at their arrival (to the 250 us tick), and every
// packet recorded is reported received at least once.
TEST(UplinkFeedback, RandomizedStreamsAlwaysEncode) {
  std::mt19937_64 rng(20261206);
  for (int round = 0; round < 40; ++round) {
    UplinkFeedbackConfig config;
    config.capacity = 512u << (round % 3);
    config.max_received = 20 + static_cast<std::size_t>(round) * 7;
    UplinkFeedback feedback(config);
    std::map<std::uint16_t, std::int64_t> first_arrival_us;  // latest generation only
    std::map<std::uint16_t, bool> reported;
    auto wire = static_cast<std::uint16_t>(rng());
    std::int64_t now_us = 5'000'000 + static_cast<std::int64_t>(rng() % 1'000'000);
    for (int i = 0; i < 3000; ++i) {
      const auto kind = rng() % 100;
      std::uint16_t seq = wire;
      if (kind < 70) {
        seq = ++wire;
      } else if (kind < 80) {
        seq = static_cast<std::uint16_t>(wire - rng() % 20);  // reordered or duplicate
      } else if (kind < 85) {
        wire = static_cast<std::uint16_t>(wire + rng() % 100);  // a burst lost
        seq = wire;
      } else {
        seq = ++wire;
        now_us += static_cast<std::int64_t>(rng() % 200'000);  // a pause
      }
      now_us += static_cast<std::int64_t>(rng() % 3000);
      const auto before = feedback.stats().packets;
      feedback.on_packet(seq, Timestamp(Duration(now_us)));
      if (feedback.stats().packets != before) {
        first_arrival_us[seq] = now_us;
        reported[seq] = false;
      }
      drain(feedback, Timestamp{Duration(now_us)}, first_arrival_us, reported);
    }
    const Timestamp end{Duration(now_us + 10'000'000)};
    drain(feedback, end, first_arrival_us, reported);
    EXPECT_FALSE(feedback.next_timeout());
    EXPECT_GT(feedback.stats().messages, 10u);
    // Messages are asked for at every arrival, so nothing falls out of the window unreported.
    std::size_t missed = 0;
    for (const auto& [seq, was] : reported) missed += was ? 0 : 1;
    EXPECT_EQ(missed, 0u) << "round " << round;
  }
}

}  // namespace
}  // namespace rrtc::bwe
