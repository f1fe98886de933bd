#pragma once
// The Router without sockets: fake sinks record what a publisher and a subscriber would be
// sent, and time is a parameter (media time on a simulated clock). Shared by the Router's
// forwarding tests (router_test.cpp) and deadline tests (router_timer_test.cpp).

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <variant>
#include <vector>

#include "room/router.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::room::test {

using namespace std::chrono_literals;

struct FakeSink final : RouterSink {
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                SendKind kind) noexcept override {
    EXPECT_GE(buffer.size(), length + 16);
    rtp.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    kinds.push_back(kind);
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    EXPECT_GE(buffer.size(), length + 20);
    rtcp.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return true;
  }
  // Every RTCP message of type T received so far for which `check` holds.
  template <typename T, typename F>
  int count_rtcp(F&& check) const {
    int n = 0;
    for (const auto& datagram : rtcp) {
      rtcp::CompoundReader reader(datagram);
      while (auto packet = reader.next()) {
        if (const auto* message = std::get_if<T>(&*packet); message && check(*message)) ++n;
      }
    }
    return n;
  }
  template <typename T>
  int count_rtcp() const {
    return count_rtcp<T>([](const T&) { return true; });
  }
  std::vector<std::vector<std::uint8_t>> rtp;
  std::vector<SendKind> kinds;  // of each packet in `rtp`
  std::vector<std::vector<std::uint8_t>> rtcp;
};

inline constexpr std::uint32_t kVideoSsrc = 0x1111;
inline constexpr std::uint32_t kRtxSsrc = 0x2222;
inline constexpr std::uint32_t kAudioSsrc = 0x3333;
inline constexpr std::uint32_t kDownVideo = 0x5555;
inline constexpr std::uint32_t kDownAudio = 0x6666;
inline constexpr std::uint8_t kVp8 = 96;
inline constexpr std::uint8_t kRtx = 97;
inline constexpr std::uint8_t kOpus = 111;
inline constexpr std::uint8_t kAudioLevelId = 1;
inline constexpr std::uint8_t kMidId = 4;

inline const std::vector<std::uint8_t> kKeyframe = {0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a,
                                                    0x80, 0x02, 0xe0, 0x01, 0xaa, 0xbb};
inline const std::vector<std::uint8_t> kDelta = {0x10, 0x01, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};

inline std::vector<std::uint8_t> make_rtp(std::uint32_t ssrc, std::uint8_t pt, std::uint16_t seq,
                                          std::uint32_t ts, std::span<const std::uint8_t> payload,
                                          bool with_extensions = false) {
  rtp::PacketBuilder builder;
  builder.set_ssrc(ssrc)
      .set_payload_type(pt)
      .set_sequence_number(seq)
      .set_timestamp(ts)
      .set_payload(payload);
  const std::array<std::uint8_t, 1> level{0x85};
  const std::array<std::uint8_t, 1> mid{'0'};
  if (with_extensions) {
    builder.add_extension(kAudioLevelId, level);
    builder.add_extension(kMidId, mid);
  }
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

inline PublishedTrack video_track() {
  PublishedTrack track;
  track.key = "a/1";
  track.mid = "1";
  track.type = TrackType::camera;
  track.video = true;
  PublishedCodec vp8;
  vp8.payload_type = kVp8;
  vp8.rtx_payload_type = kRtx;
  vp8.clock_rate = 90000;
  vp8.video_codec = rtp::VideoCodec::kVp8;
  vp8.nack = true;
  vp8.pli = true;
  track.codecs = {vp8};
  track.ssrc = kVideoSsrc;
  track.rtx_ssrc = kRtxSsrc;
  track.remb = true;
  return track;
}

inline PublishedTrack audio_track() {
  PublishedTrack track;
  track.key = "a/0";
  track.mid = "0";
  track.type = TrackType::audio;
  track.video = false;
  PublishedCodec opus;
  opus.payload_type = kOpus;
  opus.clock_rate = 48000;
  opus.nack = true;
  track.codecs = {opus};
  track.ssrc = kAudioSsrc;
  return track;
}

inline Subscription subscription(const PublishedTrack& track, std::uint32_t ssrc, std::uint8_t pt) {
  Subscription sub;
  sub.track_key = track.key;
  sub.ssrc = ssrc;
  sub.payload_types.fill(kNoPayloadType);
  sub.payload_types[track.codecs.front().payload_type] = pt;
  sub.extension_ids.fill(0);
  sub.clock_rate = track.codecs.front().clock_rate;
  sub.video = track.video;
  return sub;
}

inline Subscription audio_subscription() {
  auto audio = subscription(audio_track(), kDownAudio, 109);
  audio.extension_ids[kAudioLevelId] = 5;
  return audio;
}

inline std::vector<std::uint16_t> nacked(const rtcp::Nack& nack) {
  std::vector<std::uint16_t> seqs;
  nack.for_each_lost([&](std::uint16_t s) { seqs.push_back(s); });
  return seqs;
}

// Member a publishes audio and video; member b receives both.
class RouterTest : public ::testing::Test {
 protected:
  explicit RouterTest(RouterOptions options = {})
      : router_(options, counters_),
        a_(router_.add("a", publisher_, {})),
        b_(router_.add("b", subscriber_, {})) {
    router_.publish(a_, {audio_track(), video_track()}, now_);
    router_.subscribe(b_, {audio_subscription(), subscription(video_track(), kDownVideo, 100)},
                      now_);
  }

  void send(const std::vector<std::uint8_t>& packet) {
    std::vector<std::uint8_t> copy = packet;  // the receive buffer is the router's to modify
    router_.on_rtp(a_, copy, now_);
  }
  void advance(time::Duration d) { now_ += d; }
  // `from` sends one compound RTCP packet of `messages` at now_.
  template <typename... Messages>
  void send_rtcp(Router::Member& from, const Messages&... messages) {
    std::array<std::uint8_t, 1500> buffer{};
    rtcp::CompoundWriter writer(buffer);
    const bool written = (writer.append(messages) && ...);
    EXPECT_TRUE(written);
    router_.on_rtcp(from, std::span(buffer.data(), writer.size()), now_);
  }
  // A NACK from the subscriber for `seqs` of its video.
  void nack_video(std::initializer_list<std::uint16_t> seqs) {
    std::vector<std::uint16_t> lost(seqs);
    std::vector<rtcp::NackItem> items(lost.size());
    rtcp::Nack nack;
    nack.sender_ssrc = 42;
    nack.media_ssrc = kDownVideo;
    nack.items = std::span<const rtcp::NackItem>(items.data(), rtcp::pack_nack_items(lost, items));
    send_rtcp(b_, nack);
  }
  // The sequence number the subscriber saw on its `i`th RTP packet.
  std::uint16_t seq_of(std::size_t i) { return view(subscriber_.rtp.at(i)).sequence_number(); }

  static rtp::Packet view(std::vector<std::uint8_t>& bytes) {
    auto parsed = rtp::Packet::parse(bytes);
    EXPECT_TRUE(parsed.has_value());
    return *parsed;
  }

  ForwardCounters counters_;
  FakeSink publisher_;
  FakeSink subscriber_;
  const time::Timestamp start_{1000s};
  time::Timestamp now_ = start_;
  Router router_;
  Router::Member& a_;
  Router::Member& b_;
};

}  // namespace rrtc::room::test
