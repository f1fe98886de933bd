// The forwarding hot path: one ingress RTP packet (1200 bytes, already decrypted) through the
// Router to N subscribers, each copy rewritten (SSRC, payload type, sequence number, timestamp,
// extension ids) and SRTP-protected (our srtp::SrtpSession, AEAD_AES_128_GCM or AES_CM/HMAC);
// the publisher's packet kept once for NACKs. Reported per egress packet. No sockets: the sink
// protects and drops, so this is the CPU of the path itself. `Slot` variants: the sink hands
// out a send slot of its own (as the engine's io::SendRing does), so each copy is written once,
// there. Ingress policing is off (the loop sends 10,000 packets/s of one track, over the default
// cap): every packet must reach every subscriber, or the run reports an error.
#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <vector>

#include "room/router.hpp"
#include "rtp/packet_builder.hpp"
#include "srtp/session.hpp"

namespace {

using namespace rrtc;

class ProtectingSink final : public room::RouterSink {
 public:
  ProtectingSink(srtp::SrtpProfile profile, bool slot)
      : session_(make_session(profile)), use_slot_(slot) {}
  std::span<std::uint8_t> egress_slot() noexcept override {
    return use_slot_ ? std::span<std::uint8_t>(slot_) : std::span<std::uint8_t>();
  }
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                room::SendKind) noexcept override {
    return session_.protect_rtp(buffer, length).has_value();
  }
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    return session_.protect_rtcp(buffer, length).has_value();
  }

 private:
  static srtp::SrtpSession make_session(srtp::SrtpProfile profile) {
    std::array<std::uint8_t, 30> master{};
    for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<std::uint8_t>(i * 7);
    const std::size_t length = srtp::master_key_length(profile) + srtp::master_salt_length(profile);
    auto session = srtp::SrtpSession::create(profile, std::span(master.data(), length),
                                             srtp::SrtpDirection::Outbound);
    if (!session) std::abort();
    return std::move(*session);
  }
  srtp::SrtpSession session_;
  bool use_slot_;
  alignas(64) std::array<std::uint8_t, 1500> slot_{};
};

void forward(benchmark::State& state, srtp::SrtpProfile profile, bool slot) {
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  room::ForwardCounters counters;
  room::RouterOptions options;
  options.max_track_packets_per_second = 0;
  options.max_track_bitrate = 0;
  room::Router router(options, counters);
  ProtectingSink publisher_sink(profile, false);
  room::Router::Member& publisher = router.add("pub", publisher_sink, {});
  room::PublishedTrack track;
  track.key = "pub/1";
  track.mid = "1";
  track.type = room::TrackType::camera;
  track.video = true;
  room::PublishedCodec vp8;
  vp8.payload_type = 96;
  vp8.video_codec = rtp::VideoCodec::kVp8;
  track.codecs = {vp8};
  track.ssrc = 1000;
  router.publish(publisher, {track}, time::Timestamp{});
  std::vector<std::unique_ptr<ProtectingSink>> sinks;
  for (std::size_t i = 0; i < subscribers; ++i) {
    sinks.push_back(std::make_unique<ProtectingSink>(profile, slot));
    auto& member = router.add("sub" + std::to_string(i), *sinks.back(), {});
    room::Subscription sub;
    sub.track_key = track.key;
    sub.ssrc = static_cast<std::uint32_t>(5000 + i);
    sub.payload_types.fill(room::kNoPayloadType);
    sub.payload_types[96] = 100;
    sub.extension_ids.fill(0);
    sub.extension_ids[3] = 2;  // abs-send-time renumbered; the mid (4) removed
    router.subscribe(member, {sub}, time::Timestamp{});
  }
  // A key frame start so every subscriber starts, then delta frames.
  std::vector<std::uint8_t> payload(1200 - 12 - 12, 0x55);
  const std::array<std::uint8_t, 10> keyframe{0x10, 0x00, 0x00, 0x00, 0x9d,
                                              0x01, 0x2a, 0x80, 0x02, 0xe0};
  std::copy(keyframe.begin(), keyframe.end(), payload.begin());
  const std::array<std::uint8_t, 3> abs_send_time{1, 2, 3};
  const std::array<std::uint8_t, 1> mid{'1'};
  std::vector<std::uint8_t> packet(1300);
  rtp::PacketBuilder builder;
  builder.set_ssrc(1000).set_payload_type(96).set_sequence_number(0).set_timestamp(0).set_payload(
      payload);
  builder.add_extension(3, abs_send_time);
  builder.add_extension(4, mid);
  const std::size_t size = builder.write_to(packet);
  const std::size_t header = size - payload.size();
  std::uint16_t seq = 0;
  time::Timestamp now(std::chrono::seconds(1));
  for (auto _ : state) {
    // Sequence number and timestamp advance in place, as a publisher's stream would.
    const std::uint32_t ts = static_cast<std::uint32_t>(seq) * 3000;
    packet[2] = static_cast<std::uint8_t>(seq >> 8);
    packet[3] = static_cast<std::uint8_t>(seq);
    packet[4] = static_cast<std::uint8_t>(ts >> 24);
    packet[5] = static_cast<std::uint8_t>(ts >> 16);
    packet[6] = static_cast<std::uint8_t>(ts >> 8);
    packet[7] = static_cast<std::uint8_t>(ts);
    router.on_rtp(publisher, std::span(packet.data(), size), now);
    packet[header + 1] = 0x01;  // later packets are delta frames
    ++seq;
    now += std::chrono::microseconds(100);
  }
  const auto egress = static_cast<double>(state.iterations()) * static_cast<double>(subscribers);
  state.counters["time_per_egress"] =
      benchmark::Counter(egress, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<std::int64_t>(egress));
  // Every iteration's packet to every subscriber (the first one is a key frame: all start).
  if (counters.forwarded_packets.get() != static_cast<std::uint64_t>(egress)) {
    state.SkipWithError("packets were not forwarded");
  }
}

void BM_ForwardGcm(benchmark::State& state) {
  forward(state, srtp::SrtpProfile::AeadAes128Gcm, false);
}
void BM_ForwardGcmSlot(benchmark::State& state) {
  forward(state, srtp::SrtpProfile::AeadAes128Gcm, true);
}
void BM_ForwardCm(benchmark::State& state) {
  forward(state, srtp::SrtpProfile::AesCm128HmacSha1_80, false);
}

BENCHMARK(BM_ForwardGcm)->Arg(1)->Arg(10)->Arg(50)->MeasureProcessCPUTime();
BENCHMARK(BM_ForwardGcmSlot)->Arg(1)->Arg(10)->Arg(50)->MeasureProcessCPUTime();
BENCHMARK(BM_ForwardCm)->Arg(1)->Arg(10)->Arg(50)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
