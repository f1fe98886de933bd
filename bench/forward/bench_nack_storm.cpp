// A NACK storm against the Router (issue 15, row R5): one subscriber of a 1200-byte video
// stream sends 100 compound RTCP packets, one per millisecond of media time, each of four NACK
// messages asking for the 255 newest packets again (1020 sequence numbers per compound), while
// the stream goes on at one packet per millisecond. One iteration is the whole storm of 100
// compounds plus the 100 media packets between them; the sink SRTP-protects every copy
// (AEAD_AES_128_GCM) and drops it, so the CPU time is the worker's cost of answering.
// Counters: resends per compound, and what the Router refused (duplicates within a round trip,
// over the subscriber's retransmit budget).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "room/router.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet_builder.hpp"
#include "srtp/session.hpp"

namespace {

using namespace rrtc;

constexpr std::size_t kCompounds = 100;
constexpr std::size_t kNacksPerCompound = 4;
constexpr std::size_t kItemsPerNack = 15;  // 15 x 17 = 255 sequence numbers

class ProtectingSink final : public room::RouterSink {
 public:
  ProtectingSink() : session_(make_session()) {}
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                room::SendKind) noexcept override {
    last_seq = static_cast<std::uint16_t>((buffer[2] << 8) | buffer[3]);
    ++sent;
    return session_.protect_rtp(buffer, length).has_value();
  }
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    return session_.protect_rtcp(buffer, length).has_value();
  }
  std::uint16_t last_seq = 0;
  std::uint64_t sent = 0;

 private:
  static srtp::SrtpSession make_session() {
    std::array<std::uint8_t, 28> master{};
    for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<std::uint8_t>(i * 7);
    auto session = srtp::SrtpSession::create(srtp::SrtpProfile::AeadAes128Gcm, master,
                                             srtp::SrtpDirection::Outbound);
    if (!session) std::abort();
    return std::move(*session);
  }
  srtp::SrtpSession session_;
};

// Four NACK messages for the 255 packets up to `newest`, in one compound.
std::size_t write_storm(std::uint16_t newest, std::uint32_t media_ssrc,
                        std::span<std::uint8_t> out) {
  std::array<rtcp::NackItem, kItemsPerNack> items{};
  for (std::size_t i = 0; i < kItemsPerNack; ++i) {
    items[i].pid = static_cast<std::uint16_t>(newest - 254 + 17 * i);
    items[i].blp = 0xffff;
  }
  rtcp::CompoundWriter writer(out);
  for (std::size_t m = 0; m < kNacksPerCompound; ++m) {
    rtcp::Nack nack;
    nack.sender_ssrc = 77;
    nack.media_ssrc = media_ssrc;
    nack.items = items;
    if (!writer.append(nack)) std::abort();
  }
  return writer.size();
}

void BM_NackStorm(benchmark::State& state) {
  room::ForwardCounters counters;
  room::Router router(room::RouterOptions{}, counters);
  ProtectingSink publisher_sink;
  ProtectingSink subscriber_sink;
  auto& publisher = router.add("pub", publisher_sink, {});
  auto& subscriber = router.add("sub", subscriber_sink, {});
  room::PublishedTrack track;
  track.key = "pub/1";
  track.mid = "1";
  room::PublishedCodec vp8;
  vp8.payload_type = 96;
  vp8.video_codec = rtp::VideoCodec::kVp8;
  vp8.nack = true;
  track.codecs = {vp8};
  track.ssrc = 1000;
  time::Timestamp now(std::chrono::seconds(1));
  router.publish(publisher, {track}, now);
  room::Subscription sub;
  sub.track_key = track.key;
  sub.ssrc = 5000;
  sub.payload_types.fill(room::kNoPayloadType);
  sub.payload_types[96] = 96;
  sub.extension_ids.fill(0);
  router.subscribe(subscriber, {sub}, now);

  std::vector<std::uint8_t> payload(1200 - 12, 0x55);
  const std::array<std::uint8_t, 7> keyframe{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a};
  std::copy(keyframe.begin(), keyframe.end(), payload.begin());
  rtp::PacketBuilder builder;
  builder.set_ssrc(1000).set_payload_type(96).set_sequence_number(0).set_timestamp(0).set_payload(
      payload);
  std::vector<std::uint8_t> packet(builder.serialized_size());
  builder.write_to(packet);
  std::uint16_t seq = 0;
  const auto media = [&] {
    packet[2] = static_cast<std::uint8_t>(seq >> 8);
    packet[3] = static_cast<std::uint8_t>(seq);
    router.on_rtp(publisher, packet, now);
    packet[12 + 1] = 0x01;  // delta frames after the first
    ++seq;
    now += std::chrono::milliseconds(1);
    router.handle_timeout(now);
  };
  // A full retransmit ring before the storm starts.
  for (int i = 0; i < 300; ++i) media();

  std::array<std::uint8_t, 1500> compound{};
  const std::uint64_t resent_before = counters.retransmitted_packets.get();
  for (auto _ : state) {
    for (std::size_t c = 0; c < kCompounds; ++c) {
      media();
      const std::size_t size = write_storm(subscriber_sink.last_seq, sub.ssrc, compound);
      router.on_rtcp(subscriber, std::span(compound.data(), size), now);
    }
  }
  const auto compounds = static_cast<double>(state.iterations() * kCompounds);
  state.counters["resent_per_compound"] =
      static_cast<double>(counters.retransmitted_packets.get() - resent_before) / compounds;
  state.counters["refused_duplicate_per_compound"] =
      static_cast<double>(counters.retransmit_refused_duplicate.get()) / compounds;
  state.counters["refused_budget_per_compound"] =
      static_cast<double>(counters.retransmit_refused_budget.get()) / compounds;
  state.counters["asked_per_compound"] = kNacksPerCompound * kItemsPerNack * 17;
  state.counters["compound_bytes"] =
      static_cast<double>(write_storm(subscriber_sink.last_seq, sub.ssrc, compound));
}

BENCHMARK(BM_NackStorm)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
