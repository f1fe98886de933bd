#pragma once
// A client-side DTLS endpoint and SCTP association of the abuse driver's own, run beside a
// Client's Peer on its TapTransport: the Peer's DTLS is kept from leaving and incoming DTLS goes
// here, so the driver holds the DTLS session and can put any bytes in an application data
// record (RFC 8261): crafted SCTP packets reach the server's association through its real DTLS.
// The association's own packets tell the verification tag the server expects (RFC 4960 section
// 8.5: every packet after INIT carries the receiver's initiate tag).
//
// Threading: the loop's thread; a 10 ms tick on the loop drives both timers.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "dtls/endpoint.hpp"
#include "io/event_loop.hpp"
#include "sctp/association.hpp"
#include "tap_transport.hpp"

namespace rrtc::abuse {

class SctpAttacker final : private sctp::AssociationListener {
 public:
  // Takes over the tap: drop_dtls_out and intercept_in are set here.
  SctpAttacker(io::EventLoop& loop, TapTransport& tap,
               std::shared_ptr<const dtls::Certificate> certificate, dtls::EndpointConfig config);
  ~SctpAttacker();

  // Starts the handshake (call once ICE is connected).
  void start();
  bool dtls_connected() const;
  bool up() const { return association_ && association_->state() == sctp::AssociationState::Up; }
  sctp::AssociationState association_state() const {
    return association_ ? association_->state() : sctp::AssociationState::New;
  }
  // The server's verification tag, once the association has sent a packet after its INIT.
  std::optional<std::uint32_t> server_vtag() const { return server_vtag_; }
  // One crafted SCTP packet in one DTLS application data record.
  bool send_sctp(std::span<const std::uint8_t> packet);
  std::uint64_t sent() const { return sent_; }

 private:
  void tick();
  void drain();
  void on_packet(std::span<const std::uint8_t> packet) override;
  void on_association_state(sctp::AssociationState state, std::string_view reason) override;
  void on_channel_open(std::uint16_t, std::string_view, std::string_view) override {}
  void on_message(std::uint16_t, std::span<const std::uint8_t>, bool) override {}
  void on_channel_closed(std::uint16_t) override {}

  io::EventLoop& loop_;
  TapTransport& tap_;
  std::shared_ptr<const dtls::Certificate> certificate_;
  dtls::EndpointConfig config_;
  std::optional<dtls::Endpoint> endpoint_;
  std::unique_ptr<sctp::Association> association_;
  std::optional<std::uint32_t> server_vtag_;
  io::TimerHandle timer_;
  std::uint64_t sent_ = 0;
};

}  // namespace rrtc::abuse
