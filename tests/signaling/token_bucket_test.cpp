#include "signaling/token_bucket.hpp"

#include <gtest/gtest.h>

#include "signaling/metrics.hpp"

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucketTest, AllowsBurstThenRefillsAtRate) {
  auto t = TokenBucket::Clock::time_point(10s);
  TokenBucket bucket(10, 20, t);
  int taken = 0;
  while (bucket.try_take(t)) ++taken;
  EXPECT_EQ(taken, 20);
  EXPECT_FALSE(bucket.try_take(t + 50ms));
  EXPECT_TRUE(bucket.try_take(t + 100ms));
  EXPECT_FALSE(bucket.try_take(t + 100ms));
  // A long pause refills only up to the burst.
  taken = 0;
  while (bucket.try_take(t + 1h)) ++taken;
  EXPECT_EQ(taken, 20);
}

TEST(MetricsTest, RendersPrometheusTextWithBoundedLabels) {
  Metrics m;
  m.message_in("join", 40);
  m.message_in("made-up-type", 10);
  m.message_out("joined", 100);
  m.error_sent(409);
  m.session_dropped("queue_overflow");
  EXPECT_EQ(m.messages_in("join"), 1u);
  EXPECT_EQ(m.messages_in("invalid"), 1u);
  EXPECT_EQ(m.messages_in("made-up-type"), 0u);
  EXPECT_EQ(m.errors(409), 1u);
  Gauges g;
  g.rooms = 2;
  g.participants = 3;
  g.sessions = 4;
  g.version = "1.2.3 \"beta\"";
  std::string text = m.render(g);
  for (std::string_view line :
       {"rrtc_rooms 2\n", "rrtc_participants 3\n", "rrtc_signaling_sessions 4\n",
        "rrtc_build_info{version=\"1.2.3 \\\"beta\\\"\"} 1\n",
        "rrtc_signaling_messages_received_total{type=\"join\"} 1\n",
        "rrtc_signaling_messages_received_total{type=\"invalid\"} 1\n",
        "rrtc_signaling_messages_received_total{type=\"offer\"} 0\n",
        "rrtc_signaling_messages_sent_total{type=\"joined\"} 1\n",
        "rrtc_signaling_errors_total{code=\"409\"} 1\n",
        "rrtc_signaling_errors_total{code=\"400\"} 0\n",
        "rrtc_signaling_sessions_dropped_total{reason=\"queue_overflow\"} 1\n",
        "rrtc_signaling_received_bytes_total 50\n", "rrtc_signaling_sent_bytes_total 100\n",
        "# TYPE rrtc_signaling_errors_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(text.find("made-up-type"), std::string::npos);
}

}  // namespace
}  // namespace rrtc::signaling
