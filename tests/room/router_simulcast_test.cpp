// The Router with a simulcast publisher (issue 17): layer SSRCs learned from the rid and
// repaired-rid extensions, upstream NACK and key-frame requests per layer SSRC, one layer per
// subscriber chosen by allocation and switched at key frames, NACKs answered across a switch,
// stream_state / publish_layers notices, padding probes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "room/router.hpp"
#include "router_fixture.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "rtp/vp9_descriptor.hpp"

namespace rrtc::room::test {
namespace {

constexpr std::uint8_t kRidId = 10;
constexpr std::uint8_t kRepairedRidId = 11;
constexpr std::uint32_t kQ = 0x100, kH = 0x200, kF = 0x300;  // layer SSRCs (not signalled)
constexpr std::uint32_t kQRtx = 0x101;

struct LayerSpec {
  std::uint32_t ssrc;
  const char* rid;
  std::uint16_t width;
  std::uint16_t height;
};
constexpr LayerSpec kLayers[] = {{kQ, "q", 320, 180}, {kH, "h", 640, 360}, {kF, "f", 1280, 720}};

PublishedTrack simulcast_track(std::vector<std::string> rids = {"q", "h", "f"}) {
  PublishedTrack track = video_track();
  track.ssrc = 0;
  track.rtx_ssrc = 0;
  track.mid_extension_id = kMidId;
  track.rid_extension_id = kRidId;
  track.repaired_rid_extension_id = kRepairedRidId;
  for (const auto& rid : rids) {
    PublishedLayer layer;
    layer.rid = rid;
    track.layers.push_back(layer);
  }
  return track;
}

// One VP8 packet of a layer: a descriptor with a 15-bit picture id; a key frame carries its size.
std::vector<std::uint8_t> vp8_packet(const LayerSpec& layer, std::uint16_t seq, std::uint32_t ts,
                                     std::uint16_t picture_id, bool keyframe, bool marker = true,
                                     bool rid = true) {
  std::vector<std::uint8_t> payload = {0x90, 0x80,
                                       static_cast<std::uint8_t>(0x80 | (picture_id >> 8)),
                                       static_cast<std::uint8_t>(picture_id)};
  if (keyframe) {
    const std::vector<std::uint8_t> header = {
        0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a,
        static_cast<std::uint8_t>(layer.width), static_cast<std::uint8_t>(layer.width >> 8),
        static_cast<std::uint8_t>(layer.height), static_cast<std::uint8_t>(layer.height >> 8),
        0xaa, 0xbb};
    payload.insert(payload.end(), header.begin(), header.end());
  } else {
    payload.insert(payload.end(), {0x01, 0x00, 0x00, 0x11, 0x22, 0x33});
  }
  rtp::PacketBuilder builder;
  builder.set_ssrc(layer.ssrc)
      .set_payload_type(kVp8)
      .set_sequence_number(seq)
      .set_timestamp(ts)
      .set_marker(marker)
      .set_payload(payload);
  const std::array<std::uint8_t, 1> mid{'1'};
  builder.add_extension(kMidId, mid);
  if (rid) {
    builder.add_extension(kRidId, std::span(reinterpret_cast<const std::uint8_t*>(layer.rid),
                                            std::char_traits<char>::length(layer.rid)));
  }
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

std::optional<std::uint16_t> picture_id_of(std::vector<std::uint8_t>& bytes) {
  auto packet = rtp::Packet::parse(bytes);
  if (!packet) return std::nullopt;
  const auto vp8 = rtp::parse_vp8_descriptor(packet->payload());
  if (!vp8 || !vp8->picture_id) return std::nullopt;
  return *vp8->picture_id;
}

Subscription simulcast_subscription() {
  auto sub = subscription(simulcast_track(), kDownVideo, 100);
  sub.track_id = "a-camera";
  sub.transport_cc_extension_id = 5;
  return sub;
}

// Member a publishes audio and a q/h/f simulcast camera; member b receives both.
class RouterSimulcastTest : public RouterTest {
 protected:
  RouterSimulcastTest() {
    router_.publish(a_, {audio_track(), simulcast_track()}, now_);
    // New links (the fixture's video link would be kept, with its Subscription).
    router_.subscribe(b_, {}, now_);
    router_.subscribe(b_, {audio_subscription(), simulcast_subscription()}, now_);
    publisher_.rtcp.clear();
  }
  void send_layer(int index, std::uint16_t seq, std::uint16_t picture_id, bool keyframe,
                  bool rid = true) {
    const LayerSpec& layer = kLayers[index];
    send(vp8_packet(layer, seq, 3000u * seq, picture_id, keyframe, true, rid));
  }
  // All three layers' key frames: their SSRCs are learned.
  void start_layers() {
    for (int i = 0; i < 3; ++i) send_layer(i, 1, 10, true);
  }
  int plis_to(std::uint32_t ssrc) const {
    return publisher_.count_rtcp<rtcp::Pli>(
        [&](const rtcp::Pli& pli) { return pli.media_ssrc == ssrc; });
  }
  std::uint32_t ssrc_of(std::size_t i) { return view(subscriber_.rtp.at(i)).ssrc(); }
};

TEST_F(RouterSimulcastTest, LayerSsrcsAreLearnedFromTheRidAndTheTopLayerIsForwarded) {
  start_layers();
  // Without an estimate nothing limits b: it gets the top layer (f, the largest key frame), and
  // only f's key frame reached it; q's and h's SSRCs were learned all the same.
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  EXPECT_EQ(ssrc_of(0), kDownVideo);
  EXPECT_EQ(counters_.unroutable_packets.get(), 0u);
  // Later packets of every layer are routed by SSRC alone (no rid extension any more).
  send_layer(0, 2, 11, false, false);
  send_layer(2, 2, 11, false, false);
  EXPECT_EQ(subscriber_.rtp.size(), 2u);
  EXPECT_EQ(counters_.unroutable_packets.get(), 0u);
  // A packet whose SSRC names no layer and that carries no rid stays unroutable.
  send(vp8_packet({0x999, "x", 1, 1}, 1, 0, 1, false, true, false));
  EXPECT_EQ(counters_.unroutable_packets.get(), 1u);
}

TEST_F(RouterSimulcastTest, TheLayerOrderComesFromKeyFrameSizesNotFromTheOffer) {
  // Firefox-like: the offer lists the layers high to low, and says nothing of their sizes.
  router_.publish(a_, {audio_track(), simulcast_track({"f", "h", "q"})}, now_);
  for (int i = 0; i < 3; ++i) send_layer(i, 1, 10, true);
  // Until anything was known the offer's order ruled: its last layer, q, came first.
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 320, 180}));
  // The key frames said which layer is which: the next allocation takes the 1280x720 one.
  advance(kAllocationInterval);
  router_.handle_timeout(now_);
  EXPECT_EQ(plis_to(kF), 1);
  send_layer(0, 2, 11, false);  // q goes on until f's key frame
  send_layer(2, 2, 11, true);   // the switch point
  send_layer(0, 3, 12, false);  // q's stragglers are dropped
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 1280, 720}));
  // A subscriber's max size picks the smallest layer at least as large.
  TrackSettingsUpdate small;
  small.track_id = "a-camera";
  small.max_width = 600;
  small.max_height = 300;
  const int asked = plis_to(kH);
  ASSERT_TRUE(router_.set_track_settings(b_, small, now_));
  EXPECT_EQ(plis_to(kH), asked + 1);
  send_layer(1, 2, 11, true);
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 640, 360}));
  EXPECT_EQ(router_.take_publish_layers().at(0).active, std::vector<std::string>{"h"});
}

