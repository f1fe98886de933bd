// The send-side bandwidth estimator's cost per packet sent to one subscriber: on_packet_sent
// for each packet plus its share of one feedback per batch (a transport-cc message parsed from
// RTCP bytes, as the engine would get it, or already-unwrapped reports). 1200-byte packets 1 ms
// apart (9.6 Mbit/s) with a varying arrival pattern, so the delay filters do real work; items
// per second = packets per second, and time per iteration / batch = ns per packet.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bwe/send_side_estimator.hpp"
#include "rtcp/header.hpp"
#include "rtcp/transport_cc.hpp"

namespace {

using rrtc::time::Duration;
using rrtc::time::Timestamp;
namespace bwe = rrtc::bwe;

constexpr std::int64_t kBatch = 64;              // packets per feedback (64 ms at 1 packet/ms)
constexpr std::int64_t kCycle = 65536 / kBatch;  // feedbacks before the 16-bit numbers repeat

Duration arrival_of(std::int64_t seq) {
  // 20 ms path, 0..3 ms of jitter that never reorders, plus a slow queue swing.
  const std::int64_t swing = (seq / 500) % 2 == 0 ? (seq % 500) * 10 : (500 - seq % 500) * 10;
  return Duration(seq * 1000 + 20'000 + (seq * 7919 % 4) * 250 + swing);
}

// The RTCP bytes of one cycle of feedbacks: batch i reports seqs i*kBatch..i*kBatch+kBatch-1,
// one in 50 lost.
std::vector<std::vector<std::uint8_t>> feedback_cycle() {
  std::vector<std::vector<std::uint8_t>> out;
  for (std::int64_t b = 0; b < kCycle; ++b) {
    std::vector<rrtc::rtcp::PacketArrival> arrivals;
    for (std::int64_t s = b * kBatch; s < (b + 1) * kBatch; ++s) {
      if (s % 50 != 7) arrivals.push_back({s, arrival_of(s)});
    }
    const rrtc::rtcp::TransportCc cc(1, 2, static_cast<std::uint8_t>(b), arrivals);
    std::vector<std::uint8_t> bytes(cc.serialized_size());
    cc.write_to(bytes);
    out.push_back(std::move(bytes));
  }
  return out;
}

void BM_SentPlusTransportCcFeedback(benchmark::State& state) {
  const auto cycle = feedback_cycle();
  const Timestamp t0{Duration(1'000'000'000)};
  bwe::EstimatorConfig config;
  config.probing.enabled = false;
  bwe::SendSideEstimator estimator(config, t0);
  std::int64_t seq = 0;
  std::int64_t batch = 0;
  for (auto _ : state) {
    const std::int64_t first = seq;
    for (std::int64_t i = 0; i < kBatch; ++i, ++seq) {
      estimator.on_packet_sent(
          bwe::SentPacket{seq, 1200, t0 + Duration(seq * 1000), bwe::kNoProbeCluster});
    }
    const auto& bytes = cycle[static_cast<std::size_t>(batch++ % kCycle)];
    const auto raw = rrtc::rtcp::parse_raw(bytes);
    const auto cc = rrtc::rtcp::TransportCc::parse(*raw);
    estimator.on_feedback(*cc, t0 + Duration(first * 1000 + 100'000));
    benchmark::DoNotOptimize(estimator.target_bitrate());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["target_kbps"] = estimator.target_bitrate().kbps();
}
BENCHMARK(BM_SentPlusTransportCcFeedback);

void BM_SentPlusReports(benchmark::State& state) {
  const Timestamp t0{Duration(1'000'000'000)};
  bwe::EstimatorConfig config;
  config.probing.enabled = false;
  bwe::SendSideEstimator estimator(config, t0);
  std::vector<bwe::PacketReport> reports(kBatch);
  std::int64_t seq = 0;
  for (auto _ : state) {
    const std::int64_t first = seq;
    for (std::int64_t i = 0; i < kBatch; ++i, ++seq) {
      estimator.on_packet_sent(
          bwe::SentPacket{seq, 1200, t0 + Duration(seq * 1000), bwe::kNoProbeCluster});
      reports[static_cast<std::size_t>(i)] = bwe::PacketReport{seq, seq % 50 != 7, arrival_of(seq)};
    }
    estimator.on_feedback(reports, t0 + Duration(first * 1000 + 100'000));
    benchmark::DoNotOptimize(estimator.target_bitrate());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_SentPlusReports);

void BM_OnPacketSent(benchmark::State& state) {
  const Timestamp t0{Duration(1'000'000'000)};
  bwe::SendSideEstimator estimator(bwe::EstimatorConfig{}, t0);
  std::int64_t seq = 0;
  for (auto _ : state) {
    estimator.on_packet_sent(
        bwe::SentPacket{seq, 1200, t0 + Duration(seq * 1000), bwe::kNoProbeCluster});
    ++seq;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OnPacketSent);

}  // namespace

BENCHMARK_MAIN();
