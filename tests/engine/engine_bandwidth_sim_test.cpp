// Issue 17's bandwidth estimation on the simulated network, through the whole engine (real DTLS
// and SRTP, the Router inside MediaRoom, the estimator inside MediaParticipant):
//  - a subscriber whose downlink drops to 400 kbit/s: the server stamps every forwarded packet
//    with the subscriber's transport-wide sequence number, the subscriber (a feedback generator
//    here, as a browser sends it every 100 ms) reports arrivals, and the server's estimate for it
//    converges to 70-100 % of the capacity within 5 s. The publisher stands in for allocation:
//    each 10 ms it sends what the server's estimate for the subscriber says (at most 1.2 Mbit/s),
//    so the link carries what an allocator would forward. That rate is sent as audio, which the
//    Router's allocation never pauses: a single-layer video at the estimate would be paused by
//    allocation at the estimate's first decrease (its measured bitrate no longer fits), and
//    nothing would be left to measure; this test is about the estimate;
//  - a publisher that negotiated transport-cc gets transport-cc feedback about its own packets
//    every ~50 ms while it sends, and none while it is silent.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client_sdp.hpp"
#include "engine/media_room.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet.hpp"
#include "sdp/capabilities.hpp"
#include "sim_room.hpp"
#include "sim_transport_cc.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kCapacity = 400'000;
constexpr std::uint64_t kMaxSource = 1'200'000;
constexpr auto kStep = 10ms;

class SimBandwidth : public SimRoomTest {
 protected:
  // The fixture's teardown still delivers packets: the observers point into this test.
  void TearDown() override {
    for (const char* id : {"A", "B"}) {
      if (auto* c = client(id)) {
        c->set_rtp_observer(nullptr);
        c->set_rtcp_observer(nullptr);
      }
    }
  }

  const ParticipantBandwidth* bandwidth(const std::string& id) {
    auto* room = worker().find("sim");
    auto* participant = room != nullptr ? room->find(id) : nullptr;
    return participant != nullptr ? &participant->bandwidth() : nullptr;
  }
  // The server's target for `id` in bit/s (0 before it has an estimator).
  std::uint64_t target(const std::string& id) {
    const auto* b = bandwidth(id);
    return b != nullptr && b->estimator() != nullptr
               ? static_cast<std::uint64_t>(b->estimator()->target_bitrate().bps())
               : 0;
  }

  // One 10 ms step: `rate` of A's audio (allocation never pauses audio, so what the estimate
  // allows reaches B whatever it decides for video), a thin video frame every 40 ms (probes
  // ride on it while it is forwarded), B's feedback every 100 ms.
  void step(SimClient& a, SimClient& b, std::uint64_t rate) {
    trace(rate);
    const std::uint64_t bytes = rate * 10 / 1000 / 8;
    const auto packets = std::max<std::uint64_t>(1, (bytes + 999) / 1000);
    // Less the RTP header and extension (20) and the SRTP tag (16) counted on the wire.
    const std::size_t payload = std::max<std::uint64_t>(bytes / packets, 76) - 36;
    for (std::uint64_t i = 0; i < packets; ++i) a.send_audio(payload);
    if (phase_ % 4 == 0) a.send_video_frame(a.take_keyframe_request(), 2, 200);
    if (++phase_ % 10 == 0) transport_cc_.send(b);
    run_for(kStep);
  }

  // RRTC_BWE_TRACE=1 prints the estimator every 0.5 s (for tuning).
  void trace(std::uint64_t rate) {
    const auto* b = bandwidth("B");
    if (std::getenv("RRTC_BWE_TRACE") == nullptr || phase_ % 50 != 0 || b == nullptr ||
        b->estimator() == nullptr) {
      return;
    }
    const auto st = b->estimator()->stats();
    std::printf(
        "%6.2f s rate %7llu target %7llu delay-based %7lld loss %7lld acked %7lld usage %d\n",
        phase_ * 0.01, static_cast<unsigned long long>(rate),
        static_cast<unsigned long long>(target("B")), static_cast<long long>(st.delay_based.bps()),
        st.loss_bound ? static_cast<long long>(st.loss_bound->bps()) : -1LL,
        st.acknowledged ? static_cast<long long>(st.acknowledged->bps()) : -1LL,
        static_cast<int>(st.usage));
  }

  SimTransportCc transport_cc_;  // B's feedback, every 100 ms (step())
  int phase_ = 0;
};

