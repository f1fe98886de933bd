// The forwarding hot path allocates nothing: Router::on_rtp (ingress policing and its notice,
// RTX unwrap, receive stats, NACK bookkeeping, deadlines scheduled, one copy rewritten per
// subscriber, written once into the sink's send slot where it has one, one stored copy per
// published packet), on_rtcp (NACK answered from that copy within the round trip and budget, RTT
// from report blocks, PLI, REMB, SR translated) and handle_timeout (upstream NACKs, key-frame
// retries, RR, REMB aggregated over subscribers). Its own binary, because it replaces the global
// operator new to count allocations.
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "room/router.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet_builder.hpp"
#include "support/counting_new.hpp"

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

using rrtc::test::CountAllocations;

struct NullSink final : RouterSink {
  bool send_rtp(std::span<std::uint8_t>, std::size_t, SendKind) noexcept override {
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t>, std::size_t) noexcept override { return true; }
};

// A sink with a send slot of its own (as MediaParticipant hands out io::SendRing's next slot):
// counts the copies written straight into it.
struct SlotSink final : RouterSink {
  std::span<std::uint8_t> egress_slot() noexcept override { return slot; }
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t, SendKind) noexcept override {
    if (buffer.data() == slot.data()) ++written;
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t>, std::size_t) noexcept override { return true; }
  std::array<std::uint8_t, 1500> slot{};
  std::size_t written = 0;
};

TEST(RouterHotPath, CounterSeesAllocations) {
  std::size_t counted = 0;
  {
    CountAllocations scope;
    auto box = std::make_unique<std::vector<int>>(16);
    counted = scope.count();
  }
  EXPECT_GE(counted, 2u);
}

