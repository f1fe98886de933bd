#include "server_probe.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace rrtc::loadgen {
namespace {

TEST(ServerProbe, ParsesPrometheusTextAndDeltas) {
  const auto before = parse_metrics(
      "# HELP x y\n# TYPE x counter\nrrtc_media_packets_sent_total 10\n"
      "rrtc_media_rtp_packets_received_total{kind=\"audio\"} 5\n");
  const auto after = parse_metrics(
      "rrtc_media_packets_sent_total 25\nrrtc_media_rtp_packets_received_total{kind=\"audio\"} "
      "9\n");
  EXPECT_DOUBLE_EQ(metric_delta(before, after, "rrtc_media_packets_sent_total"), 15);
  EXPECT_DOUBLE_EQ(
      metric_delta(before, after, "rrtc_media_rtp_packets_received_total{kind=\"audio\"}"), 4);
  EXPECT_DOUBLE_EQ(metric(after, "absent"), 0);
}

TEST(ServerProbe, HistogramPercentilesInterpolateWithinBuckets) {
  const auto before = parse_metrics(
      "h_bucket{le=\"0.00001\"} 0\nh_bucket{le=\"0.0001\"} 0\nh_bucket{le=\"+Inf\"} 0\n"
      "h_sum 0\nh_count 0\n");
  // 100 samples: 50 in (0, 10 us], 50 in (10, 100 us].
  const auto after = parse_metrics(
      "h_bucket{le=\"0.00001\"} 50\nh_bucket{le=\"0.0001\"} 100\nh_bucket{le=\"+Inf\"} 100\n"
      "h_sum 0.003\nh_count 100\n");
  const auto s = histogram_delta(before, after, "h");
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->count, 100);
  EXPECT_NEAR(s->p50_us, 10, 1e-6);
  EXPECT_NEAR(s->p90_us, 10 + 90 * 0.8, 1e-6);
  EXPECT_NEAR(s->mean_us, 30, 1e-6);
  EXPECT_FALSE(histogram_delta(before, before, "h"));
  EXPECT_FALSE(histogram_delta(before, after, "absent"));
}

TEST(ServerProbe, ReadsOwnProcStat) {
  const auto sample = read_proc(static_cast<int>(getpid()));
  ASSERT_TRUE(sample);
  EXPECT_GT(sample->vm_hwm_kb, 0u);
  EXPECT_GE(sample->cpu_seconds, 0);
  EXPECT_FALSE(read_proc(-1));
}

}  // namespace
}  // namespace rrtc::loadgen
