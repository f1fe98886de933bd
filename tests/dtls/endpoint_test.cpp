// dtls::Endpoint: two endpoints over the in-memory Link (link.hpp).

#include "dtls/endpoint.hpp"

#include <gtest/gtest.h>

#include <random>

#include "link.hpp"
#include "srtp/session.hpp"

namespace rrtc::dtls {
namespace {

using srtp::KeyingMaterial;
using srtp::kMaxSrtpOverhead;
using srtp::SrtpDirection;
using srtp::SrtpProfile;
using srtp::SrtpSession;
using test::From;
using test::Link;

struct Certificates {
  std::shared_ptr<const Certificate> server = Certificate::generate();
  std::shared_ptr<const Certificate> client = Certificate::generate();
  std::shared_ptr<const Certificate> rogue = Certificate::generate();
};

const Certificates& certificates() {
  static const Certificates instance;
  return instance;
}

EndpointConfig expecting(const Certificate& peer) {
  EndpointConfig config;
  config.remote_fingerprints = {peer.fingerprint()};
  return config;
}

Link make_link(EndpointConfig server_config, EndpointConfig client_config,
               Link::ClockMode mode = Link::ClockMode::Simulated) {
  const auto& certs = certificates();
  return Link(certs.server, std::move(server_config), certs.client, std::move(client_config), mode);
}

Link default_link(Link::ClockMode mode = Link::ClockMode::Simulated) {
  const auto& certs = certificates();
  return make_link(expecting(*certs.client), expecting(*certs.server), mode);
}

void expect_matching_keys(Link& link, SrtpProfile profile) {
  const auto* server = link.server().find_event<Connected>();
  const auto* client = link.client().find_event<Connected>();
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(server->keys.profile, profile);
  EXPECT_EQ(client->keys.profile, profile);
  const std::size_t size = master_key_length(profile) + master_salt_length(profile);
  EXPECT_EQ(server->keys.local.size(), size);
  EXPECT_EQ(server->keys.remote.size(), size);
  // What one side sends with is what the other receives with, and the directions differ.
  EXPECT_EQ(server->keys.local, client->keys.remote);
  EXPECT_EQ(server->keys.remote, client->keys.local);
  EXPECT_NE(server->keys.local, server->keys.remote);
}

// Protects an RTP packet with `sender_keys.local` and unprotects it with `receiver_keys.remote`.
void expect_srtp_round_trip(const KeyingMaterial& sender_keys,
                            const KeyingMaterial& receiver_keys) {
  auto sender =
      SrtpSession::create(sender_keys.profile, sender_keys.local, SrtpDirection::Outbound);
  auto receiver =
      SrtpSession::create(receiver_keys.profile, receiver_keys.remote, SrtpDirection::Inbound);
  ASSERT_TRUE(sender.has_value());
  ASSERT_TRUE(receiver.has_value());
  std::vector<std::uint8_t> plain{0x80, 111, 0, 1, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe};
  plain.resize(1200, 0x42);
  std::vector<std::uint8_t> packet(plain);
  packet.resize(plain.size() + kMaxSrtpOverhead);
  auto protected_length = sender->protect_rtp(packet, plain.size());
  ASSERT_TRUE(protected_length.has_value());
  auto plain_length = receiver->unprotect_rtp(packet, *protected_length);
  ASSERT_TRUE(plain_length.has_value()) << plain_length.error().message();
  packet.resize(*plain_length);
  EXPECT_EQ(packet, plain);
}

TEST(DtlsEndpoint, HandshakeExportsTheSameKeysOnBothSides) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  expect_matching_keys(link, SrtpProfile::AeadAes128Gcm);
  ASSERT_NE(link.server().find_event<Connected>(), nullptr);
  ASSERT_NE(link.client().find_event<Connected>(), nullptr);
  EXPECT_EQ(link.server().find_event<Connected>()->remote_fingerprint,
            certificates().client->fingerprint());
  EXPECT_EQ(link.client().find_event<Connected>()->remote_fingerprint,
            certificates().server->fingerprint());
  // A handshake with nothing lost needs no retransmission timer afterwards.
  EXPECT_EQ(link.server().find_event<Failed>(), nullptr);
  EXPECT_EQ(link.client().find_event<Failed>(), nullptr);
}

TEST(DtlsEndpoint, EveryDatagramFitsTheMtu) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  for (const auto* side : {&link.server(), &link.client()}) {
    for (const auto& datagram : side->sent) {
      EXPECT_LE(datagram.size(), 1200u);
      ASSERT_FALSE(datagram.empty());
      EXPECT_GE(datagram[0], 20);  // RFC 7983: DTLS content types 20..63
      EXPECT_LE(datagram[0], 63);
    }
  }
  // Records are packed: the server's first flight (ServerHello .. ServerHelloDone) is one datagram.
  EXPECT_LE(link.server().sent.size(), 3u);
}

