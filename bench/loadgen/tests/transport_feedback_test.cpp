#include "transport_feedback.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtcp/compound.hpp"

namespace rrtc::loadgen {
namespace {

std::vector<rtcp::PacketStatus> statuses(std::span<const std::uint8_t> bytes) {
  std::vector<rtcp::PacketStatus> out;
  rtcp::CompoundReader reader(bytes);
  auto message = reader.next();
  EXPECT_TRUE(message);
  const auto* cc = message ? std::get_if<rtcp::TransportCc>(&*message) : nullptr;
  EXPECT_NE(cc, nullptr);
  if (cc == nullptr) return out;
  auto cursor = cc->statuses();
  while (auto s = cursor.next()) out.push_back(*s);
  return out;
}

TEST(TransportFeedback, ReportsArrivalsInOrderWithTheGapLostAndEachOnce) {
  TransportFeedback feedback;
  feedback.record(101, 1'000'000);
  feedback.record(100, 1'000'250);  // reordered
  feedback.record(103, 1'001'000);  // 102 missing
  feedback.record(103, 1'002'000);  // duplicate
  std::vector<std::vector<std::uint8_t>> sent;
  EXPECT_EQ(
      feedback.flush(7, 9, [&](auto bytes) { sent.emplace_back(bytes.begin(), bytes.end()); }), 1u);
  ASSERT_EQ(sent.size(), 1u);
  const auto s = statuses(sent[0]);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].seq, 100);
  EXPECT_TRUE(s[0].received);
  EXPECT_EQ(s[1].seq, 101);
  EXPECT_TRUE(s[1].received);
  EXPECT_EQ(s[2].seq, 102);
  EXPECT_FALSE(s[2].received);
  EXPECT_EQ(s[3].seq, 103);
  EXPECT_TRUE(s[3].received);
  // 100 arrived at 1'000'250, 101 at 1'000'000: the delta between them is -1 tick.
  EXPECT_EQ(s[1].delta_ticks, -1);
  EXPECT_EQ(s[3].arrival - s[1].arrival, std::chrono::microseconds(1000));
  EXPECT_EQ(feedback.pending(), 0u);
}

TEST(TransportFeedback, LateArrivalsOfReportedNumbersAreDroppedAndWrapContinues) {
  TransportFeedback feedback;
  feedback.record(65534, 0);
  feedback.record(65535, 250);
  int messages = 0;
  feedback.flush(1, 2, [&](auto) { ++messages; });
  feedback.record(65533, 500);  // older than what was reported
  EXPECT_EQ(feedback.flush(1, 2, [&](auto) { ++messages; }), 0u);
  feedback.record(0, 750);  // wrapped: after 65535
  std::vector<std::uint8_t> last;
  EXPECT_EQ(feedback.flush(1, 2, [&](auto bytes) { last.assign(bytes.begin(), bytes.end()); }), 1u);
  const auto s = statuses(last);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seq, 0);
  EXPECT_EQ(messages, 1);
}

TEST(TransportFeedback, ManyArrivalsSplitIntoMessagesOfAtMostTheLimit) {
  TransportFeedback feedback;
  const std::size_t n = TransportFeedback::kMaxPerMessage * 2 + 10;
  for (std::size_t i = 0; i < n; ++i) {
    feedback.record(static_cast<std::uint16_t>(i), static_cast<std::int64_t>(i) * 500);
  }
  std::vector<std::size_t> counts;
  EXPECT_EQ(feedback.flush(1, 2, [&](auto bytes) { counts.push_back(statuses(bytes).size()); }),
            3u);
  EXPECT_EQ(counts, (std::vector<std::size_t>{TransportFeedback::kMaxPerMessage,
                                              TransportFeedback::kMaxPerMessage, 10}));
}

}  // namespace
}  // namespace rrtc::loadgen
