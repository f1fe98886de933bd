#include "rtcp/transport_cc.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using test::Bytes;
using test::hex;

std::vector<PacketStatus> statuses_of(const TransportCc& cc) {
  std::vector<PacketStatus> out;
  auto cursor = cc.statuses();
  while (const auto status = cursor.next()) out.push_back(*status);
  return out;
}

// Written by hand from draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1:
// base seq 5, 10 statuses, reference time 16 (1024 ms), fb count 3;
// chunk 1: two-bit vector [1 1 0 2 1 0 1]; chunk 2: run length, symbol 1, 3 times;
// deltas: 04 08 ff38(-200) 10 00 ff 01 02, then zero padding.
constexpr const char* kFeedback =
    "8f cd 00 08 00 00 00 01 00 00 00 02 00 05 00 0a 00 00 10 03 "
    "d4 91 20 03 04 08 ff 38 10 00 ff 01 02 00 00 00";

TEST(TransportCc, ParsesHandWrittenFeedback) {
  const Bytes bytes = hex(kFeedback);
  const auto cc = test::parse_first<TransportCc>(bytes);
  ASSERT_TRUE(cc) << to_string(cc.error());
  EXPECT_EQ(cc->sender_ssrc, 1u);
  EXPECT_EQ(cc->media_ssrc, 2u);
  EXPECT_EQ(cc->base_seq(), 5);
  EXPECT_EQ(cc->status_count(), 10);
  EXPECT_EQ(cc->reference_time(), 16);
  EXPECT_EQ(cc->fb_pkt_count, 3);
  const auto statuses = statuses_of(*cc);
  ASSERT_EQ(statuses.size(), 10u);
  const bool received[] = {true, true, false, true, true, false, true, true, true, true};
  const std::int64_t arrival_us[] = {1025000, 1027000, 0,       977000,  981000,
                                     0,       981000,  1044750, 1045000, 1045500};
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(statuses[i].seq, 5 + i);
    EXPECT_EQ(statuses[i].received, received[i]);
    EXPECT_EQ(statuses[i].arrival.count(), arrival_us[i]);
  }
  EXPECT_EQ(statuses[3].delta_ticks, -200);
  EXPECT_EQ(test::serialize(*cc), bytes);
}

TEST(TransportCc, OneBitVector) {
  // 14 statuses 1 0 1 1 0 0 0 0 0 0 0 0 0 1: chunk 0xac01, 4 one-byte deltas.
  const Bytes bytes =
      hex("8f cd 00 06 00 00 00 01 00 00 00 02 ff fe 00 0e ff ff ff 00 "
          "ac 01 01 02 03 04 00 00");
  const auto cc = test::parse_first<TransportCc>(bytes);
  ASSERT_TRUE(cc) << to_string(cc.error());
  EXPECT_EQ(cc->reference_time(), -1);  // 24-bit signed
  const auto statuses = statuses_of(*cc);
  ASSERT_EQ(statuses.size(), 14u);
  EXPECT_EQ(statuses[1].seq, 65535);
  EXPECT_EQ(statuses[2].seq, 0);  // wraps
  EXPECT_TRUE(statuses[0].received);
  EXPECT_FALSE(statuses[1].received);
  EXPECT_TRUE(statuses[13].received);
  EXPECT_EQ(statuses[13].arrival.count(), -64000 + 250 * (1 + 2 + 3 + 4));
}

