#pragma once
// Endpoint's private implementation, shared by endpoint.cpp (inputs, outputs, state machine)
// and endpoint_setup.cpp (SSL set-up, OpenSSL callbacks, key export). Internal to src/dtls.

#include <spdlog/logger.h>

#include <deque>
#include <string_view>

#include "dtls/datagram_bio.hpp"
#include "dtls/endpoint.hpp"
#include "dtls/openssl_ptr.hpp"

namespace rrtc::dtls {

namespace detail {

inline constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";  // RFC 5764 section 4.2
inline constexpr std::size_t kReadBufferSize = 16384;  // largest DTLS plaintext record

spdlog::logger& dtls_logger();
// The last OpenSSL error on this thread's queue, as text.
std::string openssl_error_string();
// The smallest encrypted record fragment the negotiated cipher can produce.
std::size_t min_encrypted_length(const SSL* ssl) noexcept;
// "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80" for SSL_set_tlsext_use_srtp().
std::string profile_list(const std::vector<srtp::SrtpProfile>& profiles);

}  // namespace detail

class Endpoint::Impl {
 public:
  Impl(std::shared_ptr<const Certificate> certificate, EndpointConfig config, time::Timestamp now);

  void handle_datagram(std::span<const std::uint8_t> datagram, time::Timestamp now);
  void handle_timeout(time::Timestamp now);
  std::optional<time::Timestamp> next_timeout() const noexcept;
  void close(time::Timestamp now);
  bool send_application_data(std::span<const std::uint8_t> data, time::Timestamp now);
  std::optional<Output> poll_output();
  std::optional<Transmit> poll_transmit();

  EndpointState state() const noexcept { return state_; }
  Role role() const noexcept { return config_.role; }

  // OpenSSL callbacks (noexcept trampolines find the Impl through SSL_get_app_data).
  static unsigned int on_timer(SSL* ssl, unsigned int previous_us) noexcept;
  static int on_verify(int preverify_ok, X509_STORE_CTX* store) noexcept;
  static void on_info(const SSL* ssl, int where, int value) noexcept;

 private:
  bool set_up_ssl();
  bool accept_peer_certificate(const X509& leaf);
  void start_handshake(time::Timestamp now);
  void drive_handshake();
  void on_handshake_done();
  bool export_keys(srtp::SrtpProfile profile, srtp::KeyingMaterial& keys);
  void read_application_data();
  void fail(FailReason reason, std::string detail);
  void fail_from_openssl(int ssl_error);
  void collect_datagrams();
  void finish_call(time::Timestamp now);
  // Around each call after the handshake (see endpoint_setup.cpp): false if allocation failed.
  bool hold_record_buffers() noexcept;
  void release_record_buffers() noexcept;

  std::shared_ptr<const Certificate> certificate_;
  EndpointConfig config_;
  // Declared before ssl_: the SSL (which frees the BIO) is destroyed first.
  detail::DatagramBioState bio_;
  detail::SslPtr ssl_;
  EndpointState state_ = EndpointState::Idle;
  std::deque<Output> outputs_;
  std::optional<time::Timestamp> handshake_deadline_;
  std::optional<time::Timestamp> retransmit_at_;
  std::optional<Fingerprint> matched_fingerprint_;
  bool fingerprint_mismatch_ = false;
  const char* fatal_alert_ = nullptr;  // static string from SSL_alert_desc_string_long
};

}  // namespace rrtc::dtls