struct ProfileCase {
  const char* name;
  std::vector<SrtpProfile> server;
  std::vector<SrtpProfile> client;
  SrtpProfile expected;
};

class DtlsProfileNegotiation : public testing::TestWithParam<ProfileCase> {};

TEST_P(DtlsProfileNegotiation, ServerOrderDecides) {
  const auto& param = GetParam();
  auto server_config = expecting(*certificates().client);
  server_config.srtp_profiles = param.server;
  auto client_config = expecting(*certificates().server);
  client_config.srtp_profiles = param.client;
  auto link = make_link(server_config, client_config);
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  expect_matching_keys(link, param.expected);
  // SRTP sessions built from the exported keys interoperate in both directions.
  const auto* server = link.server().find_event<Connected>();
  const auto* client = link.client().find_event<Connected>();
  ASSERT_TRUE(server != nullptr && client != nullptr);
  expect_srtp_round_trip(client->keys, server->keys);
  expect_srtp_round_trip(server->keys, client->keys);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, DtlsProfileNegotiation,
    testing::Values(ProfileCase{"Defaults",
                                {SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80},
                                {SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80},
                                SrtpProfile::AeadAes128Gcm},
                    ProfileCase{"ClientPrefersCm",
                                {SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80},
                                {SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AeadAes128Gcm},
                                SrtpProfile::AeadAes128Gcm},
                    ProfileCase{"ClientOnlyCm",
                                {SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80},
                                {SrtpProfile::AesCm128HmacSha1_80},
                                SrtpProfile::AesCm128HmacSha1_80},
                    ProfileCase{"ServerOnlyCm",
                                {SrtpProfile::AesCm128HmacSha1_80},
                                {SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80},
                                SrtpProfile::AesCm128HmacSha1_80}),
    [](const testing::TestParamInfo<ProfileCase>& info) { return std::string(info.param.name); });

TEST(DtlsEndpoint, NoCommonSrtpProfileFails) {
  auto server_config = expecting(*certificates().client);
  server_config.srtp_profiles = {SrtpProfile::AeadAes128Gcm};
  auto client_config = expecting(*certificates().server);
  client_config.srtp_profiles = {SrtpProfile::AesCm128HmacSha1_80};
  auto link = make_link(server_config, client_config);
  ASSERT_TRUE(
      link.run_until([&] { return link.server().endpoint.state() == EndpointState::Failed; }));
  const auto* failed = link.server().find_event<Failed>();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->reason, FailReason::NoSrtpProfile);
  EXPECT_EQ(link.server().find_event<Connected>(), nullptr);
}

// Which datagram is lost: (sender, index among that sender's datagrams).
struct LossCase {
  const char* name;
  From from;
  std::size_t index;
};

class DtlsLostFlight : public testing::TestWithParam<LossCase> {};

TEST_P(DtlsLostFlight, RetransmissionRecovers) {
  const auto& param = GetParam();
  auto server_config = expecting(*certificates().client);
  auto client_config = expecting(*certificates().server);
  for (auto* config : {&server_config, &client_config}) {
    config->initial_retransmit_timeout = std::chrono::milliseconds(30);
    config->max_retransmit_timeout = std::chrono::milliseconds(120);
  }
  auto link = make_link(server_config, client_config, Link::ClockMode::Real);
  bool dropped = false;
  link.set_drop_rule([&](From from, std::size_t index, const std::vector<std::uint8_t>&) {
    if (dropped || from != param.from || index != param.index) return false;
    dropped = true;
    return true;
  });
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }, std::chrono::seconds(10)));
  EXPECT_TRUE(dropped);
  expect_matching_keys(link, SrtpProfile::AeadAes128Gcm);
}

