// Shared inputs for the negotiator and server-offer tests.
#pragma once

#include <string>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"

namespace rrtc::sdp::test {

inline LocalTransport server_transport() {
  LocalTransport t;
  t.ice_ufrag = "srvU";
  t.ice_pwd = "serverpassword0123456789";
  t.fingerprint = Fingerprint{"sha-256",
                              "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:"
                              "60:71:82:93:A4:B5:C6:D7:E8:F9"};
  Candidate host;
  host.foundation = "1";
  host.transport = "udp";
  host.priority = 2130706431;
  host.address = "127.0.0.1";
  host.port = 40000;
  host.type = "host";
  t.candidates = {host};
  t.session_id = "1234";
  t.session_version = 1;
  return t;
}

struct Negotiation {
  Capabilities caps = default_capabilities();
  LocalTransport transport = server_transport();
  AnswerInput input() const {
    AnswerInput in;
    in.capabilities = &caps;
    in.transport = &transport;
    return in;
  }
};

}  // namespace rrtc::sdp::test
