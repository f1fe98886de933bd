#include "test_client.hpp"

#include <fstream>
#include <sstream>

#include "dtls/certificate.hpp"
#include "ice/nice_transport.hpp"
#include "sdp/parser.hpp"

namespace rrtc::engine::test {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool starts_with(const std::string& line, const char* prefix) { return line.rfind(prefix, 0) == 0; }

}  // namespace

TestClient::TestClient(io::GlibLoop& loop) : timer_(loop) {
  ice::IceOptions options;
  options.interfaces = {"127.0.0.1"};
  options.controlling = true;
  auto ice = ice::NiceTransport::create(loop, ice::resolve_ice_config(options));
  if (ice == nullptr) return;
  transport::PeerListener& listener = *this;
  peer_ = std::make_unique<transport::Peer>(std::move(ice), dtls::Certificate::generate(), timer_,
                                            listener);
  timer_.set_peer(peer_.get());
}

TestClient::~TestClient() {
  peer_.reset();
  timer_.set_peer(nullptr);
}

std::string TestClient::offer() const {
  const auto credentials = peer_->local_credentials();
  const auto& fingerprint = peer_->local_fingerprint();
  std::istringstream in(read_fixture("aiortc_offer.sdp"));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Our candidates trickle; the recorded ones name addresses of another machine.
    if (starts_with(line, "a=candidate:") || starts_with(line, "a=end-of-candidates")) continue;
    if (starts_with(line, "a=ice-ufrag:")) line = "a=ice-ufrag:" + credentials.ufrag;
    if (starts_with(line, "a=ice-pwd:")) line = "a=ice-pwd:" + credentials.pwd;
    if (starts_with(line, "a=fingerprint:")) {
      std::string value = fingerprint.value();
      if (wrong_fingerprint) value.back() = value.back() == '0' ? '1' : '0';
      line = "a=fingerprint:" + std::string(fingerprint.hash_func()) + " " + value;
    }
    out += line + "\r\n";
  }
  return out;
}

std::string TestClient::apply_answer(const std::string& text) {
  auto answer = sdp::parse(text);
  if (!answer) return "unparsable answer: " + answer.error().message();
  if (answer->media.empty()) return "answer without m-lines";
  const auto& media = answer->media.front();  // the BUNDLE tag carries the transport
  transport::PeerConfig config;
  config.remote_credentials = {media.ice_ufrag.empty() ? answer->ice_ufrag : media.ice_ufrag,
                               media.ice_pwd.empty() ? answer->ice_pwd : media.ice_pwd};
  const auto& fingerprints = media.fingerprints.empty() ? answer->fingerprints : media.fingerprints;
  for (const auto& f : fingerprints) {
    if (auto parsed = dtls::Fingerprint::parse(f.algorithm, f.value)) {
      config.dtls.remote_fingerprints.push_back(*parsed);
    }
  }
  config.dtls.role = dtls::Role::Active;
  const auto started = peer_->start(config);
  return started == transport::StartResult::Started ? std::string() : to_string(started);
}

transport::SendResult TestClient::send_rtp(std::uint8_t payload_type, std::uint16_t sequence) {
  std::vector<std::uint8_t> packet(12 + 160 + transport::kRtpSendOverhead, 0xab);
  const std::uint32_t ssrc = 0x10000000u + payload_type;
  const std::uint32_t timestamp = sequence * 960u;
  packet[0] = 0x80;  // V=2, no padding, no extension, no CSRC
  packet[1] = payload_type;
  packet[2] = static_cast<std::uint8_t>(sequence >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence);
  for (int i = 0; i < 4; ++i) {
    packet[4 + i] = static_cast<std::uint8_t>(timestamp >> (24 - 8 * i));
    packet[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  }
  return peer_->send_rtp(packet, 12 + 160);
}

void TestClient::on_state(transport::PeerState new_state, std::string_view why) {
  state = new_state;
  reason = std::string(why);
}

void TestClient::on_rtp(std::span<std::uint8_t> /*packet*/) noexcept { ++rtp_received; }
void TestClient::on_rtcp(std::span<std::uint8_t> /*packet*/) noexcept {}
void TestClient::on_local_candidate(std::string candidate) {
  local_candidates.push_back(std::move(candidate));
}
void TestClient::on_gathering_done() { gathering_done = true; }

}  // namespace rrtc::engine::test
