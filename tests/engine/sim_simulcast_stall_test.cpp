// Issue 17's 400 kbit/s case on the simulated network, as the browser spec
// (tests/e2e/specs/simulcast_layers.test.js) runs it: a publisher sends a Chromium-sized q/h/f
// ladder (about 160 kbit/s, 500 kbit/s, 1.95 Mbit/s; key frames several times a delta frame),
// subscriber s2 watches unlimited, subscriber s1's downlink drops from unlimited to 400 kbit/s
// behind a 15 KB queue (300 ms at that rate, as the spec's htb class) and later goes back.
// s1 sends transport-cc feedback every 100 ms and decodes as a VP8 receiver does: a frame is
// decoded once all its packets arrived (NACK included) and it is a key frame or follows the
// last decoded picture id; stuck for 250 ms behind a frame that never completed, it sends PLI.
// What the issue asks: s1 lands on the lowest layer while limited, is back at the top within
// 10 s of the lift, and neither subscriber's decoded frames stop for more than 1 s.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "rtcp/pli.hpp"
#include "rtp/packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "sim_simulcast_fixture.hpp"

namespace rrtc::engine::test {
namespace {

constexpr std::uint64_t kLimit = 400'000;
constexpr std::size_t kQueue = 15'000;
constexpr auto kStuck = 250ms;
constexpr auto kPliInterval = 500ms;

// A subscriber's VP8 decoder, as far as stalls go: frames by their (rewritten) RTP timestamp.
class DecoderModel {
 public:
  struct Decoded {
    time::Timestamp at{};
    int layer = -1;
    std::uint32_t timestamp = 0;
  };

  // Every RTP packet the subscriber receives (audio and padding are skipped).
  void on_packet(std::span<const std::uint8_t> bytes, time::Timestamp now) {
    std::array<std::uint8_t, 1500> copy{};
    if (bytes.size() > copy.size()) return;
    std::copy(bytes.begin(), bytes.end(), copy.begin());
    auto packet = rtp::Packet::parse(std::span(copy).first(bytes.size()));
    if (!packet || packet->payload().empty()) return;  // padding: a probe
    const auto payload = packet->payload();
    const std::uint8_t mark = payload.back();
    if (mark < SimulcastSource::kLayerMark ||
        mark >= SimulcastSource::kLayerMark + SimulcastSource::kLayers) {
      return;  // audio
    }
    const auto vp8 = rtp::parse_vp8_descriptor(payload);
    if (!vp8 || !vp8->picture_id) return;
    ssrc_ = packet->ssrc();
    Frame& frame = frames_[packet->timestamp()];
    frame.layer = mark - SimulcastSource::kLayerMark;
    frame.picture_id = *vp8->picture_id;
    const std::uint16_t seq = packet->sequence_number();
    if (vp8->starts_picture()) {
      frame.first = seq;
      frame.keyframe = vp8->keyframe;
    }
    if (packet->marker()) frame.last = seq;
    frame.seqs.push_back(seq);
    decode(now);
  }

  // Attached at `now` (what arrived before is unknown: the first frame decoded must be a key
  // frame, asked for like any other when stuck).
  void start(time::Timestamp now) { started_ = now; }

  // Stuck behind a frame that never completed: PLI on `client`'s Peer, at most every
  // kPliInterval.
  void check_stuck(SimClient& client, time::Timestamp now) {
    const time::Timestamp last = decoded_.empty() ? started_ : decoded_.back().at;
    if (ssrc_ == 0 || now - last < kStuck) return;
    const bool newer_complete = std::any_of(frames_.begin(), frames_.end(), [](const auto& f) {
      return f.second.complete();
    });
    if (!newer_complete || (last_pli_ && now - *last_pli_ < kPliInterval)) return;
    last_pli_ = now;
    ++plis_;
    rtcp::Pli pli{0x0C0C0C0C, ssrc_};
    std::vector<std::uint8_t> buffer(pli.serialized_size() + transport::kRtcpSendOverhead);
    const auto length = pli.write_to(buffer);
    client.peer().send_rtcp(buffer, length);
  }

  const std::vector<Decoded>& decoded() const noexcept { return decoded_; }
  int plis() const noexcept { return plis_; }
  // The layer of the last decoded frame, -1 before any.
  int layer() const noexcept { return decoded_.empty() ? -1 : decoded_.back().layer; }

