// Two transport::Peers over real libnice agents on 127.0.0.1, driven by one io::GlibLoop on the
// test thread with LoopPeerTimer: ICE, the DTLS handshake, SRTP and SRTCP both ways, a data
// channel (SCTP inside DTLS, its timers on the loop), close.

#include <gtest/gtest.h>

#include "ice/nice_transport.hpp"
#include "io/glib_loop.hpp"
#include "peer_harness.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::transport {
namespace {

using test::certificates;
using test::rtcp_receiver_report;
using test::rtp_packet;

constexpr auto kDeadline = std::chrono::seconds(15);

struct NiceSide {
  NiceSide(io::GlibLoop& loop, bool controlling,
           std::shared_ptr<const dtls::Certificate> certificate)
      : timer(loop) {
    ice::IceOptions options;
    options.interfaces = {"127.0.0.1"};
    options.controlling = controlling;
    auto transport = ice::NiceTransport::create(loop, ice::resolve_ice_config(options));
    if (transport) {
      peer = std::make_unique<Peer>(std::move(transport), std::move(certificate), timer, listener);
      timer.set_peer(peer.get());
    }
  }

  LoopPeerTimer timer;  // declared first: outlives the Peer
  test::RecordingListener listener;
  std::unique_ptr<Peer> peer;
};

class PeerOverNice : public testing::TestWithParam<srtp::SrtpProfile> {
 protected:
  ~PeerOverNice() override {
    server.peer.reset();
    client.peer.reset();
    // libnice releases agents asynchronously: let it finish before the loop goes.
    loop.run_until([] { return ice::NiceTransport::agents_alive() == 0; }, std::chrono::seconds(5));
  }

  // Trickles each side's candidates to the other as they are gathered.
  static void trickle(NiceSide& from, NiceSide& to) {
    from.listener.on_candidate_hook = [&to](const std::string& candidate) {
      EXPECT_EQ(to.peer->add_remote_candidate(candidate), ice::CandidateResult::Added) << candidate;
    };
    from.listener.on_gathering_done_hook = [&to] { to.peer->add_remote_candidate(""); };
  }

  io::GlibLoop loop;
  NiceSide server{loop, false, certificates().server};
  NiceSide client{loop, true, certificates().client};
};

TEST_P(PeerOverNice, HandshakeSrtpDataChannelBothWaysAndClose) {
  ASSERT_TRUE(server.peer && client.peer);
  trickle(server, client);
  trickle(client, server);
  PeerConfig server_config;
  server_config.remote_credentials = client.peer->local_credentials();
  server_config.dtls.role = dtls::Role::Passive;
  server_config.dtls.remote_fingerprints = {client.peer->local_fingerprint()};
  server_config.dtls.srtp_profiles = {GetParam()};
  PeerConfig client_config;
  client_config.remote_credentials = server.peer->local_credentials();
  client_config.dtls.role = dtls::Role::Active;
  client_config.dtls.remote_fingerprints = {server.peer->local_fingerprint()};
  ASSERT_EQ(server.peer->start(server_config), StartResult::Started);
  ASSERT_EQ(client.peer->start(client_config), StartResult::Started);
  ASSERT_EQ(server.peer->enable_data_channels({}), EnableDataResult::Enabled);
  ASSERT_EQ(client.peer->enable_data_channels({}), EnableDataResult::Enabled);

  ASSERT_TRUE(loop.run_until(
      [&] {
        return server.peer->state() == PeerState::Connected &&
               client.peer->state() == PeerState::Connected;
      },
      kDeadline))
      << "server: " << to_string(server.peer->state()) << " " << server.peer->reason()
      << " / client: " << to_string(client.peer->state()) << " " << client.peer->reason();
  EXPECT_EQ(server.peer->srtp_profile(), GetParam());
  EXPECT_EQ(client.peer->srtp_profile(), GetParam());

  const auto up = rtp_packet(100, 1100, 0x11);
  const auto down = rtp_packet(200, 300, 0x22);
  const auto report = rtcp_receiver_report(0x01020304);
  EXPECT_EQ(test::send_rtp(*client.peer, up), SendResult::Sent);
  EXPECT_EQ(test::send_rtcp(*client.peer, report), SendResult::Sent);
  EXPECT_EQ(test::send_rtp(*server.peer, down), SendResult::Sent);
  EXPECT_EQ(test::send_rtcp(*server.peer, report), SendResult::Sent);
  ASSERT_TRUE(loop.run_until(
      [&] {
        return !server.listener.rtp.empty() && !server.listener.rtcp.empty() &&
               !client.listener.rtp.empty() && !client.listener.rtcp.empty();
      },
      kDeadline));
  EXPECT_EQ(server.listener.rtp.front(), up);
  EXPECT_EQ(server.listener.rtcp.front(), report);
  EXPECT_EQ(client.listener.rtp.front(), down);
  EXPECT_EQ(client.listener.rtcp.front(), report);
  EXPECT_EQ(server.peer->counters().decrypt_failures, 0u);

  ASSERT_TRUE(loop.run_until([&] { return server.listener.data_up() && client.listener.data_up(); },
                             kDeadline));
  const OpenDataResult opened = client.peer->open_data_channel("chat", "", {});
  ASSERT_TRUE(opened.id.has_value()) << to_string(opened.error);
  // Larger than one SCTP packet: fragments, SACKs and the congestion window all take part.
  std::vector<std::uint8_t> large(60'000);
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<std::uint8_t>(i % 251);
  ASSERT_EQ(client.peer->send_data(*opened.id, large, true), DataSendResult::Sent);
  ASSERT_TRUE(loop.run_until([&] { return !server.listener.data_messages.empty(); }, kDeadline));
  EXPECT_EQ(server.listener.data_opened.front().label, "chat");
  EXPECT_EQ(server.listener.data_messages.front().label, "chat");
  EXPECT_EQ(server.listener.data_messages.front().data, large);
  const std::string reply = "got it";
  ASSERT_EQ(
      server.peer->send_data(
          *opened.id, {reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()}, false),
      DataSendResult::Sent);
  ASSERT_TRUE(loop.run_until([&] { return !client.listener.data_messages.empty(); }, kDeadline));
  EXPECT_EQ(client.listener.data_messages.front().text(), reply);

  client.peer->close();
  ASSERT_TRUE(loop.run_until([&] { return server.peer->state() == PeerState::Closed; }, kDeadline))
      << to_string(server.peer->state()) << " " << server.peer->reason();
  EXPECT_NE(server.peer->reason().find("close_notify"), std::string::npos) << server.peer->reason();
}

INSTANTIATE_TEST_SUITE_P(Profiles, PeerOverNice,
                         testing::Values(srtp::SrtpProfile::AeadAes128Gcm,
                                         srtp::SrtpProfile::AesCm128HmacSha1_80),
                         [](const testing::TestParamInfo<srtp::SrtpProfile>& info) {
                           return info.param == srtp::SrtpProfile::AeadAes128Gcm
                                      ? "AeadAes128Gcm"
                                      : "AesCm128HmacSha1_80";
                         });

}  // namespace
}  // namespace rrtc::transport