TEST_F(RouterSimulcastTest, AnEstimateSwitchesDownAtAKeyFrameWithContinuousNumbers) {
  start_layers();
  send_layer(2, 2, 11, false);
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  // 300 kbit/s: unmeasured layers count by size (q 150 k, h 500 k, f 1.5 M): only q fits. Within
  // 500 ms of the last allocation it waits for the allocation deadline.
  router_.set_estimate(b_, 300'000, now_);
  EXPECT_EQ(plis_to(kQ), 0);
  ASSERT_EQ(router_.next_timeout(), start_ + kAllocationInterval);
  advance(kAllocationInterval);
  router_.handle_timeout(now_);
  EXPECT_EQ(plis_to(kQ), 1);
  EXPECT_EQ(plis_to(kF), 1);  // only the one when f's SSRC was learned (b waited for it)
  // Dynacast: f is still forwarded until q's key frame, so both are needed now.
  auto layers = router_.take_publish_layers();
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].participant, "a");
  EXPECT_EQ(layers[0].mid, "1");
  EXPECT_EQ(layers[0].active, (std::vector<std::string>{"q", "f"}));
  send_layer(0, 2, 500, false);  // not a key frame: no switch
  send_layer(2, 3, 12, false);
  send_layer(0, 3, 501, true);   // q's key frame: the switch
  send_layer(0, 4, 502, false);
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  for (std::size_t i = 1; i < subscriber_.rtp.size(); ++i) {
    EXPECT_EQ(seq_of(i), static_cast<std::uint16_t>(seq_of(i - 1) + 1)) << i;
    EXPECT_EQ(ssrc_of(i), kDownVideo);
    EXPECT_EQ(picture_id_of(subscriber_.rtp[i]),
              static_cast<std::uint16_t>(*picture_id_of(subscriber_.rtp[i - 1]) + 1))
        << i;
  }
  // After the switch only q is needed.
  layers = router_.take_publish_layers();
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].active, std::vector<std::string>{"q"});
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 320, 180}));
}

