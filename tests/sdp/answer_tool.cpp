// Reads a client offer on stdin and writes rrtc's answer (sdp::answer_offer with the default
// capabilities and a fixed server transport) on stdout; exit 1 with the error on stderr. Used by
// browser_answer_test.mjs to hand real browsers the answer to their own offers.
#include <iostream>
#include <sstream>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

int main() {
  using namespace rrtc::sdp;
  std::ostringstream text;
  text << std::cin.rdbuf();
  auto offer = parse(text.str());
  if (!offer) {
    std::cerr << offer.error().message() << '\n';
    return 1;
  }
  static const Capabilities caps = default_capabilities();
  LocalTransport local;
  local.ice_ufrag = "srvU";
  local.ice_pwd = "serverpassword0123456789";
  local.fingerprint = Fingerprint{"sha-256",
                                  "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:"
                                  "5F:60:71:82:93:A4:B5:C6:D7:E8:F9"};
  Candidate host;
  host.foundation = "1";
  host.transport = "udp";
  host.priority = 2130706431;
  host.address = "127.0.0.1";
  host.port = 40000;
  host.type = "host";
  local.candidates = {host};
  local.session_id = "1234";
  auto answer = answer_offer(*offer, AnswerInput{&caps, &local, {}, {}});
  if (!answer) {
    std::cerr << answer.error().message() << '\n';
    return 1;
  }
  std::cout << serialize(answer->sdp);
  return 0;
}
