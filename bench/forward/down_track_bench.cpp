// DownTrack::forward per subscriber copy, with and without the VP8 payload descriptor rewrite
// (picture id, TL0PICIDX, KEYIDX), and the once-per-ingress-packet descriptor parse. Each
// iteration copies a 1200-byte VP8 packet into an egress buffer, parses the copy and forwards
// it in order (sequence number + 1 each time), as the Router does per subscriber, so the time
// per iteration reads as ns per forwarded packet. No SRTP, no sink.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "room/down_track.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace {

using namespace rrtc;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kPt = 96;

// A 1200-byte VP8 delta-frame start: X, I (15-bit picture id), L, T (TID 0) and K, one
// one-byte extension (mid), as browsers send with temporal layers on.
Bytes vp8_packet(int tid) {
  Bytes payload(1200 - 12 - 8, 0x5a);
  const std::array<std::uint8_t, 6> descriptor{
      0x90, 0xf0, 0x81, 0x23, 0x07, static_cast<std::uint8_t>((tid << 6) | 0x03)};
  std::memcpy(payload.data(), descriptor.data(), descriptor.size());
  payload[6] = 0x51;  // VP8 frame tag, P=1
  const std::array<std::uint8_t, 1> mid{'1'};
  rtp::PacketBuilder builder;
  builder.set_payload_type(kPt).set_sequence_number(1).set_timestamp(90000).set_ssrc(0x1000);
  builder.set_marker(true).set_payload(payload).add_extension(1, mid);
  Bytes bytes(builder.serialized_size());
  builder.write_to(bytes);
  return bytes;
}

room::Subscription subscription() {
  room::Subscription sub;
  sub.ssrc = 0xd0d0d0d0;
  sub.payload_types.fill(room::kNoPayloadType);
  sub.payload_types[kPt] = 100;
  sub.extension_ids.fill(0);
  sub.extension_ids[1] = 4;
  sub.video = true;
  return sub;
}

// `with_vp8`: FrameInfo carries the parsed descriptor (rewritten per copy); else only the
// key-frame flag (H264, or VP8 before this change). `max_tid` below the packets' TID measures
// the drop path.
void forward(benchmark::State& state, bool with_vp8, int tid, int max_tid) {
  Bytes source = vp8_packet(tid);
  std::array<std::uint8_t, 1500> egress{};
  time::Timestamp now{time::to_duration(std::chrono::seconds(10))};
  room::DownTrack track(subscription(), room::DownTrackOptions{}, now);
  room::FrameInfo frame;
  const auto parsed = rtp::Packet::parse(source);
  if (with_vp8) frame.vp8 = rtp::parse_vp8_descriptor(parsed->payload());
  frame.keyframe = true;  // the first packet starts the track
  std::int64_t seq = 1;
  {
    std::memcpy(egress.data(), source.data(), source.size());
    auto copy = rtp::Packet::parse(std::span<std::uint8_t>(egress.data(), source.size()));
    if (track.forward(*copy, 0, seq++, frame, now) != room::ForwardResult::forwarded) std::abort();
  }
  frame.keyframe = false;
  track.set_max_temporal_layer(max_tid);
  std::size_t forwarded = 0;
  for (auto _ : state) {
    std::memcpy(egress.data(), source.data(), source.size());
    auto copy = rtp::Packet::parse(std::span<std::uint8_t>(egress.data(), source.size()));
    const auto result = track.forward(*copy, 0, seq++, frame, now);
    forwarded += result == room::ForwardResult::forwarded ? 1 : 0;
    benchmark::DoNotOptimize(egress.data());
  }
  state.counters["forwarded"] = static_cast<double>(forwarded);
}

void BM_DownTrackForwardNoDescriptor(benchmark::State& state) { forward(state, false, 0, 3); }
BENCHMARK(BM_DownTrackForwardNoDescriptor);

void BM_DownTrackForwardVp8Rewrite(benchmark::State& state) { forward(state, true, 0, 3); }
BENCHMARK(BM_DownTrackForwardVp8Rewrite);

// Every packet above the allowed TID: the temporal filter drops it (after copy and parse).
void BM_DownTrackForwardVp8TemporalDrop(benchmark::State& state) { forward(state, true, 2, 0); }
BENCHMARK(BM_DownTrackForwardVp8TemporalDrop);

// Once per ingress packet in the Router, whatever the number of subscribers.
void BM_ParseVp8Descriptor(benchmark::State& state) {
  Bytes source = vp8_packet(0);
  const auto parsed = rtp::Packet::parse(source);
  const auto payload = parsed->payload();
  for (auto _ : state) {
    auto descriptor = rtp::parse_vp8_descriptor(payload);
    benchmark::DoNotOptimize(descriptor);
  }
}
BENCHMARK(BM_ParseVp8Descriptor);

}  // namespace

BENCHMARK_MAIN();
