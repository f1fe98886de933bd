#pragma once
// A WebRTC client built from the project's own layers, for engine tests without a browser: a
// libnice agent in the controlling role and a transport::Peer in the DTLS Active role, its offer
// the recorded aiortc offer (tests/data/sdp/aiortc_offer.sdp: opus on PT 96 in mid 0, VP8 on
// PT 97 in mid 1, a data channel) with this client's ICE credentials and fingerprint put in.
//
// Threading: everything on the thread that drives `loop` (the test thread, via run_until).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/glib_loop.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::engine::test {

inline constexpr std::uint8_t kAudioPayloadType = 96;  // opus in the fixture
inline constexpr std::uint8_t kVideoPayloadType = 97;  // VP8 in the fixture

class TestClient final : public transport::PeerListener {
 public:
  explicit TestClient(io::GlibLoop& loop);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool ok() const noexcept { return peer_ != nullptr; }
  transport::Peer& peer() { return *peer_; }

  // The offer; with `wrong_fingerprint` set, its a=fingerprint has one hex digit changed, so it
  // matches no certificate (this client's DTLS certificate is still the real one).
  std::string offer() const;
  // Starts the Peer with the server answer's credentials and fingerprint. "" or why not.
  std::string apply_answer(const std::string& sdp);
  // Sends one RTP packet (SSRC per payload type, 160 payload bytes).
  transport::SendResult send_rtp(std::uint8_t payload_type, std::uint16_t sequence);

  bool wrong_fingerprint = false;

  // What the Peer reported.
  std::vector<std::string> local_candidates;
  bool gathering_done = false;
  transport::PeerState state = transport::PeerState::New;
  std::string reason;
  std::uint64_t rtp_received = 0;

 private:
  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;

  transport::LoopPeerTimer timer_;
  std::unique_ptr<transport::Peer> peer_;
};

}  // namespace rrtc::engine::test
