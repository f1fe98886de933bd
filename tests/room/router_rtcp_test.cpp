// The RTCP the Router writes, with exact values: REMB aggregated over several subscribers (the
// outlier rule, stale estimates, the cap), both key-frame request paths (PLI, and FIR with its
// sequence number for a publisher that negotiated only ccm fir), LSR / DLSR in receiver reports,
// and what a malformed compound does.
#include <gtest/gtest.h>

#include <memory>

#include "room/router.hpp"
#include "router_fixture.hpp"

namespace rrtc::room::test {
namespace {

// One publisher of a camera (goog-remb) and `n` subscribers of it.
class RembRoom : public ::testing::Test {
 protected:
  explicit RembRoom(std::size_t n = 4) : router_(RouterOptions{}, counters_) {
    publisher_ = &router_.add("a", publisher_sink_, {});
    router_.publish(*publisher_, {video_track()}, now_);
    for (std::size_t i = 0; i < n; ++i) {
      sinks_.push_back(std::make_unique<FakeSink>());
      auto& member = router_.add("s" + std::to_string(i), *sinks_.back(), {});
      router_.subscribe(
          member, {subscription(video_track(), static_cast<std::uint32_t>(0x100 + i), 100)}, now_);
      subscribers_.push_back(&member);
    }
  }
  void remb(std::size_t subscriber, std::uint64_t bps) {
    rtcp::Remb message;
    message.sender_ssrc = 0x900 + static_cast<std::uint32_t>(subscriber);
    message.bitrate_bps = bps;
    const std::array<std::uint32_t, 1> ssrcs{static_cast<std::uint32_t>(0x100 + subscriber)};
    message.ssrcs = ssrcs;
    std::array<std::uint8_t, 64> buffer{};
    router_.on_rtcp(*subscribers_[subscriber], std::span(buffer.data(), message.write_to(buffer)),
                    now_);
  }
  // The publisher sends a packet now; its next report (one second later) carries the REMB.
  std::optional<std::uint64_t> next_remb() {
    auto packet = make_rtp(kVideoSsrc, kVp8, seq_++, 0, kKeyframe);
    router_.on_rtp(*publisher_, packet, now_);
    const std::size_t before = publisher_sink_.rtcp.size();
    now_ += 1s;
    router_.handle_timeout(now_);
    std::optional<std::uint64_t> bitrate;
    for (std::size_t i = before; i < publisher_sink_.rtcp.size(); ++i) {
      rtcp::CompoundReader reader(publisher_sink_.rtcp[i]);
      while (auto message = reader.next()) {
        if (const auto* r = std::get_if<rtcp::Remb>(&*message)) {
          EXPECT_EQ(r->ssrcs.size(), 1u);
          EXPECT_EQ(r->ssrcs[0], kVideoSsrc);
          bitrate = r->bitrate_bps;
        }
      }
    }
    return bitrate;
  }