INSTANTIATE_TEST_SUITE_P(Flights, DtlsLostFlight,
                         testing::Values(LossCase{"ClientHello", From::Client, 0},
                                         LossCase{"ServerHelloFlight", From::Server, 0},
                                         LossCase{"ClientFinishedFlight", From::Client, 1},
                                         LossCase{"ServerFinishedFlight", From::Server, 1}),
                         [](const testing::TestParamInfo<LossCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(DtlsEndpoint, ServerFingerprintMismatchFailsWithClearReason) {
  const auto& certs = certificates();
  auto link = make_link(expecting(*certs.rogue), expecting(*certs.server));
  ASSERT_TRUE(link.run_until([&] {
    return link.server().endpoint.state() == EndpointState::Failed &&
           link.client().endpoint.state() == EndpointState::Failed;
  }));
  const auto* failed = link.server().find_event<Failed>();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->reason, FailReason::FingerprintMismatch);
  EXPECT_NE(failed->detail.find("fingerprint"), std::string::npos) << failed->detail;
  EXPECT_EQ(to_string(failed->reason), "fingerprint mismatch");
  // The client learns it through the alert; neither side exports keys.
  const auto* client_failed = link.client().find_event<Failed>();
  ASSERT_NE(client_failed, nullptr);
  EXPECT_EQ(client_failed->reason, FailReason::AlertReceived);
  EXPECT_EQ(link.server().find_event<Connected>(), nullptr);
  EXPECT_EQ(link.client().find_event<Connected>(), nullptr);
  // A failed endpoint ignores further input and sends nothing more.
  const auto before = link.server().sent.size();
  ASSERT_FALSE(link.client().sent.empty());
  link.server().endpoint.handle_datagram(link.client().sent.front(), link.now());
  EXPECT_FALSE(link.server().endpoint.poll_output().has_value());
  EXPECT_EQ(link.server().sent.size(), before);
}

TEST(DtlsEndpoint, ClientRejectsServerWithWrongFingerprint) {
  const auto& certs = certificates();
  auto link = make_link(expecting(*certs.client), expecting(*certs.rogue));
  ASSERT_TRUE(
      link.run_until([&] { return link.client().endpoint.state() == EndpointState::Failed; }));
  const auto* failed = link.client().find_event<Failed>();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->reason, FailReason::FingerprintMismatch);
  EXPECT_EQ(link.client().find_event<Connected>(), nullptr);
}

TEST(DtlsEndpoint, AcceptsOtherHashFunctionsAndAnyOfSeveralFingerprints) {
  const auto& certs = certificates();
  for (const HashAlgorithm algorithm :
       {HashAlgorithm::Sha1, HashAlgorithm::Sha384, HashAlgorithm::Sha512}) {
    auto server_config = expecting(*certs.rogue);  // a non-matching sha-256 first
    const Fingerprint client_fingerprint = certs.client->fingerprint(algorithm);
    server_config.remote_fingerprints.push_back(client_fingerprint);
    auto link = make_link(server_config, expecting(*certs.server));
    ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }))
        << hash_algorithm_name(algorithm);
    ASSERT_NE(link.server().find_event<Connected>(), nullptr);
    EXPECT_EQ(link.server().find_event<Connected>()->remote_fingerprint, client_fingerprint);
  }
}

