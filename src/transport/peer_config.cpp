#include "transport/peer_config.hpp"

namespace rrtc::transport {

const char* to_string(StartResult result) noexcept {
  switch (result) {
    case StartResult::Started:
      return "started";
    case StartResult::AlreadyStarted:
      return "already started";
    case StartResult::Closed:
      return "peer closed";
    case StartResult::BadIceCredentials:
      return "bad ICE credentials";
    case StartResult::NoFingerprints:
      return "no remote fingerprint";
    case StartResult::NoSrtpProfiles:
      return "no SRTP profile";
    case StartResult::DtlsSetupFailed:
      return "DTLS setup failed";
    case StartResult::BadConnectTimeout:
      return "connect timeout not positive";
  }
  return "unknown";
}

const char* to_string(SendResult result) noexcept {
  switch (result) {
    case SendResult::Sent:
      return "sent";
    case SendResult::NotConnected:
      return "not connected";
    case SendResult::Malformed:
      return "malformed";
    case SendResult::ProtectFailed:
      return "protect failed";
    case SendResult::IceRefused:
      return "ICE refused";
  }
  return "unknown";
}

}  // namespace rrtc::transport