  ForwardCounters counters_;
  time::Timestamp now_{100s};
  Router router_;
  FakeSink publisher_sink_;
  Router::Member* publisher_ = nullptr;
  std::vector<std::unique_ptr<FakeSink>> sinks_;
  std::vector<Router::Member*> subscribers_;
  std::uint16_t seq_ = 1;
};

TEST_F(RembRoom, OneSubscriberFarBelowTheOthersDoesNotLowerIt) {
  remb(0, 2'000'000);
  remb(1, 50'000);
  remb(2, 2'000'000);
  remb(3, 2'000'000);
  EXPECT_EQ(next_remb(), 2'000'000u);
  EXPECT_EQ(counters_.remb_outliers.get(), 1u);
}

TEST_F(RembRoom, AllOfThemLowDoes) {
  remb(0, 50'000);
  remb(1, 60'000);
  remb(2, 70'000);
  remb(3, 80'000);
  EXPECT_EQ(next_remb(), 50'000u);
  EXPECT_EQ(counters_.remb_outliers.get(), 0u);
}

TEST_F(RembRoom, TheLowestWithinAQuarterOfTheMedianDecides) {
  // Sorted 400k 600k 1.6M 2M: median (upper) 1.6M, a quarter of it 400k: 400k stays.
  remb(0, 2'000'000);
  remb(1, 400'000);
  remb(2, 1'600'000);
  remb(3, 600'000);
  EXPECT_EQ(next_remb(), 400'000u);
  remb(1, 399'996);  // just under: an outlier now (REMB carries it exactly: 199998 << 1)
  EXPECT_EQ(next_remb(), 600'000u);
}

TEST_F(RembRoom, StaleEstimatesLeaveTheAggregateAndTheCapBoundsIt) {
  remb(0, 1'200'000);
  remb(1, 800'000);
  remb(2, 600'000);
  EXPECT_EQ(next_remb(), 600'000u);  // subscriber 3 never sent one
  // Subscriber 2 goes quiet; 0 and 1 keep reporting. RouterOptions::remb_timeout is 5 s.
  for (int i = 0; i < 4; ++i) {
    remb(0, 1'200'000);
    remb(1, 800'000);
    EXPECT_EQ(next_remb(), 600'000u) << i;  // at 2..5 s its estimate is not older than 5 s
  }
  remb(0, 1'200'000);
  remb(1, 800'000);
  EXPECT_EQ(next_remb(), 800'000u);  // 6 s old: dropped
  // Everybody above RouterOptions::remb_max_bitrate (3 Mbps): the cap.
  for (std::size_t i = 0; i < 4; ++i) remb(i, 5'000'000);
  EXPECT_EQ(next_remb(), 3'000'000u);
}

TEST_F(RembRoom, WithoutAFreshEstimateThePublisherIsToldTheCap) {
  EXPECT_EQ(next_remb(), 3'000'000u);
  remb(0, 700'000);
  EXPECT_EQ(next_remb(), 700'000u);
  now_ += 5s;  // 6 s old at the next report
  EXPECT_EQ(next_remb(), 3'000'000u);
}

TEST_F(RembRoom, APublisherWithTransportCcIsToldOnlyTheCapNotItsSubscribersMinimum) {
  // The engine sends it transport-cc feedback about its own uplink; a subscriber's weak link is
  // that subscriber's layer choice, not a reason to lower every layer it sends.
  PublishedTrack camera = video_track();
  camera.transport_cc = true;
  camera.transport_cc_extension_id = 3;
  router_.publish(*publisher_, {camera}, now_);
  for (std::size_t i = 0; i < 4; ++i) remb(i, 50'000);
  EXPECT_EQ(next_remb(), 3'000'000u);
}

TEST_F(RembRoom, ASubscribersEstimateIsSharedAmongItsVideoTracks) {
  // Subscriber 0 also receives a second camera (of another publisher): half its estimate each.
  FakeSink other_sink;
  auto& other = router_.add("o", other_sink, {});
  PublishedTrack camera = video_track();
  camera.key = "o/1";
  camera.ssrc = 0x4444;
  camera.rtx_ssrc = 0;
  router_.publish(other, {camera}, now_);
  router_.subscribe(*subscribers_[0],
                    {subscription(video_track(), 0x100, 100), subscription(camera, 0x200, 100)},
                    now_);
  remb(0, 1'000'000);
  EXPECT_EQ(next_remb(), 500'000u);
}

// A subscriber's FIR (RFC 5104) for the track it receives reaches the publisher as a PLI for the
// publisher's own SSRC, from the server's RTCP SSRC towards it.
TEST_F(RouterTest, ASubscribersFirBecomesAPliToThePublisher) {
  advance(1s);  // past the key-frame rate limit of the request sent on subscribe
  const std::array<rtcp::FirEntry, 1> entries{rtcp::FirEntry{kDownVideo, 7}};
  rtcp::Fir fir;
  fir.sender_ssrc = 42;
  fir.entries = entries;
  const std::uint32_t server_ssrc = router_.rtcp_ssrc(a_);
  send_rtcp(b_, fir);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>([&](const rtcp::Pli& pli) {
    return pli.sender_ssrc == server_ssrc && pli.media_ssrc == kVideoSsrc;
  }),
            2);  // the one on subscribe and this one
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Fir>(), 0);
  EXPECT_EQ(counters_.keyframe_requests.get(), 2u);
  // An entry for an SSRC the subscriber does not receive asks for nothing.
  advance(1s);
  const std::array<rtcp::FirEntry, 1> unknown{rtcp::FirEntry{0x9999, 8}};
  fir.entries = unknown;
  send_rtcp(b_, fir);
  EXPECT_EQ(counters_.keyframe_requests.get(), 2u);
}

// A publisher that negotiated ccm fir but not nack pli is asked with FIR: its own SSRC in the
// entry, media SSRC 0, and a sequence number that grows by one per new request.
TEST_F(RouterTest, APublisherWithoutPliIsAskedWithFirAndGrowingSequenceNumbers) {
  PublishedTrack camera = video_track();
  camera.codecs.front().pli = false;
  camera.codecs.front().fir = true;
  router_.publish(a_, {audio_track(), camera}, now_);
  const std::uint32_t server_ssrc = router_.rtcp_ssrc(a_);
  const auto fir_with = [&](std::uint8_t seq) {
    return publisher_.count_rtcp<rtcp::Fir>([&](const rtcp::Fir& fir) {
      return fir.sender_ssrc == server_ssrc && fir.media_ssrc == 0 && fir.entries.size() == 1 &&
             fir.entries[0].ssrc == kVideoSsrc && fir.entries[0].seq_nr == seq;
    });
  };
  // The subscriber still waits for a key frame: the re-publish asked at once (rate limit: the
  // subscribe's PLI was at the same instant, so this one waits for the retry).
  advance(1s);
  router_.handle_timeout(now_);
  EXPECT_EQ(fir_with(1), 1);
  // The subscriber's PLI, past the rate limit: the next number.
  advance(300ms);
  send_rtcp(b_, rtcp::Pli{42, kDownVideo});
  EXPECT_EQ(fir_with(2), 1);
  // Within the rate limit: nothing, and the number does not move.
  advance(299ms);
  send_rtcp(b_, rtcp::Pli{42, kDownVideo});
  advance(1ms);
  send_rtcp(b_, rtcp::Pli{42, kDownVideo});
  EXPECT_EQ(fir_with(3), 1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Fir>(), 3);
}

// RFC 3550 6.4.1: LSR is the middle 32 bits of the last SR's NTP time, DLSR the time since it
// arrived in 1/65536 s.
TEST_F(RouterTest, ReceiverReportsCarryLsrAndDlsrOfThePublishersSenderReport) {
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  router_.handle_timeout(start_ + 1s);  // before any SR: both zero
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>([](const rtcp::ReceiverReport& rr) {
    return rr.report_blocks.size() == 1 && rr.report_blocks[0].last_sr == 0 &&
           rr.report_blocks[0].delay_since_last_sr == 0;
  }),
            1);
  now_ = start_ + 1500ms;
  rtcp::SenderReport sr;
  sr.sender_ssrc = kAudioSsrc;
  sr.ntp_timestamp = 0x0102030405060708ULL;
  send_rtcp(a_, sr);
  send(make_rtp(kAudioSsrc, kOpus, 2, 960, kDelta));
  router_.handle_timeout(start_ + 2s);       // 500 ms after the SR: 32768 / 65536 s
  router_.handle_timeout(start_ + 2s + 1s);  // silent: no report
  now_ = start_ + 3250ms;
  send(make_rtp(kAudioSsrc, kOpus, 3, 1920, kDelta));
  router_.handle_timeout(start_ + 4250ms);  // 2.75 s after it: 180224
  const auto block_with = [](std::uint32_t lsr, std::uint32_t dlsr) {
    return [=](const rtcp::ReceiverReport& rr) {
      return rr.report_blocks.size() == 1 && rr.report_blocks[0].ssrc == kAudioSsrc &&
             rr.report_blocks[0].last_sr == lsr && rr.report_blocks[0].delay_since_last_sr == dlsr;
    };
  };
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(block_with(0x03040506, 32768)), 1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(block_with(0x03040506, 180224)), 1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 3);
}

// A compound whose second packet claims more bytes than there are: the first (a PLI) is handled,
// the rest ignored, the compound counted as malformed, nothing forwarded or sent besides.
TEST_F(RouterTest, AMalformedCompoundIsCountedAndOnlyItsGoodPrefixHandled) {
  advance(1s);
  std::array<std::uint8_t, 1500> buffer{};
  rtcp::CompoundWriter writer(buffer);
  ASSERT_TRUE(writer.append(rtcp::Pli{42, kDownVideo}));
  std::size_t size = writer.size();
  const std::array<std::uint8_t, 8> bad{0x80, 0xc9, 0x00, 0x09, 0, 0, 0, 1};  // RR, length 40
  std::copy(bad.begin(), bad.end(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
  size += bad.size();
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_);
  EXPECT_EQ(counters_.malformed_rtcp.get(), 1u);
  EXPECT_EQ(counters_.keyframe_requests.get(), 2u);  // subscribe, and this PLI
  EXPECT_EQ(publisher_.rtcp.size(), 2u);
  EXPECT_TRUE(publisher_.rtp.empty());
  EXPECT_TRUE(subscriber_.rtp.empty());
  EXPECT_TRUE(subscriber_.rtcp.empty());
  // A bad packet first: nothing at all is handled.
  std::copy(bad.begin(), bad.end(), buffer.begin());
  advance(1s);
  router_.on_rtcp(b_, std::span(buffer.data(), bad.size()), now_);
  EXPECT_EQ(counters_.malformed_rtcp.get(), 2u);
  EXPECT_EQ(counters_.keyframe_requests.get(), 2u);
  // An empty datagram is no compound at all: nothing happens, nothing is counted.
  router_.on_rtcp(b_, std::span<const std::uint8_t>(), now_);
  EXPECT_EQ(counters_.malformed_rtcp.get(), 2u);
  EXPECT_EQ(publisher_.rtcp.size(), 2u);
}

}  // namespace
}  // namespace rrtc::room::test
