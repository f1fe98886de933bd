// What active-speaker detection costs per audio packet (room/speaker_detector.hpp):
// - BM_ReadLevelAndFeed: parse the RTP header, find the ssrc-audio-level element among the
//   others a browser sends (mid, abs-send-time, transport-cc) and feed the detector;
// - BM_DetectorOnly: SpeakerDetector::on_level alone;
// - BM_RouterAudioIngress/levels:{0,1}: a whole Router::on_rtp of an Opus packet from a
//   publisher with no subscriber, with the track's audio-level id unset (0) or set (1): the
//   difference is what the Router pays for detection on its hot path;
// - BM_Evaluate/N: one speakers() evaluation over N sources (every 200 ms per room, not per
//   packet), half of them speaking.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "room/router.hpp"
#include "room/speaker_detector.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"

namespace {

using namespace rrtc;

constexpr std::uint8_t kMidId = 4;
constexpr std::uint8_t kLevelId = 1;
constexpr std::uint8_t kAbsSendTimeId = 2;
constexpr std::uint8_t kTransportCcId = 3;

// An Opus packet as Chrome sends it: four one-byte extensions, the level last but one.
std::vector<std::uint8_t> opus_packet(std::uint16_t sequence, std::uint8_t level) {
  const std::vector<std::uint8_t> payload(80, 0x33);
  const std::array<std::uint8_t, 1> mid{'0'};
  const std::array<std::uint8_t, 3> abs_send_time{1, 2, 3};
  const std::array<std::uint8_t, 2> twcc{0, 1};
  const std::array<std::uint8_t, 1> audio_level{level};
  rtp::PacketBuilder builder;
  builder.set_payload_type(111)
      .set_sequence_number(sequence)
      .set_timestamp(sequence * 960u)
      .set_ssrc(1234)
      .set_payload(payload);
  builder.add_extension(kMidId, mid);
  builder.add_extension(kAbsSendTimeId, abs_send_time);
  builder.add_extension(kLevelId, audio_level);
  builder.add_extension(kTransportCcId, twcc);
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

void BM_ReadLevelAndFeed(benchmark::State& state) {
  room::SpeakerDetector detector;
  const auto source = detector.add();
  auto bytes = opus_packet(1, 30);
  time::Timestamp now{};
  for (auto _ : state) {
    const auto packet = rtp::Packet::parse(bytes);
    if (!packet) std::abort();
    const auto level = packet->extension(kLevelId);
    if (level && !level->empty()) detector.on_level(source, (*level)[0], now);
    now += time::to_duration(std::chrono::milliseconds(20));
  }
  benchmark::DoNotOptimize(detector.heard_voice());
}
BENCHMARK(BM_ReadLevelAndFeed);

void BM_DetectorOnly(benchmark::State& state) {
  room::SpeakerDetector detector;
  const auto source = detector.add();
  time::Timestamp now{};
  std::uint8_t level = 30;
  for (auto _ : state) {
    detector.on_level(source, level, now);
    level = static_cast<std::uint8_t>(level ^ 0x40);  // speech and noise alternate
    now += time::to_duration(std::chrono::milliseconds(20));
  }
  benchmark::DoNotOptimize(detector.heard_voice());
}
BENCHMARK(BM_DetectorOnly);

class DropSink final : public room::RouterSink {
 public:
  bool send_rtp(std::span<std::uint8_t>, std::size_t, room::SendKind) noexcept override {
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t>, std::size_t) noexcept override { return true; }
};

void BM_RouterAudioIngress(benchmark::State& state) {
  room::ForwardCounters counters;
  room::RouterOptions options;
  options.max_track_packets_per_second = 0;  // no policing: every iteration is a packet
  options.max_track_bitrate = 0;
  room::Router router(options, counters);
  DropSink sink;
  auto& publisher = router.add("pub", sink, {});
  room::PublishedTrack track;
  track.key = "pub/0";
  track.mid = "0";
  track.type = room::TrackType::audio;
  track.video = false;
  room::PublishedCodec opus;
  opus.payload_type = 111;
  opus.clock_rate = 48000;
  track.codecs = {opus};
  track.ssrc = 1234;
  track.audio_level_extension_id = state.range(0) != 0 ? kLevelId : 0;
  router.publish(publisher, {track}, time::Timestamp{});
  const auto original = opus_packet(1, 30);
  std::vector<std::uint8_t> bytes = original;
  std::uint16_t sequence = 1;
  time::Timestamp now{};
  for (auto _ : state) {
    // The sequence number advances (as on the wire) so receive statistics see no duplicates.
    bytes[2] = static_cast<std::uint8_t>(sequence >> 8);
    bytes[3] = static_cast<std::uint8_t>(sequence);
    ++sequence;
    router.on_rtp(publisher, bytes, now);
    now += time::to_duration(std::chrono::milliseconds(20));
  }
  benchmark::DoNotOptimize(router.speech_heard());
}
BENCHMARK(BM_RouterAudioIngress)->ArgName("levels")->Arg(0)->Arg(1);

void BM_Evaluate(benchmark::State& state) {
  const auto sources = static_cast<std::size_t>(state.range(0));
  room::SpeakerDetector detector;
  time::Timestamp now{};
  std::vector<room::SpeakerDetector::Source> ids;
  for (std::size_t i = 0; i < sources; ++i) ids.push_back(detector.add());
  for (int ms = 0; ms <= 400; ms += 20) {
    for (std::size_t i = 0; i < sources; ++i) {
      const auto level = static_cast<std::uint8_t>(i % 2 == 0 ? 20 + i % 30 : 127);
      detector.on_level(ids[i], level, now);
    }
    now += time::to_duration(std::chrono::milliseconds(20));
  }
  std::vector<room::SpeakerDetector::Speaker> out;
  out.reserve(detector.capacity());
  for (auto _ : state) {
    detector.speakers(now, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["speakers"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Evaluate)->Arg(2)->Arg(10)->Arg(50);

}  // namespace

BENCHMARK_MAIN();