  // The longest time in [from, to] without a decoded frame.
  time::Duration longest_stall(time::Timestamp from, time::Timestamp to) const {
    time::Duration longest{0};
    time::Timestamp previous = from;
    for (const auto& d : decoded_) {
      if (d.at < from) continue;
      if (d.at > to) break;
      longest = std::max(longest, d.at - previous);
      previous = d.at;
    }
    return std::max(longest, to - previous);
  }
  // The layers decoded in [from, to].
  std::set<int> layers(time::Timestamp from, time::Timestamp to) const {
    std::set<int> out;
    for (const auto& d : decoded_) {
      if (d.at >= from && d.at <= to) out.insert(d.layer);
    }
    return out;
  }

 private:
  struct Frame {
    int layer = -1;
    std::int32_t picture_id = -1;
    bool keyframe = false;
    std::optional<std::uint16_t> first;
    std::optional<std::uint16_t> last;
    std::vector<std::uint16_t> seqs;
    bool complete() const {
      if (!first || !last) return false;
      const int count = static_cast<std::uint16_t>(*last - *first) + 1;
      if (count > 200) return false;
      for (int i = 0; i < count; ++i) {
        const auto want = static_cast<std::uint16_t>(*first + i);
        if (std::find(seqs.begin(), seqs.end(), want) == seqs.end()) return false;
      }
      return true;
    }
  };

  // Decodes, in timestamp order, every complete frame that is a key frame or the next picture.
  void decode(time::Timestamp now) {
    for (auto it = frames_.begin(); it != frames_.end();) {
      const Frame& frame = it->second;
      const bool next = last_picture_id_ >= 0 && frame.picture_id == ((last_picture_id_ + 1) & 0x7fff);
      if (!frame.complete() || !(frame.keyframe || next)) {
        ++it;
        continue;
      }
      last_picture_id_ = frame.picture_id;
      decoded_.push_back(Decoded{now, frame.layer, it->first});
      // Everything older is of no use any more (a decoder drops it).
      it = frames_.erase(frames_.begin(), std::next(it));
    }
  }

  std::map<std::uint32_t, Frame> frames_;  // not decoded yet
  std::int32_t last_picture_id_ = -1;
  std::vector<Decoded> decoded_;
  std::uint32_t ssrc_ = 0;
  time::Timestamp started_{};
  std::optional<time::Timestamp> last_pli_;
  int plis_ = 0;
};

class SimSimulcastStallTest : public SimSimulcastBandwidthTest {
 protected:
  void TearDown() override {
    SimSimulcastBandwidthTest::TearDown();
    if (auto* c = client("s2")) c->set_rtp_observer(nullptr);
  }
  // 20 ms steps: both decoders' PLI checks, s1's feedback every 100 ms; until `done` or `max`.
  bool run_decoding(const std::function<bool()>& done, time::Duration max) {
    const auto end = loop().now() + max;
    for (int i = 1; loop().now() < end; ++i) {
      if (done && done()) return true;
      s1_decoder_.check_stuck(*client("s1"), loop().now());
      s2_decoder_.check_stuck(*client("s2"), loop().now());
      pump_for(20ms);
      if (i % 5 == 0) transport_cc_.send(*client("s1"));
      trace();
    }
    return done && done();
  }
  std::uint64_t estimate_of(const std::string& id) {
    auto* room = worker().find("sim");
    auto* participant = room != nullptr ? room->find(id) : nullptr;
    if (participant == nullptr) return 0;
    return participant->bandwidth().reported_estimate().value_or(0);
  }
  // RRTC_STALL_TRACE=1: every 100 ms s1's estimate (handed to the Router, and the estimator's
  // parts), its decoded layer and frames.
  void trace() {
    if (std::getenv("RRTC_STALL_TRACE") == nullptr || ++trace_step_ % 5 != 0) return;
    auto* room = worker().find("sim");
    auto* participant = room != nullptr ? room->find("s1") : nullptr;
    const auto* estimator = participant != nullptr ? participant->bandwidth().estimator() : nullptr;
    if (estimator == nullptr) return;
    const auto st = estimator->stats();
    const auto state = state_of("s1", "p-camera");
    std::printf(
        "%7.2f s estimate %7llu (delay %7lld loss %7lld acked %7lld lost %lld/%lld) layer %d "
        "decoded %zu %s dropped %llu kf %llu resent %llu\n",
        std::chrono::duration<double>(loop().now().time_since_epoch()).count() - 1000,
        static_cast<unsigned long long>(estimate_of("s1")),
        static_cast<long long>(st.delay_based.bps()),
        st.loss_bound ? static_cast<long long>(st.loss_bound->bps()) : -1LL,
        st.acknowledged ? static_cast<long long>(st.acknowledged->bps()) : -1LL,
        static_cast<long long>(st.packets_lost),
        static_cast<long long>(st.packets_lost + st.packets_received), s1_decoder_.layer(),
        s1_decoder_.decoded().size(),
        !state ? "-" : state->paused == room::StreamPause::none ? "active" : "paused",
        static_cast<unsigned long long>(path("s1").counters(ice::Side::A).dropped_queue),
        static_cast<unsigned long long>(client("p")->keyframe_requests()),
        static_cast<unsigned long long>(worker().counters().forward.retransmitted_packets.get()));
  }