TEST(TransportCc, BuildFromArrivalsAndReparse) {
  std::vector<PacketArrival> arrivals;
  // 30 in a row 5 ms apart (a run), a gap of 3, one late by 100 ms (a large delta), one that
  // arrived before its predecessor (negative), then a sparse tail (vectors).
  std::int64_t seq = 65500;
  microseconds t = milliseconds(123456);
  for (int i = 0; i < 30; ++i, t += milliseconds(5)) arrivals.push_back({seq++, t});
  seq += 3;
  arrivals.push_back({seq++, t + milliseconds(100)});
  arrivals.push_back({seq++, t + milliseconds(90)});
  for (int i = 0; i < 10; ++i) {
    arrivals.push_back({seq, t + milliseconds(200 + i)});
    seq += 2;
  }
  const TransportCc built(7, 8, 42, arrivals);
  const Bytes bytes = test::serialize(built);
  ASSERT_FALSE(bytes.empty());
  const auto parsed = test::parse_first<TransportCc>(bytes);
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ(*parsed, built);
  EXPECT_EQ(parsed->base_seq(), 65500);
  EXPECT_EQ(parsed->fb_pkt_count, 42);

  // Every arrival comes back within half a tick, and every gap is reported lost.
  const auto statuses = statuses_of(*parsed);
  std::size_t next = 0;
  for (const PacketStatus& status : statuses) {
    if (next < arrivals.size() && static_cast<std::uint16_t>(arrivals[next].seq) == status.seq) {
      ASSERT_TRUE(status.received) << status.seq;
      EXPECT_NEAR(static_cast<double>(status.arrival.count()),
                  static_cast<double>(arrivals[next].arrival.count()), 125.0);
      ++next;
    } else {
      EXPECT_FALSE(status.received) << status.seq;
    }
  }
  EXPECT_EQ(next, arrivals.size());
}

TEST(TransportCc, LongRunUsesOneRunLengthChunk) {
  std::vector<PacketArrival> arrivals;
  for (int i = 0; i < 100; ++i) arrivals.push_back({i, milliseconds(1000 + i)});
  const TransportCc built(1, 2, 0, arrivals);
  EXPECT_EQ(built.serialized_size(), 4u + 16 + 2 + 100 + 2);  // padded to 124
}

TEST(TransportCc, RefusesUnencodableInput) {
  EXPECT_EQ(TransportCc(1, 2, 0, {}).serialized_size(), 0u);
  const PacketArrival far_apart[] = {{1, milliseconds(0)}, {2, milliseconds(10000)}};
  EXPECT_EQ(TransportCc(1, 2, 0, far_apart).serialized_size(), 0u);
  const PacketArrival not_increasing[] = {{5, milliseconds(0)}, {5, milliseconds(1)}};
  EXPECT_EQ(TransportCc(1, 2, 0, not_increasing).serialized_size(), 0u);
  const PacketArrival too_many[] = {{0, milliseconds(0)}, {70000, milliseconds(1)}};
  EXPECT_EQ(TransportCc(1, 2, 0, too_many).serialized_size(), 0u);
}

TEST(TransportCc, Malformed) {
  struct Case {
    const char* name;
    const char* hex;
  };
  const Case cases[] = {
      // Status count 0.
      {"zero_status_count", "8f cd 00 04 00 00 00 01 00 00 00 02 00 05 00 00 00 00 10 03"},
      // 10 statuses announced, the only chunk covers 7.
      {"chunks_cut", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 0a 00 00 10 03 d4 91 00 00"},
      // Deltas announced past the end.
      {"deltas_cut", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 03 00 00 10 03 20 03 04 08"},
      // Two-bit vector with the reserved symbol 3.
      {"reserved_symbol",
       "8f cd 00 06 00 00 00 01 00 00 00 02 00 05 00 01 00 00 10 03 f0 00 00 00 "
       "00 00 00 00"},
      // Run-length chunk of reserved symbols.
      {"reserved_run", "8f cd 00 05 00 00 00 01 00 00 00 02 00 05 00 01 00 00 10 03 60 01 00 00"},
  };
  for (const Case& c : cases) {
    const auto cc = test::parse_first<TransportCc>(hex(c.hex));
    ASSERT_FALSE(cc) << c.name;
    EXPECT_EQ(cc.error(), ParseError::kBadItem) << c.name;
  }
  EXPECT_EQ(test::parse_first<TransportCc>(hex("8f cd 00 02 00 00 00 01 00 00 00 02")).error(),
            ParseError::kTooShort);
}

TEST(TransportCc, EmptyRunLengthChunksAreSkipped) {
  // A run of length 0, then a run of 2 small deltas.
  const Bytes bytes =
      hex("8f cd 00 06 00 00 00 01 00 00 00 02 00 01 00 02 00 00 01 00 "
          "00 00 20 02 04 04 00 00");
  const auto cc = test::parse_first<TransportCc>(bytes);
  ASSERT_TRUE(cc) << to_string(cc.error());
  const auto statuses = statuses_of(*cc);
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].received);
  EXPECT_EQ(statuses[1].arrival.count(), 64000 + 2000);
}

}  // namespace
}  // namespace rrtc::rtcp
