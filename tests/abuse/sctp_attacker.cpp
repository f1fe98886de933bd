#include "sctp_attacker.hpp"

#include <chrono>
#include <utility>
#include <variant>

namespace rrtc::abuse {

SctpAttacker::SctpAttacker(io::EventLoop& loop, TapTransport& tap,
                           std::shared_ptr<const dtls::Certificate> certificate,
                           dtls::EndpointConfig config)
    : loop_(loop), tap_(tap), certificate_(std::move(certificate)), config_(std::move(config)) {
  config_.role = dtls::Role::Active;
  tap_.drop_dtls_out = true;
  tap_.intercept_in = [this](std::span<std::uint8_t> datagram) {
    if (!is_dtls(datagram)) return false;
    if (endpoint_) {
      endpoint_->handle_datagram(datagram, loop_.now());
      drain();
    }
    return true;
  };
}

SctpAttacker::~SctpAttacker() {
  tap_.intercept_in = nullptr;
  timer_.cancel();
  association_.reset();
}

void SctpAttacker::start() {
  if (endpoint_) return;
  endpoint_.emplace(certificate_, config_, loop_.now());
  drain();
  tick();
}

bool SctpAttacker::dtls_connected() const {
  return endpoint_ && endpoint_->state() == dtls::EndpointState::Connected;
}

bool SctpAttacker::send_sctp(std::span<const std::uint8_t> packet) {
  if (!dtls_connected()) return false;
  const bool ok = endpoint_->send_application_data(packet, loop_.now());
  drain();
  if (ok) ++sent_;
  return ok;
}

void SctpAttacker::tick() {
  const auto now = loop_.now();
  if (endpoint_) {
    if (const auto due = endpoint_->next_timeout(); due && *due <= now) {
      endpoint_->handle_timeout(now);
    }
    drain();
  }
  if (association_) {
    if (const auto due = association_->next_timeout(); due && *due <= now) {
      association_->handle_timeout(now);
    }
  }
  timer_ = loop_.add_timer(std::chrono::milliseconds(10), [this] { tick(); });
}

void SctpAttacker::drain() {
  while (auto output = endpoint_->poll_output()) {
    if (auto* transmit = std::get_if<dtls::Transmit>(&*output)) {
      tap_.send_raw(transmit->datagram);
    } else if (std::holds_alternative<dtls::Connected>(*output)) {
      sctp::AssociationConfig config;
      config.role = sctp::Role::DtlsClient;
      sctp::AssociationListener& listener = *this;  // private base: convertible only in here
      association_ = std::make_unique<sctp::Association>(config, listener);
      association_->start(loop_.now());
    } else if (auto* data = std::get_if<dtls::ApplicationData>(&*output)) {
      if (association_) association_->handle_packet(data->data, loop_.now());
    }
  }
}

void SctpAttacker::on_packet(std::span<const std::uint8_t> packet) {
  // Chunk type 1 is INIT, sent with tag 0; any other packet carries the server's tag.
  if (packet.size() >= 13 && packet[12] != 1) {
    server_vtag_ = std::uint32_t{packet[4]} << 24 | std::uint32_t{packet[5]} << 16 |
                   std::uint32_t{packet[6]} << 8 | packet[7];
  }
  if (endpoint_) {
    endpoint_->send_application_data(packet, loop_.now());
    while (auto transmit = endpoint_->poll_transmit()) tap_.send_raw(transmit->datagram);
  }
}

void SctpAttacker::on_association_state(sctp::AssociationState, std::string_view) {}

}  // namespace rrtc::abuse
