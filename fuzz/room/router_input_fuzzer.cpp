// The Router fed what a publisher and a subscriber may send: the first byte picks who sends and
// whether it is RTP or RTCP (and advances the simulated clock), the rest is the packet. Asserts
// what must hold: every packet a subscriber is sent parses as RTP with the subscription's SSRC,
// every RTCP packet sent parses, nothing is ever sent to the member that published it, and
// after handle_timeout(now) the Router's next deadline lies after `now` (no busy loop).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "room/router.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet.hpp"

namespace {

using namespace rrtc;

struct CheckingSink final : room::RouterSink {
  std::uint32_t expected_ssrc = 0;
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                room::SendKind) noexcept override {
    if (length > buffer.size() || buffer.size() - length < 16) std::abort();
    auto packet = rtp::Packet::parse(buffer.first(length));
    if (!packet || packet->ssrc() != expected_ssrc) std::abort();
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    if (length > buffer.size() || buffer.size() - length < 20) std::abort();
    rtcp::CompoundReader reader(buffer.first(length));
    while (reader.next()) {
    }
    if (reader.error()) std::abort();
    return true;
  }
};

room::PublishedTrack track(const char* key, std::uint32_t ssrc, bool video) {
  room::PublishedTrack t;
  t.key = key;
  t.mid = key;
  t.type = video ? room::TrackType::camera : room::TrackType::audio;
  t.video = video;
  room::PublishedCodec codec;
  codec.payload_type = video ? 96 : 111;
  codec.rtx_payload_type = video ? std::optional<std::uint8_t>(97) : std::nullopt;
  codec.clock_rate = video ? 90000 : 48000;
  if (video) codec.video_codec = rtp::VideoCodec::kVp8;
  codec.nack = codec.pli = true;
  t.codecs = {codec};
  t.ssrc = ssrc;
  t.rtx_ssrc = video ? ssrc + 1 : 0;
  t.mid_extension_id = 4;
  t.remb = video;
  return t;
}

room::Subscription subscription(const room::PublishedTrack& t, std::uint32_t ssrc) {
  room::Subscription s;
  s.track_key = t.key;
  s.ssrc = ssrc;
  s.payload_types.fill(room::kNoPayloadType);
  s.payload_types[t.codecs.front().payload_type] = 100;
  s.extension_ids.fill(0);
  s.extension_ids[1] = 2;
  s.clock_rate = t.codecs.front().clock_rate;
  s.video = t.video;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  room::ForwardCounters counters;
  room::Router router(room::RouterOptions{}, counters);
  CheckingSink publisher_sink;
  CheckingSink subscriber_sink;
  publisher_sink.expected_ssrc = 0xFFFFFFFF;  // the publisher receives no RTP in this setup
  subscriber_sink.expected_ssrc = 0x5000;
  auto& publisher = router.add("p", publisher_sink, {});
  auto& subscriber = router.add("s", subscriber_sink, {});
  const auto video = track("p/1", 0x1000, true);
  const time::Timestamp start(std::chrono::seconds(1));
  router.publish(publisher, {video}, start);
  router.subscribe(subscriber, {subscription(video, 0x5000)}, start);
  // Records: [selector][length][bytes...]
  time::Timestamp now = start;
  std::vector<std::uint8_t> buffer;
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::uint8_t selector = data[at];
    const std::size_t length = std::min<std::size_t>(data[at + 1] * 8u, size - at - 2);
    buffer.assign(data + at + 2, data + at + 2 + length);
    at += 2 + length;
    now += (selector >> 2) * std::chrono::milliseconds(5);
    const time::Timestamp t = now;
    switch (selector & 3) {
      case 0:
        router.on_rtp(publisher, buffer, t);
        break;
      case 1:
        router.on_rtcp(publisher, buffer, t);
        break;
      case 2:
        router.on_rtcp(subscriber, buffer, t);
        break;
      default:
        router.handle_timeout(t);
        if (const auto next = router.next_timeout(); next && *next <= t) std::abort();
        if (selector & 0x80) router.set_state(publisher, {true, (selector & 0x40) != 0, false}, t);
        break;
    }
  }
  return 0;
}