TEST_F(RouterSimulcastTest, ANackForAPacketOfTheOldLayerIsAnsweredWithWhatWasSent) {
  start_layers();
  send_layer(2, 2, 11, false);
  TrackSettingsUpdate small;
  small.track_id = "a-camera";
  small.max_width = 320;
  ASSERT_TRUE(router_.set_track_settings(b_, small, now_));
  send_layer(0, 2, 500, true);
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  const std::vector<std::uint8_t> from_f = subscriber_.rtp[1];  // f's delta, as sent
  nack_video({seq_of(1)});
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  EXPECT_EQ(subscriber_.rtp[3], from_f);
}

// Unlike a layer left for track_settings (above): a layer left because it is over the
// subscriber's estimate (here paused for bandwidth) is not resent, since the subscriber's link
// has no room for it and its decoder restarts at the next key frame it is sent.
TEST_F(RouterSimulcastTest, ANackForAPacketOfALayerLeftForBandwidthIsNotAnswered) {
  start_layers();
  advance(std::chrono::milliseconds(1100));
  send_layer(2, 2, 11, false);  // f's bitrate measured (a few hundred bit/s of test packets)
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  nack_video({seq_of(1)});  // f is forwarded: answered
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  router_.set_estimate(b_, 100, now_);  // at the allocation deadline (f's bitrate just moved)
  advance(kAllocationInterval);
  router_.handle_timeout(now_);
  // For kBandwidthPauseGrace the target is the lowest layer, and f flows until its key frame.
  advance(kBandwidthPauseGrace / 2);
  send_layer(2, 3, 12, false);
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  const std::uint16_t f_seq = seq_of(3);
  advance(kBandwidthPauseGrace / 2);  // then paused
  router_.handle_timeout(now_);
  ASSERT_EQ(router_.take_stream_states().at(0).state.paused, StreamPause::bandwidth);
  nack_video({f_seq});
  EXPECT_EQ(subscriber_.rtp.size(), 4u);
  EXPECT_EQ(counters_.retransmit_refused_layer.get(), 1u);
}

