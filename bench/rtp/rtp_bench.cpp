// Microbenchmarks of the pure media layers on captured aiortc packets: RTP parse, the
// per-subscriber in-place rewrite, RTCP compound parse, and NACK build. Google Benchmark
// reports the time per iteration; each iteration is one operation, so it reads as ns per op.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtcp/compound.hpp"
#include "rtcp/nack.hpp"
#include "rtp/hex_fixture.hpp"
#include "rtp/packet.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

void BM_RtpParse(benchmark::State& state) {
  Bytes packet = rrtc::test::load_hex_fixture("rtp/vp8_key_frame_start.hex");
  for (auto _ : state) {
    auto parsed = rrtc::rtp::Packet::parse(packet);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_RtpParse);

void BM_RtpParseExtensionLookup(benchmark::State& state) {
  Bytes packet = rrtc::test::load_hex_fixture("rtp/opus_audio_level.hex");
  for (auto _ : state) {
    auto parsed = rrtc::rtp::Packet::parse(packet);
    auto level = parsed->extension(2);
    benchmark::DoNotOptimize(level);
  }
}
BENCHMARK(BM_RtpParseExtensionLookup);

// What the Forwarder does per subscriber after copying: parse the copy, rewrite SSRC, payload
// type, sequence number, timestamp and extension ids in place.
void BM_RtpRewrite(benchmark::State& state) {
  Bytes packet = rrtc::test::load_hex_fixture("rtp/vp8_key_frame_start.hex");
  rrtc::rtp::ExtensionIdMap map{};
  map[1] = 4;
  map[3] = 2;
  rrtc::rtp::ExtensionIdMap back{};
  back[4] = 1;
  back[2] = 3;
  std::uint16_t seq = 0;
  bool flip = false;
  for (auto _ : state) {
    auto parsed = rrtc::rtp::Packet::parse(packet);
    parsed->set_ssrc(0x12345678);
    parsed->set_payload_type(100);
    parsed->set_sequence_number(seq++);
    parsed->set_timestamp(seq * 3000u);
    parsed->rewrite_extension_ids(flip ? back : map);  // alternate so every call rewrites
    flip = !flip;
    benchmark::DoNotOptimize(packet.data());
  }
}
BENCHMARK(BM_RtpRewrite);

void BM_RtcpCompoundParse(benchmark::State& state) {
  Bytes compound;
  for (const char* name : {"rtcp/sr_compound.hex", "rtcp/rr_two_blocks.hex",
                           "rtcp/remb_compound.hex", "rtcp/nack_compound.hex"}) {
    const Bytes part = rrtc::test::load_hex_fixture(name);
    compound.insert(compound.end(), part.begin(), part.end());
  }
  for (auto _ : state) {
    rrtc::rtcp::CompoundReader reader(compound);
    std::size_t count = 0;
    while (auto packet = reader.next()) {
      benchmark::DoNotOptimize(packet);
      ++count;
    }
    benchmark::DoNotOptimize(count);
  }
  state.counters["packets_per_compound"] = 5;
}
BENCHMARK(BM_RtcpCompoundParse);

// Pack 32 lost sequence numbers (some adjacent, some far apart) into a NACK and serialize it.
void BM_NackBuild(benchmark::State& state) {
  std::array<std::uint16_t, 32> lost{};
  for (std::size_t i = 0; i < lost.size(); ++i) {
    lost[i] = static_cast<std::uint16_t>(65500 + i * 3 + (i % 4 == 0 ? 20 : 0));
  }
  std::array<rrtc::rtcp::NackItem, 32> items{};
  std::array<std::uint8_t, 1200> out{};
  for (auto _ : state) {
    const std::size_t n = rrtc::rtcp::pack_nack_items(lost, items);
    rrtc::rtcp::Nack nack;
    nack.sender_ssrc = 1;
    nack.media_ssrc = 2;
    nack.items = std::span<const rrtc::rtcp::NackItem>(items.data(), n);
    benchmark::DoNotOptimize(nack.write_to(out));
  }
}
BENCHMARK(BM_NackBuild);

}  // namespace

BENCHMARK_MAIN();