  DecoderModel s1_decoder_;
  DecoderModel s2_decoder_;
  int trace_step_ = 0;
};

TEST_F(SimSimulcastStallTest, A400kLimitLandsOnTheLowestLayerWithoutAStallAndTheLiftBringsTheTopBack) {
  auto& p = join_simulcast("p", room::TrackType::camera, kChromiumLadder);
  p.set_transport_cc_id(loadgen::kTransportCcExtensionId);
  auto& s1 = join("s1", false);
  auto& s2 = join("s2", false);
  ASSERT_TRUE(pump([&] { return packets(s1, "p-camera") > 0 && packets(s2, "p-camera") > 0; },
                   10s));
  const std::uint8_t down_id = transport_cc_id(last_server_offer.at("s1"));
  ASSERT_NE(down_id, 0);
  transport_cc_.attach(s1, down_id, loop(), [this](std::span<const std::uint8_t> bytes) {
    s1_decoder_.on_packet(bytes, loop().now());
  });
  s2.set_rtp_observer([this](std::span<const std::uint8_t> bytes) {
    s2_decoder_.on_packet(bytes, loop().now());
  });
  s1_decoder_.start(loop().now());
  s2_decoder_.start(loop().now());
  constexpr int kTop = 2;
  constexpr int kLowest = 0;
  ASSERT_TRUE(run_decoding([&] { return s1_decoder_.layer() == kTop && s2_decoder_.layer() == kTop; },
                           15s))
      << "s1 decodes layer " << s1_decoder_.layer() << ", s2 " << s2_decoder_.layer();
  run_decoding(nullptr, 3s);  // settled on the top layer
  ASSERT_EQ(s1_decoder_.layer(), kTop);

  auto link = path("s1").link(ice::Side::A);
  const auto unlimited = link;
  link.bandwidth = kLimit;
  link.queue_limit = kQueue;
  path("s1").set_link(ice::Side::A, link);
  const auto limited_at = loop().now();
  ASSERT_TRUE(run_decoding([&] { return s1_decoder_.layer() == kLowest; }, 10s))
      << "s1 never decoded the lowest layer under 400 kbit/s; it decodes " << s1_decoder_.layer();
  const auto low_at = loop().now();
  run_decoding(nullptr, 8s);
  const auto lifted_at = loop().now();
  // Once low, it stays low (nothing above fits 400 kbit/s), and never paused.
  EXPECT_EQ(s1_decoder_.layers(low_at, lifted_at), std::set<int>{kLowest});
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 320, 180}));

  path("s1").set_link(ice::Side::A, unlimited);
  ASSERT_TRUE(run_decoding([&] { return s1_decoder_.layer() == kTop; }, 10s))
      << "s1 not back at the top within 10 s of the lift; it decodes " << s1_decoder_.layer();
  const auto top_at = loop().now();
  run_decoding(nullptr, 2s);
  const auto end = loop().now();

  const auto s1_limit_stall = s1_decoder_.longest_stall(limited_at, lifted_at);
  const auto s1_lift_stall = s1_decoder_.longest_stall(lifted_at, end);
  const auto s2_stall = s2_decoder_.longest_stall(limited_at, end);
  const auto ms = [](time::Duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  std::printf(
      "  400 kbit/s: lowest layer after %lld ms; longest stall %lld ms limited, %lld ms after the "
      "lift (top after %lld ms), s2 %lld ms; PLIs s1 %d s2 %d; s1's link dropped %llu\n",
      ms(low_at - limited_at), ms(s1_limit_stall), ms(s1_lift_stall), ms(top_at - lifted_at),
      ms(s2_stall), s1_decoder_.plis(), s2_decoder_.plis(),
      static_cast<unsigned long long>(path("s1").counters(ice::Side::A).dropped_queue));
  EXPECT_LE(s1_limit_stall, 1s);
  EXPECT_LE(s1_lift_stall, 1s);
  EXPECT_LE(s2_stall, 1s);
  EXPECT_EQ(s2_decoder_.layers(limited_at, end), std::set<int>{kTop});
}

