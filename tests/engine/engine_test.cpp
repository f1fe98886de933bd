// MediaEngine over real libnice agents on 127.0.0.1, no browser: a client made of our own ICE,
// DTLS and SRTP layers offers, trickles, connects, sends SRTP; the engine answers, decrypts and
// counts; failures remove the participant and nothing else; bad SDP gets a 400 and it stays.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "engine_harness.hpp"

namespace rrtc::engine::test {
namespace {

using Kind = ChannelCall::Kind;

const std::string kAudio = "rrtc_media_rtp_packets_received_total{kind=\"audio\"}";
const std::string kVideo = "rrtc_media_rtp_packets_received_total{kind=\"video\"}";

class MediaEngineTest : public EngineHarness {};

TEST_F(MediaEngineTest, ClientConnectsAndItsSrtpIsDecrypted) {
  auto& client = new_client();
  ASSERT_TRUE(client.ok());
  auto session = connect(client, "room-1", "alice");
  ASSERT_EQ(client.state, transport::PeerState::Connected) << client.reason;

  // The server trickles on the BUNDLE tag and ends with an empty candidate.
  ASSERT_TRUE(spin([&] {
    pump(session);
    const auto calls = channel_->calls(Kind::candidate, "alice");
    return !calls.empty() && calls.back().text.empty();
  }));
  for (const auto& call : channel_->calls(Kind::candidate, "alice")) {
    EXPECT_EQ(call.room, "room-1");
    EXPECT_EQ(call.sdp_mid, "0");
    EXPECT_EQ(call.sdp_mline_index, 0);
  }
  EXPECT_EQ(metric("rrtc_media_peers_created_total"), 1u);
  EXPECT_TRUE(spin([&] { return metric("rrtc_media_peers_connected_total") == 1; }));

  for (std::uint16_t seq = 1; seq <= 10; ++seq) {
    EXPECT_EQ(client.send_rtp(kAudioPayloadType, seq), transport::SendResult::Sent);
    EXPECT_EQ(client.send_rtp(kVideoPayloadType, seq), transport::SendResult::Sent);
  }
  ASSERT_TRUE(spin([&] { return metric(kAudio) >= 10 && metric(kVideo) >= 10; })) << metrics();
  EXPECT_EQ(metric(kAudio), 10u);
  EXPECT_EQ(metric(kVideo), 10u);
  EXPECT_EQ(metric("rrtc_media_rtp_bytes_received_total{kind=\"audio\"}"), 10u * (12 + 160));
  EXPECT_EQ(metric("rrtc_media_srtp_decrypt_failures_total"), 0u);
  // Peer counters are folded in once a second.
  EXPECT_TRUE(spin([&] { return metric("rrtc_media_datagrams_received_total") >= 20; }));
  EXPECT_TRUE(channel_->calls(Kind::remove, "alice").empty());

  // Shutdown with a live PeerConnection closes and frees it (the client goes first: stop() waits
  // for every libnice agent of the process, the client's too).
  clients_.clear();
  stop_engine();
  EXPECT_EQ(metric("rrtc_media_peers"), 0u);
  EXPECT_TRUE(channel_->calls(Kind::remove, "alice").empty());
}

TEST_F(MediaEngineTest, ClientCloseRemovesTheParticipant) {
  auto& client = new_client();
  ASSERT_TRUE(client.ok());
  auto session = connect(client, "room-1", "bob");
  ASSERT_EQ(client.state, transport::PeerState::Connected) << client.reason;
  EXPECT_TRUE(spin([&] { return metric("rrtc_media_peers_connected_total") == 1; }));

  client.peer().close();
  std::optional<ChannelCall> removed;
  ASSERT_TRUE(spin([&] {
    const auto calls = channel_->calls(Kind::remove, "bob");
    if (!calls.empty()) removed = calls.front();
    return removed.has_value();
  }));
  EXPECT_EQ(removed->room, "room-1");
  EXPECT_NE(removed->text.find("close_notify"), std::string::npos) << removed->text;
  EXPECT_TRUE(spin([&] { return metric("rrtc_media_peers") == 0; }));
  EXPECT_EQ(metric("rrtc_media_peers_failed_total"), 1u);
  // Signaling then reports the leave; the engine has already let go.
  engine_->submit({"room-1", "bob", req::Leave{}});
  EXPECT_EQ(channel_->calls(Kind::remove, "bob").size(), 1u);
}

TEST_F(MediaEngineTest, BadSdpRemovesOnlyThatParticipant) {
  auto& client = new_client();
  ASSERT_TRUE(client.ok());

  engine_->submit({"room-a", "garbage", req::Join{}});
  engine_->submit({"room-a", "garbage", req::Offer{"this is not SDP\r\n", {}}});
  // A well-formed offer without a=fingerprint can never be authenticated.
  std::string no_fingerprint;
  const auto offer = client.offer();
  for (std::size_t at = 0, end = 0; at < offer.size(); at = end + 2) {
    end = offer.find("\r\n", at);
    const auto line = offer.substr(at, end - at);
    if (line.rfind("a=fingerprint:", 0) != 0) no_fingerprint += line + "\r\n";
  }
  engine_->submit({"room-a", "unsigned", req::Join{}});
  engine_->submit({"room-a", "unsigned", req::Offer{no_fingerprint, {}}});
  // Never joined: dropped without a reply.
  engine_->submit({"room-a", "ghost", req::Offer{client.offer(), {}}});
  engine_->submit({"room-z", "ghost", req::Candidate{IceCandidate{"candidate:garbage", "0", 0}}});

  const auto garbage = channel_->wait_for(Kind::reject, "garbage", kDeadline);
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->room, "room-a");
  EXPECT_EQ(garbage->text.rfind("bad SDP: ", 0), 0u) << garbage->text;
  const auto unsigned_offer = channel_->wait_for(Kind::reject, "unsigned", kDeadline);
  ASSERT_TRUE(unsigned_offer.has_value());
  EXPECT_EQ(unsigned_offer->text.rfind("bad SDP: ", 0), 0u) << unsigned_offer->text;
  EXPECT_NE(unsigned_offer->text.find("fingerprint"), std::string::npos) << unsigned_offer->text;

