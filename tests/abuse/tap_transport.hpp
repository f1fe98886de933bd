#pragma once
// An IceTransport between a test client's Peer and its real NiceTransport: everything passes
// through unchanged unless the scenario asks otherwise. It lets a hostile client
//   - send arbitrary datagrams over the pair ICE validated (send_raw), which the server's libnice
//     delivers to its Peer as if they came from the real client (malformed RTP, short SRTP,
//     crafted DTLS records);
//   - keep its Peer's own DTLS from leaving (drop_dtls_out), so a crafted or stalled handshake
//     is the only one the server sees;
//   - take incoming datagrams before the Peer does (intercept_in), to run its own DTLS endpoint;
//   - replay what its Peer sent (last_srtp_out: the last protected RTP datagram).
//
// Threading: the loop thread of the NiceTransport, like any IceTransport.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "ice/ice_transport.hpp"

namespace rrtc::abuse {

// RFC 7983: first byte 20..63 is DTLS, 128..191 RTP/RTCP.
inline bool is_dtls(std::span<const std::uint8_t> d) { return !d.empty() && d[0] >= 20 && d[0] <= 63; }
inline bool is_rtp_or_rtcp(std::span<const std::uint8_t> d) {
  return !d.empty() && d[0] >= 128 && d[0] <= 191;
}
// RTCP packet types 192..223 in the second byte (RFC 5761 section 4).
inline bool is_rtcp(std::span<const std::uint8_t> d) {
  return is_rtp_or_rtcp(d) && d.size() >= 2 && d[1] >= 192 && d[1] <= 223;
}

class TapTransport final : public ice::IceTransport, private ice::IceTransportListener {
 public:
  explicit TapTransport(std::unique_ptr<ice::IceTransport> inner);
  ~TapTransport() override;

  // Sends a datagram on the validated pair, bypassing the Peer. False when ICE refuses it.
  bool send_raw(std::span<const std::uint8_t> datagram) { return inner_->send(datagram); }

  // The Peer's DTLS datagrams are dropped instead of sent while true, once `dtls_out_allowance`
  // of them have left (0: from the first; 1: the ClientHello goes, then the handshake stalls).
  bool drop_dtls_out = false;
  std::uint64_t dtls_out_allowance = 0;
  // Sees every incoming datagram first; returning true keeps it from the Peer.
  std::function<bool(std::span<std::uint8_t>)> intercept_in;
  // Called with every ICE state change (after the Peer has seen it).
  std::function<void(ice::IceState)> on_ice_state;
  // The last SRTP (not SRTCP) datagram the Peer sent, for replays.
  const std::vector<std::uint8_t>& last_srtp_out() const { return last_srtp_out_; }
  std::uint64_t dtls_dropped() const { return dtls_dropped_; }
  // The sequence number of the last RTP packet the Peer sent per SSRC (the header of SRTP is
  // clear), so a forged packet can continue or jump a real stream.
  const std::map<std::uint32_t, std::uint16_t>& last_seq_out() const { return last_seq_out_; }

  // ice::IceTransport
  void set_listener(ice::IceTransportListener* listener) override { listener_ = listener; }
  bool send(std::span<const std::uint8_t> datagram) override;
  ice::CandidateResult add_remote_candidate(std::string_view candidate) override {
    return inner_->add_remote_candidate(candidate);
  }
  bool set_remote_credentials(const ice::IceCredentials& credentials) override {
    return inner_->set_remote_credentials(credentials);
  }
  ice::IceCredentials local_credentials() const override { return inner_->local_credentials(); }
  ice::IceState state() const override { return inner_->state(); }
  void close() override { inner_->close(); }

 private:
  void on_datagram(std::span<std::uint8_t> datagram) noexcept override;
  void on_state(ice::IceState state) override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;

  std::unique_ptr<ice::IceTransport> inner_;
  ice::IceTransportListener* listener_ = nullptr;
  std::vector<std::uint8_t> last_srtp_out_;
  std::uint64_t dtls_dropped_ = 0;
  std::uint64_t dtls_sent_ = 0;
  std::map<std::uint32_t, std::uint16_t> last_seq_out_;
};

}  // namespace rrtc::abuse