TEST_F(RouterSimulcastTest, UpstreamNacksAndRtxArePerLayer) {
  start_layers();
  send_layer(0, 2, 11, false);
  send_layer(0, 4, 13, false);  // q lost 3
  send_layer(2, 2, 11, false);
  send_layer(2, 5, 14, false);  // f lost 3 and 4
  router_.handle_timeout(now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>([](const rtcp::Nack& nack) {
    return nack.media_ssrc == kQ && nacked(nack) == std::vector<std::uint16_t>{3};
  }),
            1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>([](const rtcp::Nack& nack) {
    return nack.media_ssrc == kF && nacked(nack) == std::vector<std::uint16_t>{3, 4};
  }),
            1);
  // q's RTX stream is learned from repaired-rid and repairs q's sequence 3.
  auto original = vp8_packet(kLayers[0], 3, 9000, 12, false, true, false);
  const auto parsed = view(original);
  std::vector<std::uint8_t> payload = {0x00, 0x03};
  payload.insert(payload.end(), parsed.payload().begin(), parsed.payload().end());
  rtp::PacketBuilder builder;
  builder.set_ssrc(kQRtx).set_payload_type(kRtx).set_sequence_number(77).set_timestamp(9000)
      .set_payload(payload);
  const std::array<std::uint8_t, 1> rid{'q'};
  builder.add_extension(kRepairedRidId, rid);
  std::vector<std::uint8_t> rtx(builder.serialized_size());
  builder.write_to(rtx);
  send(rtx);
  EXPECT_EQ(counters_.packets_recovered.get(), 1u);
  // Reports: one block per layer heard.
  advance(1s);
  router_.handle_timeout(now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>([](const rtcp::ReceiverReport& rr) {
    std::vector<std::uint32_t> ssrcs;
    for (const auto block : rr.report_blocks) ssrcs.push_back(block.ssrc);
    std::sort(ssrcs.begin(), ssrcs.end());
    return ssrcs == std::vector<std::uint32_t>{kQ, kH, kF};
  }),
            1);
}