  // Another room on the same worker goes on: it connects and its media is decrypted.
  auto session = connect(client, "room-b", "carol");
  ASSERT_EQ(client.state, transport::PeerState::Connected) << client.reason;
  EXPECT_EQ(client.send_rtp(kVideoPayloadType, 1), transport::SendResult::Sent);
  EXPECT_TRUE(spin([&] {
    pump(session);
    return metric(kVideo) == 1;
  }));
  EXPECT_EQ(metric("rrtc_media_offers_rejected_total"), 2u);
  EXPECT_TRUE(channel_->calls(Kind::remove, "carol").empty());
  EXPECT_TRUE(channel_->calls(Kind::answer, "ghost").empty());
  EXPECT_TRUE(channel_->calls(Kind::remove, "ghost").empty());
  EXPECT_TRUE(channel_->calls(Kind::answer, "garbage").empty());
}

TEST(MediaEngine, RoomsSpreadOverWorkersStably) {
  MediaEngine first(loopback_options(4));
  MediaEngine second(loopback_options(4));
  std::vector<bool> used(4, false);
  for (int i = 0; i < 64; ++i) {
    const auto room = "room-" + std::to_string(i);
    const auto index = first.worker_index(room);
    ASSERT_LT(index, 4u);
    EXPECT_EQ(index, second.worker_index(room));
    used[index] = true;
  }
  EXPECT_EQ(std::count(used.begin(), used.end(), true), 4);
}

TEST(MediaEngine, MetricsHaveHelpAndTypeForEverySample) {
  MediaEngine engine(loopback_options(2));
  std::string text;
  engine.append_metrics(text);
  EXPECT_EQ(metric_value("\n" + text, kAudio), 0u);
  EXPECT_EQ(metric_value("\n" + text, "rrtc_media_peers"), 0u);
  std::string last_type;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      last_type = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.rfind("# HELP ", 0) != 0) {
      EXPECT_EQ(line.rfind(last_type, 0), 0u) << line << " follows TYPE of " << last_type;
    }
  }
  EXPECT_NE(text.find("# TYPE rrtc_media_rtp_packets_received_total counter"), std::string::npos);
}

TEST(MediaEngine, BadIceSettingThrowsAtConstruction) {
  auto options = loopback_options(1);
  options.ice.stun_url = "http://not-a-stun-url";
  EXPECT_THROW(MediaEngine{options}, std::invalid_argument);
}

}  // namespace
}  // namespace rrtc::engine::test
