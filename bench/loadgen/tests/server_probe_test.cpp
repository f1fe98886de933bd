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

TEST(ServerProbe, MetricSumAddsEveryLabelSetOfOneNameOnly) {
  const auto values = parse_metrics(
      "e_total{worker=\"0\"} 3\ne_total{worker=\"1\"} 4\ne_total_other 100\ne_totalx 50\n"
      "d_total 7\n");
  EXPECT_DOUBLE_EQ(metric_sum(values, "e_total"), 7);
  EXPECT_DOUBLE_EQ(metric_sum(values, "d_total"), 7);
  EXPECT_DOUBLE_EQ(metric_sum(values, "absent"), 0);
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

TEST(ServerProbe, ParsesTaskStatWithAwkwardThreadNames) {
  // utime 150 and stime 50 ticks at 100 per second: 2 s; the name holds ") (" and spaces.
  const std::string line =
      "4242 (rrtc-media-0) (x) S 1 4242 4242 0 -1 4194368 10 0 0 0 150 50 0 0 20 0 3 0 100 "
      "1000 200 18446744073709551615";
  const auto t = parse_task_stat(line, 100);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->tid, 4242);
  EXPECT_EQ(t->name, "rrtc-media-0) (x");
  EXPECT_DOUBLE_EQ(t->cpu_seconds, 2.0);
  EXPECT_FALSE(parse_task_stat("", 100));
  EXPECT_FALSE(parse_task_stat("12 (short) S 1 2 3", 100));
}

TEST(ServerProbe, ThreadCpuGroupsByNameMostFirstAndCountsNewThreadsFromZero) {
  const std::vector<ThreadSample> before = {
      {1, "rrtc", 1.0}, {2, "rrtc-media-0", 5.0}, {3, "rrtc-media-1", 2.0}, {9, "gone", 7.0}};
  const std::vector<ThreadSample> after = {{1, "rrtc", 1.25},
                                           {2, "rrtc-media-0", 8.0},
                                           {3, "rrtc-media-1", 4.5},
                                           {4, "rrtc", 0.5}};  // born in the window
  const auto cpu = thread_cpu_delta(before, after);
  ASSERT_EQ(cpu.size(), 3u);
  EXPECT_EQ(cpu[0].name, "rrtc-media-0");
  EXPECT_DOUBLE_EQ(cpu[0].cpu_seconds, 3.0);
  EXPECT_EQ(cpu[1].name, "rrtc-media-1");
  EXPECT_DOUBLE_EQ(cpu[1].cpu_seconds, 2.5);
  EXPECT_EQ(cpu[2].name, "rrtc");
  EXPECT_EQ(cpu[2].threads, 2u);
  EXPECT_DOUBLE_EQ(cpu[2].cpu_seconds, 0.75);
}

TEST(ServerProbe, ReadsOwnThreads) {
  const auto threads = read_threads(static_cast<int>(getpid()));
  ASSERT_FALSE(threads.empty());
  bool main_thread = false;
  for (const auto& t : threads) main_thread = main_thread || t.tid == static_cast<int>(getpid());
  EXPECT_TRUE(main_thread);
  EXPECT_TRUE(read_threads(-1).empty());
}

}  // namespace
}  // namespace rrtc::loadgen
