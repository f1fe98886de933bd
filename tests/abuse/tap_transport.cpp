#include "tap_transport.hpp"

#include <utility>

namespace rrtc::abuse {

TapTransport::TapTransport(std::unique_ptr<ice::IceTransport> inner) : inner_(std::move(inner)) {
  inner_->set_listener(this);
}

TapTransport::~TapTransport() { inner_->set_listener(nullptr); }

bool TapTransport::send(std::span<const std::uint8_t> datagram) {
  if (is_dtls(datagram)) {
    if (drop_dtls_out && dtls_sent_ >= dtls_out_allowance) {
      ++dtls_dropped_;
      return true;  // as if sent: the Peer must believe its handshake left
    }
    ++dtls_sent_;
  }
  if (is_rtp_or_rtcp(datagram) && !is_rtcp(datagram)) {
    last_srtp_out_.assign(datagram.begin(), datagram.end());
    if (datagram.size() >= 12) {
      const std::uint32_t ssrc = std::uint32_t{datagram[8]} << 24 |
                                 std::uint32_t{datagram[9]} << 16 |
                                 std::uint32_t{datagram[10]} << 8 | datagram[11];
      last_seq_out_[ssrc] = static_cast<std::uint16_t>(datagram[2] << 8 | datagram[3]);
    }
  }
  return inner_->send(datagram);
}

void TapTransport::on_datagram(std::span<std::uint8_t> datagram) noexcept {
  if (intercept_in && intercept_in(datagram)) return;
  if (listener_ != nullptr) listener_->on_datagram(datagram);
}

void TapTransport::on_state(ice::IceState state) {
  if (listener_ != nullptr) listener_->on_state(state);
  if (on_ice_state) on_ice_state(state);
}

void TapTransport::on_local_candidate(std::string candidate) {
  if (listener_ != nullptr) listener_->on_local_candidate(std::move(candidate));
}

void TapTransport::on_gathering_done() {
  if (listener_ != nullptr) listener_->on_gathering_done();
}

}  // namespace rrtc::abuse
