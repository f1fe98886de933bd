// SDP microbenchmarks on the captured Chromium offer (audio, camera, screen, data channel;
// 13 KB, 32 candidates): parse, serialize, and answer. Reports ns per operation.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace {

std::string chromium_offer() {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/chromium_offer.sdp", std::ios::binary);
  if (!in) throw std::runtime_error("missing tests/data/sdp/chromium_offer.sdp");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_ParseChromeOffer(benchmark::State& state) {
  const std::string text = chromium_offer();
  for (auto _ : state) {
    auto parsed = rrtc::sdp::parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseChromeOffer);

void BM_SerializeChromeOffer(benchmark::State& state) {
  const auto parsed = rrtc::sdp::parse(chromium_offer());
  for (auto _ : state) {
    std::string text = rrtc::sdp::serialize(*parsed);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_SerializeChromeOffer);

void BM_AnswerChromeOffer(benchmark::State& state) {
  const auto offer = rrtc::sdp::parse(chromium_offer());
  const rrtc::sdp::Capabilities caps = rrtc::sdp::default_capabilities();
  rrtc::sdp::LocalTransport transport;
  transport.ice_ufrag = "bench";
  transport.ice_pwd = "benchpassword0123456789";
  transport.fingerprint = offer->media[0].fingerprints[0];
  rrtc::sdp::AnswerInput input;
  input.capabilities = &caps;
  input.transport = &transport;
  for (auto _ : state) {
    auto answer = rrtc::sdp::answer_offer(*offer, input);
    benchmark::DoNotOptimize(answer);
  }
}
BENCHMARK(BM_AnswerChromeOffer);

}  // namespace

BENCHMARK_MAIN();