TEST(DtlsEndpoint, PassiveHandshakeDeadline) {
  auto server_config = expecting(*certificates().client);
  server_config.handshake_timeout = std::chrono::seconds(10);
  auto link = make_link(server_config, expecting(*certificates().server));
  // The server hears the ClientHello; after that the network goes silent.
  link.set_drop_rule([](From from, std::size_t, const std::vector<std::uint8_t>&) {
    return from == From::Server;
  });
  link.step();
  link.step();
  ASSERT_EQ(link.server().endpoint.state(), EndpointState::Handshaking);
  const auto deadline = link.server().endpoint.next_timeout();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_LE(*deadline, link.now() + std::chrono::seconds(10));
  link.advance(std::chrono::milliseconds(9'999));
  link.server().endpoint.handle_timeout(link.now());
  EXPECT_NE(link.server().endpoint.state(), EndpointState::Failed);
  link.advance(std::chrono::milliseconds(1));
  link.server().endpoint.handle_timeout(link.now());
  link.step();
  ASSERT_EQ(link.server().endpoint.state(), EndpointState::Failed);
  const auto* failed = link.server().find_event<Failed>();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->reason, FailReason::HandshakeTimeout);
  EXPECT_FALSE(link.server().endpoint.next_timeout().has_value());
}

TEST(DtlsEndpoint, RetransmissionTimerUsesTheConfiguredInitialTimeout) {
  auto config = expecting(*certificates().server);
  config.role = Role::Active;
  config.initial_retransmit_timeout = std::chrono::milliseconds(200);
  const time::Timestamp start = time::Timestamp{} + std::chrono::hours(5);
  Endpoint client(certificates().client, config, start);
  EXPECT_EQ(client.state(), EndpointState::Handshaking);
  auto hello = client.poll_output();
  ASSERT_TRUE(hello.has_value());
  ASSERT_TRUE(std::holds_alternative<Transmit>(*hello));
  // OpenSSL's default would be one second; DTLS_set_timer_cb makes it ours.
  const auto due = client.next_timeout();
  ASSERT_TRUE(due.has_value());
  EXPECT_GE(*due, start);
  EXPECT_LE(*due, start + std::chrono::milliseconds(200));
}

TEST(DtlsEndpoint, IdlePassiveEndpointHasNoTimer) {
  Endpoint endpoint(certificates().server, expecting(*certificates().client), time::Timestamp{});
  EXPECT_EQ(endpoint.state(), EndpointState::Idle);
  EXPECT_FALSE(endpoint.next_timeout().has_value());
  EXPECT_FALSE(endpoint.poll_output().has_value());
}

TEST(DtlsEndpoint, MissingRemoteFingerprintFailsAtOnce) {
  Endpoint endpoint(certificates().server, EndpointConfig{}, time::Timestamp{});
  EXPECT_EQ(endpoint.state(), EndpointState::Failed);
  auto output = endpoint.poll_output();
  ASSERT_TRUE(output.has_value());
  const auto* failed = std::get_if<Failed>(&*output);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->reason, FailReason::FingerprintMismatch);
}

TEST(DtlsEndpoint, ApplicationDataBothWays) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  const std::vector<std::uint8_t> ping{0x13, 0x88, 0x13, 0x88, 1, 2, 3};
  const std::vector<std::uint8_t> pong(1000, 0xab);
  ASSERT_TRUE(link.client().endpoint.send_application_data(ping, link.now()));
  ASSERT_TRUE(link.server().endpoint.send_application_data(pong, link.now()));
  ASSERT_TRUE(link.run_until([&] {
    return link.server().find_event<ApplicationData>() != nullptr &&
           link.client().find_event<ApplicationData>() != nullptr;
  }));
  EXPECT_EQ(link.server().find_event<ApplicationData>()->data, ping);
  EXPECT_EQ(link.client().find_event<ApplicationData>()->data, pong);
}

TEST(DtlsEndpoint, PollTransmitTakesAWriteOutAheadOfQueuedEvents) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  // The client's record is kept from the link and handed to the server by hand, so the server's
  // ApplicationData event stays queued while it writes a record of its own.
  link.set_drop_rule([](From from, std::size_t, const auto&) { return from == From::Client; });
  const std::vector<std::uint8_t> ping{1, 2, 3};
  ASSERT_TRUE(link.client().endpoint.send_application_data(ping, link.now()));
  link.step();
  const std::vector<std::uint8_t> record = link.client().sent.back();
  Endpoint& server = link.server().endpoint;
  server.handle_datagram(record, link.now());
  const std::vector<std::uint8_t> pong{4, 5};
  ASSERT_TRUE(server.send_application_data(pong, link.now()));

  const auto transmit = server.poll_transmit();
  ASSERT_TRUE(transmit.has_value());
  EXPECT_EQ(transmit->datagram[0], 23);  // an application_data record (RFC 6347 section 4.1)
  EXPECT_FALSE(server.poll_transmit().has_value());
  auto event = server.poll_output();
  ASSERT_TRUE(event.has_value());
  const auto* data = std::get_if<ApplicationData>(&*event);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->data, ping);
  EXPECT_FALSE(server.poll_output().has_value());
}

TEST(DtlsEndpoint, ApplicationDataNeedsAConnection) {
  Endpoint endpoint(certificates().server, expecting(*certificates().client), time::Timestamp{});
  const std::vector<std::uint8_t> data{1, 2, 3};
  EXPECT_FALSE(endpoint.send_application_data(data, time::Timestamp{}));
}