// The RTX form (RFC 4588) of `original` on `rtx_ssrc`, named by repaired-rid `rid`.
std::vector<std::uint8_t> rtx_copy(std::vector<std::uint8_t> original, std::uint32_t rtx_ssrc,
                                   std::uint16_t rtx_seq, char rid) {
  const auto parsed = *rtp::Packet::parse(original);
  std::vector<std::uint8_t> payload = {static_cast<std::uint8_t>(parsed.sequence_number() >> 8),
                                       static_cast<std::uint8_t>(parsed.sequence_number())};
  payload.insert(payload.end(), parsed.payload().begin(), parsed.payload().end());
  rtp::PacketBuilder builder;
  builder.set_ssrc(rtx_ssrc).set_payload_type(kRtx).set_sequence_number(rtx_seq)
      .set_timestamp(parsed.timestamp()).set_marker(parsed.marker()).set_payload(payload);
  const std::array<std::uint8_t, 1> repaired{static_cast<std::uint8_t>(rid)};
  builder.add_extension(kRepairedRidId, repaired);
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

// Chromium pads its uplink with RTX copies of a packet it sent moments before (libwebrtc's
// payload padding), again and again. Forwarded, each copy reached the subscriber as a packet it
// had; its SRTP replay check dropped it and its transport-cc feedback reported it lost. Only a
// packet that never arrived is forwarded from RTX; a plain duplicate is dropped too.
TEST_F(RouterSimulcastTest, ARepeatOfAPacketAlreadyForwardedIsNotForwardedAgain) {
  constexpr std::uint32_t kFRtx = 0x301;
  start_layers();
  const std::size_t before = subscriber_.rtp.size();
  const auto f2 = vp8_packet(kLayers[2], 2, 6000, 11, false);
  send(f2);
  ASSERT_EQ(subscriber_.rtp.size(), before + 1);  // b receives f
  for (std::uint16_t i = 0; i < 5; ++i) send(rtx_copy(f2, kFRtx, static_cast<std::uint16_t>(50 + i), 'f'));
  send(f2);  // the network duplicated it
  EXPECT_EQ(subscriber_.rtp.size(), before + 1);
  EXPECT_EQ(counters_.duplicate_packets.get(), 6u);
  // A real repair: f's 3 went missing, then arrives on RTX once, then once more.
  send_layer(2, 4, 13, false);
  ASSERT_EQ(subscriber_.rtp.size(), before + 2);
  const auto f3 = vp8_packet(kLayers[2], 3, 9000, 12, false);
  send(rtx_copy(f3, kFRtx, 60, 'f'));
  EXPECT_EQ(subscriber_.rtp.size(), before + 3);
  EXPECT_EQ(counters_.packets_recovered.get(), 1u);
  send(rtx_copy(f3, kFRtx, 61, 'f'));
  EXPECT_EQ(subscriber_.rtp.size(), before + 3);
  EXPECT_EQ(counters_.duplicate_packets.get(), 7u);
}

TEST_F(RouterSimulcastTest, ASubscribersPliGoesToTheSsrcOfItsLayer) {
  start_layers();
  EXPECT_EQ(plis_to(kF), 1);  // b waited for f when f's SSRC was learned
  rtcp::Pli pli{42, kDownVideo};
  advance(1s);
  send_rtcp(b_, pli);
  EXPECT_EQ(plis_to(kF), 2);
  EXPECT_EQ(plis_to(kQ) + plis_to(kH), 0);
  advance(100ms);
  send_rtcp(b_, pli);  // rate-limited per layer
  EXPECT_EQ(plis_to(kF), 2);
}

TEST_F(RouterSimulcastTest, A100kbitEstimatePausesVideoForBandwidthAndKeepsAudio) {
  start_layers();
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  router_.take_stream_states();
  advance(kAllocationInterval);
  router_.set_estimate(b_, 100'000, now_);
  // For kBandwidthPauseGrace the camera keeps its lowest layer (nothing to tell yet: it waits
  // for that layer's key frame); then it is paused.
  EXPECT_TRUE(router_.take_stream_states().empty());
  advance(kBandwidthPauseGrace);
  router_.handle_timeout(now_);
  const auto states = router_.take_stream_states();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].state, (StreamState{"a-camera", StreamPause::bandwidth, 0, 0}));
  const std::size_t before = subscriber_.rtp.size();
  send_layer(0, 2, 11, true);
  send_layer(2, 2, 11, true);
  send(make_rtp(kAudioSsrc, kOpus, 2, 960, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), before + 1);
  EXPECT_EQ(ssrc_of(before), kDownAudio);
  EXPECT_EQ(router_.take_publish_layers().at(0).active, std::vector<std::string>{});
}

TEST_F(RouterSimulcastTest, PaddingGoesOnTheVideoTrackAtAFrameBoundaryWithTheTransportCcSlot) {
  EXPECT_EQ(router_.send_padding(b_, 600, now_), 0u);  // nothing started yet
  start_layers();
  const std::uint16_t last = seq_of(0);
  const std::size_t sent = router_.send_padding(b_, 600, now_);
  EXPECT_GE(sent, 600u);
  ASSERT_EQ(subscriber_.rtp.size(), 4u);  // 255 + 255 + the rest of the padding
  for (std::size_t i = 1; i < 4; ++i) {
    auto packet = view(subscriber_.rtp[i]);
    EXPECT_EQ(packet.ssrc(), kDownVideo);
    EXPECT_EQ(packet.sequence_number(), static_cast<std::uint16_t>(last + i));
    EXPECT_EQ(packet.payload().size(), 0u);
    EXPECT_GT(packet.padding_size(), 0u);
    ASSERT_TRUE(packet.extension(5).has_value());
    EXPECT_EQ(packet.extension(5)->size(), 2u);
  }
  // The next media packet follows the padding.
  send_layer(2, 2, 11, false);
  EXPECT_EQ(seq_of(4), static_cast<std::uint16_t>(last + 4));
}

