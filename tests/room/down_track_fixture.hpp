// Shared by the DownTrack tests: hand-built VP8 packets of three simulcast layers (each its own
// SSRC, sequence numbers, timestamps and picture-id numbering, like a browser's simulcast) and
// a fixture that forwards them and reads back what the subscriber got.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "room/down_track.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace rrtc::room::test {

using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

constexpr std::uint8_t kPt = 96;
constexpr std::uint8_t kOutPt = 100;
constexpr std::uint32_t kOutSsrc = 0xd0d0d0d0;
constexpr std::array<std::uint32_t, 3> kLayerSsrc{0x1000, 0x1001, 0x1002};
// Each layer's own timestamp and picture-id numbering, as independent encoders have.
constexpr std::array<std::uint32_t, 3> kLayerTs{10'000, 2'000'000, 900'000'000};
constexpr std::array<std::uint16_t, 3> kLayerPicture{100, 20'000, 32'760};
constexpr std::array<std::uint8_t, 3> kLayerTl0{5, 200, 250};
constexpr std::array<std::uint8_t, 3> kLayerKeyidx{1, 17, 31};

inline Subscription video_subscription(bool nack = true) {
  Subscription sub;
  sub.ssrc = kOutSsrc;
  sub.payload_types.fill(kNoPayloadType);
  sub.payload_types[kPt] = kOutPt;
  sub.extension_ids.fill(0);
  sub.clock_rate = 90000;
  sub.video = true;
  sub.nack = nack;
  return sub;
}

// One VP8 packet as the publisher sends it.
struct Vp8Packet {
  int layer = 0;
  std::int64_t seq = 0;
  std::uint32_t ts = 0;       // relative to the layer's base
  std::uint16_t picture = 0;  // relative to the layer's first picture id
  std::uint8_t tl0 = 0;       // relative
  std::uint8_t keyidx = 0;    // relative
  int tid = 0;
  bool sync = false;  // Y
  bool start = true;  // S, PID 0: the picture's first packet
  bool key = false;
  bool marker = true;
};

// What the subscriber got.
struct Out {
  ForwardResult result;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::uint32_t ssrc = 0;
  std::uint8_t pt = 0;
  std::uint16_t picture = 0;
  std::uint8_t tl0 = 0;
  std::uint8_t keyidx = 0;
  Bytes bytes;
};

class DownTrackSimulcast : public ::testing::Test {
 protected:
  time::Timestamp now{time::to_duration(1000s)};
  DownTrack track{video_subscription(), DownTrackOptions{}, now};

  static Bytes build(const Vp8Packet& p) {
    const auto picture = static_cast<std::uint16_t>((kLayerPicture[p.layer] + p.picture) & 0x7fff);
    Bytes payload{static_cast<std::uint8_t>(0x80 | (p.start ? 0x10 : 0)),
                  0xf0,
                  static_cast<std::uint8_t>(0x80 | (picture >> 8)),
                  static_cast<std::uint8_t>(picture),
                  static_cast<std::uint8_t>(kLayerTl0[p.layer] + p.tl0),
                  static_cast<std::uint8_t>((p.tid << 6) | (p.sync ? 0x20 : 0) |
                                            ((kLayerKeyidx[p.layer] + p.keyidx) & 0x1f))};
    if (p.key) {
      payload.insert(payload.end(), {0x50, 0x2f, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01});
    } else {
      payload.insert(payload.end(), {0x51, 0x11, 0x22, 0x33});
    }
    rtp::PacketBuilder builder;
    builder.set_payload_type(kPt)
        .set_sequence_number(static_cast<std::uint16_t>(p.seq))
        .set_timestamp(kLayerTs[p.layer] + p.ts)
        .set_ssrc(kLayerSsrc[p.layer])
        .set_marker(p.marker)
        .set_payload(payload);
    Bytes bytes(builder.serialized_size());
    builder.write_to(bytes);
    return bytes;
  }

  Out send(const Vp8Packet& p) {
    Bytes bytes = build(p);
    auto packet = rtp::Packet::parse(bytes);
    EXPECT_TRUE(packet);
    FrameInfo frame;
    frame.vp8 = rtp::parse_vp8_descriptor(packet->payload());
    EXPECT_TRUE(frame.vp8);
    frame.keyframe = frame.vp8->keyframe;
    frame.temporal_id = *frame.vp8->tid;
    Out out{track.forward(*packet, p.layer, p.seq, frame, now)};
    if (out.result != ForwardResult::forwarded) return out;
    out.seq = packet->sequence_number();
    out.ts = packet->timestamp();
    out.ssrc = packet->ssrc();
    out.pt = packet->payload_type();
    const auto d = rtp::parse_vp8_descriptor(packet->payload());
    EXPECT_TRUE(d);
    out.picture = *d->picture_id;
    out.tl0 = *d->tl0picidx;
    out.keyidx = *d->keyidx;
    out.bytes = bytes;
    return out;
  }

  // Starts layer `layer` with a one-packet key frame at seq, relative numbers 0.
  Out start(int layer, std::int64_t seq) {
    Vp8Packet key{.layer = layer, .seq = seq, .key = true};
    return send(key);
  }
};

}  // namespace rrtc::room::test