TEST(DtlsEndpoint, CloseNotifyClosesThePeer) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  link.client().endpoint.close(link.now());
  EXPECT_EQ(link.client().endpoint.state(), EndpointState::Closed);
  ASSERT_TRUE(link.run_until([&] { return link.server().find_event<Closed>() != nullptr; }));
  EXPECT_EQ(link.server().endpoint.state(), EndpointState::Closed);
  EXPECT_EQ(link.server().find_event<Failed>(), nullptr);
  EXPECT_FALSE(link.server().endpoint.next_timeout().has_value());
  const std::vector<std::uint8_t> data{1};
  EXPECT_FALSE(link.server().endpoint.send_application_data(data, link.now()));
}

// Datagrams that are not DTLS records at all: the record layer drops them silently.
std::vector<std::vector<std::uint8_t>> not_records() {
  std::vector<std::vector<std::uint8_t>> out{
      {},
      {22},
      {22, 0xfe, 0xfd},
      {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},  // length past the end
      {22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1},     // TLS, not DTLS, version
      std::vector<std::uint8_t>(3000, 0x16),
  };
  std::mt19937 random(1234);
  for (int i = 0; i < 50; ++i) {
    std::vector<std::uint8_t> datagram(1 + random() % 300);
    for (auto& byte : datagram) byte = static_cast<std::uint8_t>(random());
    datagram[0] = static_cast<std::uint8_t>(20 + random() % 44);
    if (datagram.size() > 2) datagram[1] = 0x42;  // never a DTLS major version
    out.push_back(std::move(datagram));
  }
  return out;
}

// Well-formed records with malformed or hostile content in epoch 0.
std::vector<std::vector<std::uint8_t>> hostile_records() {
  return {
      {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0},  // truncated ClientHello
      {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 2, 40},       // plaintext fatal alert
  };
}

TEST(DtlsEndpoint, DatagramsThatAreNotRecordsAreIgnored) {
  auto link = default_link();
  for (const auto& datagram : not_records())
    link.server().endpoint.handle_datagram(datagram, link.now());
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  expect_matching_keys(link, SrtpProfile::AeadAes128Gcm);
}

TEST(DtlsEndpoint, HostileRecordsDuringTheHandshakeFailItCleanly) {
  for (const auto& datagram : hostile_records()) {
    auto link = default_link();
    link.server().endpoint.handle_datagram(datagram, link.now());
    ASSERT_TRUE(link.run_until([&] {
      return link.server().endpoint.state() == EndpointState::Failed || link.both_connected();
    }));
    // OpenSSL treats a well-formed but bad handshake record as fatal (RFC 6347 only asks that
    // invalid *records* be dropped); what matters is a clear reason and no keys.
    const auto* failed = link.server().find_event<Failed>();
    ASSERT_NE(failed, nullptr);
    EXPECT_FALSE(failed->detail.empty());
    EXPECT_EQ(link.server().find_event<Connected>(), nullptr);
  }
}

TEST(DtlsEndpoint, AnyGarbageAfterTheHandshakeIsDropped) {
  auto link = default_link();
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  auto garbage = not_records();
  for (auto& datagram : hostile_records()) garbage.push_back(datagram);
  // Epoch 1 records with a bad authentication tag.
  garbage.push_back({23, 0xfe, 0xfd, 0,  1,  0,  0,  0,  0,  0,  9,  0,  30, 0,
                     0,  0,    0,    0,  0,  0,  1,  2,  3,  4,  5,  6,  7,  8,
                     9,  10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22});
  // Epoch 1 records shorter than an AEAD nonce and tag (OpenSSL reports those unusually).
  garbage.push_back({21, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40});
  garbage.push_back({23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 10, 0, 1, 0});
  for (const auto& datagram : garbage) {
    link.server().endpoint.handle_datagram(datagram, link.now());
    link.client().endpoint.handle_datagram(datagram, link.now());
  }
  link.step();
  EXPECT_TRUE(link.both_connected());
  EXPECT_EQ(link.server().find_event<ApplicationData>(), nullptr);
  EXPECT_EQ(link.server().find_event<Failed>(), nullptr);
  EXPECT_EQ(link.client().find_event<Failed>(), nullptr);
  // The sessions still work afterwards.
  const std::vector<std::uint8_t> data{9, 8, 7};
  ASSERT_TRUE(link.client().endpoint.send_application_data(data, link.now()));
  ASSERT_TRUE(
      link.run_until([&] { return link.server().find_event<ApplicationData>() != nullptr; }));
  EXPECT_EQ(link.server().find_event<ApplicationData>()->data, data);
}

}  // namespace
}  // namespace rrtc::dtls