TEST_F(SimBandwidth, SubscriberEstimateConvergesAfterItsLinkDropsTo400k) {
  auto& a = join("A", true);
  auto& b = join("B", false);
  ASSERT_TRUE(run_until([&] { return a.connected() && b.connected(); }, 2s));
  ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2; }, 2s));
  ASSERT_TRUE(run_until([&] { return bandwidth("B") && bandwidth("B")->estimator(); }, 1s));
  const std::uint8_t down_id = transport_cc_id(last_server_offer.at("B"));
  ASSERT_NE(down_id, 0) << "the server offers transport-wide-cc";
  EXPECT_EQ(bandwidth("B")->subscriber_extension_id(), down_id);
  a.set_transport_cc_id(loadgen::kTransportCcExtensionId);
  transport_cc_.attach(b, down_id, loop());

  // Phase 1: an unlimited LAN; the estimate climbs from its 300 kbit/s start.
  for (int i = 0; i < 800; ++i)
    step(a, b, std::min(kMaxSource, std::max<std::uint64_t>(target("B"), 100'000)));
  const std::uint64_t before = target("B");
  EXPECT_GT(transport_cc_.arrivals(), 1000u);
  EXPECT_GT(worker().counters().bwe.feedback_received.get(), 70u);
  ASSERT_GT(before, 550'000u) << "the estimate must be above the coming capacity";

  // Phase 2: B's downlink drops to 400 kbit/s (a 20 KB queue, 400 ms at that rate).
  auto link = path("B").link(ice::Side::A);
  link.bandwidth = kCapacity;
  link.queue_limit = 20'000;
  path("B").set_link(ice::Side::A, link);
  std::optional<double> converged_after;
  double share_sum = 0;
  int samples = 0;
  int in_band = 0;
  double min_share = 10;
  double max_share = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t now_target = target("B");
    step(a, b, std::min(kMaxSource, now_target));
    if (i % 10 != 9) continue;
    const double share = static_cast<double>(target("B")) / static_cast<double>(kCapacity);
    const bool band = share >= 0.7 && share <= 1.0;
    if (!converged_after && band) converged_after = (i + 1) * 0.01;
    if (!converged_after) continue;
    share_sum += share;
    ++samples;
    in_band += band ? 1 : 0;
    min_share = std::min(min_share, share);
    max_share = std::max(max_share, share);
  }
  ASSERT_TRUE(converged_after) << "target " << target("B");
  const double mean = share_sum / samples;
  std::printf(
      "  step %.0f kbit/s -> 400 kbit/s: converged after %.2f s; then %.0f-%.0f %% of capacity "
      "(mean %.0f %%, %.0f %% of samples within 70-100 %%); %llu feedback messages\n",
      static_cast<double>(before) / 1000, *converged_after, min_share * 100, max_share * 100,
      mean * 100, 100.0 * in_band / samples,
      static_cast<unsigned long long>(worker().counters().bwe.feedback_received.get()));
  EXPECT_LE(*converged_after, 5.0);
  EXPECT_GE(mean, 0.7);
  EXPECT_LE(mean, 1.0);
  EXPECT_GE(static_cast<double>(in_band) / samples, 0.7) << "the estimate oscillates";
  EXPECT_GE(min_share, 0.5);
  EXPECT_LE(max_share, 1.15);
  EXPECT_GT(worker().counters().bwe.packets_stamped.get(), transport_cc_.arrivals() / 2);
}

TEST_F(SimBandwidth, PublisherGetsTransportCcFeedbackWhileItSends) {
  auto& a = join("A", true);
  auto& b = join("B", false);
  ASSERT_TRUE(run_until([&] { return a.connected() && b.connected(); }, 2s));
  ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2; }, 2s));
  ASSERT_NE(bandwidth("A"), nullptr);
  ASSERT_EQ(bandwidth("A")->publisher_extension_id(), loadgen::kTransportCcExtensionId);
  a.set_transport_cc_id(loadgen::kTransportCcExtensionId);
  const std::uint16_t first = a.next_transport_seq();

  std::vector<rtcp::PacketStatus> statuses;
  int messages = 0;
  a.set_rtcp_observer([&](std::span<const std::uint8_t> bytes) {
    rtcp::CompoundReader reader(bytes);
    while (const auto packet = reader.next()) {
      const auto* cc = std::get_if<rtcp::TransportCc>(&*packet);
      if (cc == nullptr) continue;
      ++messages;
      auto cursor = cc->statuses();
      while (const auto status = cursor.next()) statuses.push_back(*status);
    }
  });
  publish_for(1s);  // audio every 20 ms, a 3-packet video frame every 40 ms
  run_for(200ms);   // the last message leaves
  const std::uint16_t end = a.next_transport_seq();
  const std::size_t sent = static_cast<std::uint16_t>(end - first);
  EXPECT_EQ(sent, 50u + 25u * 3u);
  // About one message per 50 ms of sending (the first one at once).
  EXPECT_GE(messages, 19);
  EXPECT_LE(messages, 22);
  std::set<std::uint16_t> received;
  for (const auto& s : statuses) {
    if (s.received) received.insert(s.seq);
  }
  EXPECT_EQ(received.size(), sent) << "every packet reported received (a LAN without loss)";
  EXPECT_EQ(*received.begin(), first);
  EXPECT_EQ(worker().counters().bwe.feedback_sent.get(), static_cast<std::uint64_t>(messages));

  // Silent: no more feedback.
  run_for(2s);
  EXPECT_EQ(worker().counters().bwe.feedback_sent.get(), static_cast<std::uint64_t>(messages));
}

}  // namespace
}  // namespace rrtc::engine::test
