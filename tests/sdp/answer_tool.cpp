// Reads a client offer on stdin and writes rrtc's answer (sdp::answer_offer with the default
// capabilities and the negotiator tests' server transport) on stdout; exit 1 with the error on
// stderr. Used by browser_answer_test.mjs to hand real browsers the answer to their own offers.
#include <iostream>
#include <sstream>

#include "negotiation_helpers.hpp"
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
  const test::Negotiation negotiation;
  auto answer = answer_offer(*offer, negotiation.input());
  if (!answer) {
    std::cerr << answer.error().message() << '\n';
    return 1;
  }
  std::cout << serialize(answer->sdp);
  return 0;
}