// A key frame larger than a narrow link's whole queue: s1 watches through 400 kbit/s and a
// 15 KB queue, and the publisher's q key frames are 18 KB (30 packets of 600 bytes, arriving
// within a millisecond as on a LAN; q's delta frames are 120 kbit/s). Forwarded at once, every
// q key frame overflows the queue and loses its tail: s1 can never switch to q and its picture
// stays frozen. Paced (pacing_percent 150), the key frame waits on the server and crosses whole.
struct BurstResult {
  bool reached_q = false;
  std::uint64_t link_drops = 0;  // from the limit until s1 decoded q (or gave up)
  std::uint64_t burst_drops = 0;  // over the 2 s after a key frame asked for once on q
  std::uint64_t burst_paced = 0;
  time::Duration burst_stall{0};
  std::int64_t pacing_rate = 0;  // s1's, when the key frame was asked for
};

class SimKeyFrameBurstTest : public SimSimulcastStallTest {
 protected:
  BurstResult run(std::uint32_t pacing_percent) {
    limits().pacing_percent = pacing_percent;
    constexpr Ladder kBigQKeyFrames{{{1, 30, 600}, {2, 8, 1200}, {8, 24, 1200}}};
    auto& p = join_simulcast("p", room::TrackType::camera, kBigQKeyFrames);
    p.set_transport_cc_id(loadgen::kTransportCcExtensionId);
    auto& s1 = join("s1", false);
    join("s2", false);
    EXPECT_TRUE(pump([&] { return packets(s1, "p-camera") > 0; }, 10s));
    const std::uint8_t down_id = transport_cc_id(last_server_offer.at("s1"));
    EXPECT_NE(down_id, 0);
    transport_cc_.attach(s1, down_id, loop(), [this](std::span<const std::uint8_t> bytes) {
      s1_decoder_.on_packet(bytes, loop().now());
    });
    s1_decoder_.start(loop().now());
    EXPECT_TRUE(run_decoding([&] { return s1_decoder_.layer() == 2; }, 15s))
        << "s1 decodes layer " << s1_decoder_.layer();
    auto link = path("s1").link(ice::Side::A);
    link.bandwidth = kLimit;
    link.queue_limit = kQueue;
    path("s1").set_link(ice::Side::A, link);
    const auto drops = [&] { return path("s1").counters(ice::Side::A).dropped_queue; };
    BurstResult result;
    result.reached_q = run_decoding([&] { return s1_decoder_.layer() == 0; }, 10s);
    result.link_drops = drops();
    if (result.reached_q) {
      run_decoding(nullptr, 4s);  // settled on q
      EXPECT_EQ(s1_decoder_.layer(), 0);
      const auto before = drops();
      const auto paced = worker().counters().bwe.paced_packets.get();
      const auto from = loop().now();
      if (auto* room = worker().find("sim")) {
        if (auto* participant = room->find("s1")) {
          result.pacing_rate = participant->bandwidth().pacer().rate().bps();
        }
      }
      sources_.at("p")->send_frame(true);  // on every layer the server wants (q for s1)
      run_decoding(nullptr, 2s);
      result.burst_drops = drops() - before;
      result.burst_paced = worker().counters().bwe.paced_packets.get() - paced;
      result.burst_stall = s1_decoder_.longest_stall(from, loop().now());
    }
    std::printf(
        "  pacing %u %%: q decoded %s, link drops %llu until then; a q key frame later (pacing at "
        "%lld kbit/s): %llu dropped, %llu held in the pacer, longest stall %lld ms\n",
        pacing_percent, result.reached_q ? "yes" : "no",
        static_cast<unsigned long long>(result.link_drops),
        static_cast<long long>(result.pacing_rate / 1000),
        static_cast<unsigned long long>(result.burst_drops),
        static_cast<unsigned long long>(result.burst_paced),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(result.burst_stall).count()));
    return result;
  }
};

TEST_F(SimKeyFrameBurstTest, PacedTheKeyFrameWaitsOnTheServerAndCrossesWhole) {
  const auto result = run(150);
  ASSERT_TRUE(result.reached_q);
  EXPECT_EQ(result.burst_drops, 0u);
  EXPECT_GE(result.burst_paced, 10u);
  EXPECT_LE(result.burst_stall, 1s);  // 18 KB take 360 ms at 400 kbit/s
}

TEST_F(SimKeyFrameBurstTest, UnpacedTheKeyFrameNeverCrossesAndTheLowLayerNeverStarts) {
  const auto result = run(0);
  EXPECT_FALSE(result.reached_q);  // what pacing fixes
  EXPECT_GE(result.link_drops, 30u);
}

}  // namespace
}  // namespace rrtc::engine::test
