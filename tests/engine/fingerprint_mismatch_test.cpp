// A client whose DTLS certificate does not match the a=fingerprint of its offer, through the
// whole media engine over real libnice agents on 127.0.0.1: the server fails its Peer during the
// handshake, signaling is told to remove it with a reason naming the fingerprint, nothing of it
// is decrypted or forwarded, and a healthy participant of the same room is untouched.

#include <gtest/gtest.h>

#include <string>

#include "engine_harness.hpp"

namespace rrtc::engine::test {
namespace {

using Kind = ChannelCall::Kind;

const std::string kAudio = "rrtc_media_rtp_packets_received_total{kind=\"audio\"}";
const std::string kVideo = "rrtc_media_rtp_packets_received_total{kind=\"video\"}";

class FingerprintMismatchTest : public EngineHarness {};

TEST_F(FingerprintMismatchTest, PeerIsFailedRemovedAndNothingIsForwarded) {
  // A healthy participant first, to receive anything that might be forwarded.
  auto& bob = new_client();
  ASSERT_TRUE(bob.ok());
  auto bob_session = connect(bob, "room-1", "bob");
  ASSERT_EQ(bob.state, transport::PeerState::Connected) << bob.reason;
  ASSERT_TRUE(spin([&] { return metric("rrtc_media_peers_connected_total") == 1; }));

  auto& mallory = new_client();
  ASSERT_TRUE(mallory.ok());
  mallory.wrong_fingerprint = true;
  const std::string real = mallory.peer().local_fingerprint().value();
  const std::string offer = mallory.offer();
  ASSERT_EQ(offer.find(real), std::string::npos) << "the advertised fingerprint is the real one";
  ASSERT_NE(offer.find("a=fingerprint:sha-256 " + real.substr(0, real.size() - 1)),
            std::string::npos);

  Session session{&mallory, "room-1", "mallory"};
  engine_->submit({"room-1", "mallory", req::Join{}});
  engine_->submit(
      {"room-1", "mallory",
       req::Offer{offer, {TrackInfo{"0", TrackType::audio}, TrackInfo{"1", TrackType::camera}}}});
  // The offer itself is well-formed: it is answered, and fails only when the certificate shows.
  const auto answer = channel_->wait_for(Kind::answer, "mallory", kDeadline);
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(mallory.apply_answer(answer->text), "");

  std::optional<ChannelCall> removed;
  ASSERT_TRUE(spin([&] {
    pump(session);
    pump(bob_session);
    const auto calls = channel_->calls(Kind::remove, "mallory");
    if (!calls.empty()) removed = calls.front();
    return removed.has_value();
  })) << "mallory was never removed; client state "
      << transport::to_string(mallory.state);
  EXPECT_EQ(removed->room, "room-1");
  EXPECT_NE(removed->text.find("fingerprint mismatch"), std::string::npos) << removed->text;
  EXPECT_EQ(removed->text.rfind("failed: DTLS failed: ", 0), 0u) << removed->text;

  // The server never finished the handshake, so the client never keyed SRTP: what it tries to
  // send goes nowhere, and the server decrypted nothing of it.
  // The server's fatal alert (or its closed ICE) fails the client too.
  EXPECT_TRUE(spin([&] { return mallory.state == transport::PeerState::Failed; }))
      << mallory.reason;
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    EXPECT_EQ(mallory.send_rtp(kAudioPayloadType, seq), transport::SendResult::NotConnected);
    EXPECT_EQ(mallory.send_rtp(kVideoPayloadType, seq), transport::SendResult::NotConnected);
  }
  EXPECT_TRUE(spin([&] { return metric("rrtc_media_peers") == 1; })) << metrics();
  EXPECT_EQ(metric("rrtc_media_peers_created_total"), 2u);
  EXPECT_EQ(metric("rrtc_media_peers_connected_total"), 1u);
  EXPECT_EQ(metric("rrtc_media_peers_failed_total"), 1u);
  EXPECT_EQ(metric(kAudio), 0u);
  EXPECT_EQ(metric(kVideo), 0u);
  EXPECT_EQ(metric("rrtc_media_srtp_decrypt_failures_total"), 0u);
  EXPECT_EQ(bob.rtp_received, 0u);
  EXPECT_EQ(channel_->calls(Kind::remove, "mallory").size(), 1u);

  // The room goes on: bob's media is decrypted, and bob was never removed.
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    EXPECT_EQ(bob.send_rtp(kAudioPayloadType, seq), transport::SendResult::Sent);
  }
  EXPECT_TRUE(spin([&] { return metric(kAudio) == 5; })) << metrics();
  EXPECT_EQ(bob.state, transport::PeerState::Connected);
  EXPECT_TRUE(channel_->calls(Kind::remove, "bob").empty());
  engine_->submit({"room-1", "mallory", req::Leave{}});
}

}  // namespace
}  // namespace rrtc::engine::test