TEST(RouterHotPath, ForwardingFeedbackAndTimeoutsAllocateNothing) {
  ForwardCounters counters;
  RouterOptions options;
  options.max_track_packets_per_second = 100;  // some of the 200 ms below are policed
  Router router(options, counters);
  NullSink sink;
  SlotSink slot_sink;
  auto& publisher = router.add("p", sink, {});
  PublishedTrack track;
  track.key = "p/1";
  track.type = TrackType::camera;
  PublishedCodec vp8;
  vp8.payload_type = 96;
  vp8.rtx_payload_type = 97;
  vp8.video_codec = rtp::VideoCodec::kVp8;
  vp8.nack = vp8.pli = true;
  track.codecs = {vp8};
  track.ssrc = 1;
  track.rtx_ssrc = 2;
  track.remb = true;
  // A second camera that never sends: its subscriber keeps waiting, so key-frame retries fall
  // due inside the counted scope.
  PublishedTrack silent = track;
  silent.key = "p/2";
  silent.ssrc = 3;
  silent.rtx_ssrc = 0;
  const time::Timestamp t0(1s);
  router.publish(publisher, {track, silent}, t0);
  std::vector<Router::Member*> subscribers;
  for (int i = 0; i < 10; ++i) {
    auto& member = router.add("s" + std::to_string(i), i % 2 == 1 ? static_cast<RouterSink&>(slot_sink) : sink,
                              {});
    Subscription sub;
    sub.track_key = track.key;
    sub.ssrc = static_cast<std::uint32_t>(100 + i);
    sub.payload_types.fill(kNoPayloadType);
    sub.payload_types[96] = 96;
    sub.extension_ids.fill(0);
    std::vector<Subscription> subs{sub};
    if (i == 0) {
      subs.push_back(sub);
      subs.back().track_key = silent.key;
      subs.back().ssrc = 200;
    }
    router.subscribe(member, subs, t0);
    subscribers.push_back(&member);
  }
  std::vector<std::uint8_t> payload(1000, 0x11);
  const std::uint8_t keyframe[] = {0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a};
  std::copy(std::begin(keyframe), std::end(keyframe), payload.begin());
  const auto packet = [&](std::uint32_t ssrc, std::uint8_t pt, std::uint16_t seq) {
    rtp::PacketBuilder builder;
    builder.set_ssrc(ssrc)
        .set_payload_type(pt)
        .set_sequence_number(seq)
        .set_timestamp(seq * 3000u)
        .set_payload(payload);
    std::vector<std::uint8_t> out(builder.serialized_size());
    builder.write_to(out);
    return out;
  };
  // Prepared outside the counted scope: packets with a gap, an RTX repair, and RTCP.
  std::vector<std::vector<std::uint8_t>> ingress;
  for (std::uint16_t seq = 0; seq < 200; ++seq) {
    if (seq % 10 != 5) ingress.push_back(packet(1, 96, seq));
    if (seq == 7) {
      auto rtx = packet(2, 97, 7);
      rtx[12] = 0;
      rtx[13] = 5;  // repairs sequence number 5
      ingress.push_back(rtx);
    }
  }
  std::array<std::uint8_t, 64> nack_bytes{};
  const std::array<std::uint16_t, 2> lost{3, 4};
  std::array<rtcp::NackItem, 2> items{};
  rtcp::Nack nack;
  nack.sender_ssrc = 9;
  nack.media_ssrc = 100;
  nack.items = std::span<const rtcp::NackItem>(items.data(), rtcp::pack_nack_items(lost, items));
  const std::size_t nack_size = nack.write_to(nack_bytes);
  // The same NACK twice in one compound: the second is refused as a duplicate.
  std::array<std::uint8_t, 128> nack_twice{};
  rtcp::CompoundWriter nack_writer(nack_twice);
  nack_writer.append(nack);
  nack_writer.append(nack);
  rtcp::ReceiverReport rr;
  std::array<rtcp::ReportBlock, 1> blocks{};
  blocks[0].ssrc = 100;
  blocks[0].last_sr = 1;
  rr.report_blocks = blocks;
  std::array<std::uint8_t, 64> rr_bytes{};
  const std::size_t rr_size = rr.write_to(rr_bytes);
  std::array<std::uint8_t, 64> remb_bytes{};
  rtcp::Remb remb;
  remb.bitrate_bps = 500'000;
  const std::array<std::uint32_t, 1> remb_ssrcs{100};
  remb.ssrcs = remb_ssrcs;
  const std::size_t remb_size = remb.write_to(remb_bytes);
  std::array<std::uint8_t, 64> sr_bytes{};
  rtcp::SenderReport sr;
  sr.sender_ssrc = 1;
  const std::size_t sr_size = sr.write_to(sr_bytes);
  const rtcp::Pli pli{9, 100};
  std::array<std::uint8_t, 16> pli_bytes{};
  const std::size_t pli_size = pli.write_to(pli_bytes);

  const std::uint64_t keyframe_requests = counters.keyframe_requests.get();
  std::size_t counted = 0;
  time::Timestamp now = t0;
  {
    CountAllocations scope;
    for (auto& bytes : ingress) {
      router.on_rtp(publisher, bytes, now);
      now += 1ms;
      router.handle_timeout(now);
    }
    router.on_rtcp(*subscribers[0], std::span(nack_bytes.data(), nack_size), now);
    router.on_rtcp(*subscribers[0], std::span(nack_twice.data(), nack_writer.size()), now);
    router.on_rtcp(*subscribers[0], std::span(rr_bytes.data(), rr_size), now);
    for (auto* subscriber : subscribers) {
      router.on_rtcp(*subscriber, std::span(remb_bytes.data(), remb_size), now);
    }
    router.on_rtcp(*subscribers[0], std::span(pli_bytes.data(), pli_size), now);
    router.on_rtcp(publisher, std::span(sr_bytes.data(), sr_size), now);
    for (int i = 0; i < 3; ++i) {
      now += 1s;
      router.handle_timeout(now);
    }
    counted = scope.count();
  }
  EXPECT_EQ(counted, 0u);
  EXPECT_EQ(counters.keyframe_requests.get() - keyframe_requests, 3u);  // the silent camera's
  EXPECT_GE(counters.forwarded_packets.get(), 10u * 100u);
  EXPECT_GE(slot_sink.written, 5u * 100u);
  EXPECT_GE(counters.policed_packets.get(), 1u);
  EXPECT_TRUE(router.take_policing_notice().has_value());
  EXPECT_EQ(counters.retransmit_refused_duplicate.get(), 4u);
  EXPECT_GE(counters.nacks_sent.get(), 1u);
  EXPECT_EQ(counters.retransmitted_packets.get(), 2u);
  EXPECT_EQ(counters.packets_recovered.get(), 1u);
  EXPECT_GE(counters.remb_sent.get(), 1u);
  EXPECT_GE(counters.sender_reports_sent.get(), 10u);
}

}  // namespace
}  // namespace rrtc::room