TEST_F(RouterSimulcastTest, PaddingAlsoGoesOnAVideoTrackPausedForBandwidthButNotOnOneTheUserPaused) {
  start_layers();
  advance(kAllocationInterval);
  router_.set_estimate(b_, 100'000, now_);  // paused for bandwidth: probes are how it comes back
  advance(kBandwidthPauseGrace);            // after the grace
  router_.handle_timeout(now_);
  ASSERT_EQ(router_.take_stream_states().at(0).state.paused, StreamPause::bandwidth);
  const std::uint16_t last = seq_of(subscriber_.rtp.size() - 1);
  const std::size_t before = subscriber_.rtp.size();
  EXPECT_EQ(router_.send_padding(b_, 200, now_), 200u);
  ASSERT_EQ(subscriber_.rtp.size(), before + 1);
  EXPECT_EQ(ssrc_of(before), kDownVideo);
  EXPECT_EQ(seq_of(before), static_cast<std::uint16_t>(last + 1));
  TrackSettingsUpdate hidden;
  hidden.track_id = "a-camera";
  hidden.paused = true;
  ASSERT_TRUE(router_.set_track_settings(b_, hidden, now_));
  EXPECT_EQ(router_.send_padding(b_, 200, now_), 0u);
}

// A layer its publisher stopped and resumed: its bitrate is measured again from the resumption.
// The silent seconds are not part of a window (they made a resumed f look like a few kbit/s for
// a second, cheap enough for allocation to choose whatever the estimate).
TEST_F(RouterSimulcastTest, AResumedLayerIsNotMeasuredOverItsSilence) {
  start_layers();
  std::uint16_t seq = 1;
  const auto frames = [&](int count, std::initializer_list<int> layers) {
    for (int i = 0; i < count; ++i) {
      advance(std::chrono::milliseconds(40));
      router_.handle_timeout(now_);
      ++seq;
      for (const int layer : layers) send_layer(layer, seq, seq, false, false);
    }
  };
  frames(50, {0, 1, 2});  // 2 s: f measured, and forwarded to b
  const std::uint64_t measured = router_.forwarded_bitrate(b_);
  ASSERT_EQ(measured, 6000u);  // 25 packets of 30 bytes a second
  frames(75, {0, 1});  // f stopped for 3 s
  ++seq;
  send_layer(2, seq, seq, true, false);  // f again, from a key frame
  frames(10, {0, 1, 2});
  EXPECT_EQ(router_.forwarded_bitrate(b_), measured);  // kept until a window of new packets
  frames(20, {0, 1, 2});
  const std::uint64_t again = router_.forwarded_bitrate(b_);
  EXPECT_GT(again, measured * 9 / 10);
  EXPECT_LT(again, measured * 11 / 10);
}

// VP9 simulcast (each layer its own stream, non-flexible mode, TID 0): a key frame carries the
// layer's size in its scalability structure.
constexpr std::uint8_t kVp9 = 98;

std::vector<std::uint8_t> vp9_packet(const LayerSpec& layer, std::uint16_t seq,
                                     std::uint16_t picture_id, std::uint8_t tl0, bool keyframe) {
  // I L B (+V for a key frame, +P for a delta) | 15-bit picture id | TID 0 SID 0 | TL0PICIDX
  std::vector<std::uint8_t> payload = {static_cast<std::uint8_t>(keyframe ? 0xaa : 0xe8),
                                       static_cast<std::uint8_t>(0x80 | (picture_id >> 8)),
                                       static_cast<std::uint8_t>(picture_id), 0x00, tl0};
  if (keyframe) {
    // SS: one spatial layer with its resolution, no picture group.
    payload.insert(payload.end(), {0x10, static_cast<std::uint8_t>(layer.width >> 8),
                                   static_cast<std::uint8_t>(layer.width),
                                   static_cast<std::uint8_t>(layer.height >> 8),
                                   static_cast<std::uint8_t>(layer.height)});
  }
  // The uncompressed header's first byte: KEY_FRAME or not.
  payload.insert(payload.end(), {static_cast<std::uint8_t>(keyframe ? 0x82 : 0x86), 0x00});
  rtp::PacketBuilder builder;
  builder.set_ssrc(layer.ssrc)
      .set_payload_type(kVp9)
      .set_sequence_number(seq)
      .set_timestamp(3000u * seq)
      .set_marker(true)
      .set_payload(payload);
  const std::array<std::uint8_t, 1> mid{'1'};
  builder.add_extension(kMidId, mid);
  builder.add_extension(kRidId, std::span(reinterpret_cast<const std::uint8_t*>(layer.rid),
                                          std::char_traits<char>::length(layer.rid)));
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

TEST_F(RouterTest, Vp9SimulcastSwitchKeepsPictureIdsContinuousAndAResendIsWhatWasSent) {
  PublishedTrack track = simulcast_track();
  track.codecs.front().payload_type = kVp9;
  track.codecs.front().video_codec = rtp::VideoCodec::kVp9;
  router_.publish(a_, {audio_track(), track}, now_);
  Subscription video = subscription(track, kDownVideo, 100);
  video.track_id = "a-camera";
  router_.subscribe(b_, {}, now_);
  router_.subscribe(b_, {audio_subscription(), video}, now_);
  // Each layer's own picture ids and TL0PICIDX (one TID 0 frame per packet).
  const std::uint16_t first_picture[] = {100, 5000, 20000};
  const std::uint8_t first_tl0[] = {10, 60, 200};
  std::uint16_t next_seq[] = {1, 1, 1};
  auto send_vp9 = [&](int index, bool keyframe) {
    const std::uint16_t n = next_seq[index]++;
    send(vp9_packet(kLayers[index], n, static_cast<std::uint16_t>(first_picture[index] + n),
                    static_cast<std::uint8_t>(first_tl0[index] + n), keyframe));
  };
  for (int i = 0; i < 3; ++i) send_vp9(i, true);
  // No estimate: the top layer, found by the size its key frame's SS gives.
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 1280, 720}));
  send_vp9(2, false);
  TrackSettingsUpdate small;
  small.track_id = "a-camera";
  small.max_width = 320;
  ASSERT_TRUE(router_.set_track_settings(b_, small, now_));
  send_vp9(0, false);  // not a key frame: f goes on
  send_vp9(2, false);
  send_vp9(0, true);   // q's key frame: the switch
  send_vp9(0, false);
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  const auto descriptor = [&](std::size_t i) {
    auto packet = view(subscriber_.rtp.at(i));
    return *rtp::parse_vp9_descriptor(packet.payload());
  };
  for (std::size_t i = 1; i < subscriber_.rtp.size(); ++i) {
    EXPECT_EQ(seq_of(i), static_cast<std::uint16_t>(seq_of(i - 1) + 1)) << i;
    EXPECT_EQ(*descriptor(i).picture_id, (*descriptor(i - 1).picture_id + 1) & 0x7fff) << i;
    EXPECT_EQ(*descriptor(i).tl0picidx, static_cast<std::uint8_t>(*descriptor(i - 1).tl0picidx + 1))
        << i;
  }
  EXPECT_TRUE(descriptor(3).keyframe);
  EXPECT_EQ(router_.take_stream_states().at(0).state,
            (StreamState{"a-camera", StreamPause::none, 320, 180}));
  // A NACK for f's last packet, sent before the switch: rewritten from the publisher's copy as
  // it was sent, VP9 picture id and TL0PICIDX included.
  const std::vector<std::uint8_t> from_f = subscriber_.rtp[2];
  nack_video({seq_of(2)});
  ASSERT_EQ(subscriber_.rtp.size(), 6u);
  EXPECT_EQ(subscriber_.rtp[5], from_f);
  EXPECT_EQ(subscriber_.kinds[3], SendKind::keyframe);
  EXPECT_EQ(subscriber_.kinds[5], SendKind::resend);
}

}  // namespace
}  // namespace rrtc::room::test
