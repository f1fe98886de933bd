// libFuzzer target: the negotiator and the server-offer builder on parsed offers.
// Checks: no crash; an answer serializes and parses back equal; the server's next offer
// (client m-lines kept, one forwarded track added) serializes and parses back equal, and the
// answer a browser would give to it (setup active) is accepted; the fuzzed description itself
// used as an answer gives a result or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "sdp/server_offer.hpp"

namespace {

using namespace rrtc::sdp;

ParseLimits roomy_limits() {
  ParseLimits limits;
  limits.max_size *= 4;
  limits.max_line_length = limits.max_size;
  limits.max_media_sections *= 2;
  return limits;
}

void check_round_trip(const SessionDescription& sdp) {
  auto again = parse(serialize(sdp), roomy_limits());
  if (!again || !(*again == sdp)) __builtin_trap();
}

LocalTransport server_transport() {
  LocalTransport t;
  t.ice_ufrag = "fuzz";
  t.ice_pwd = "fuzzpassword0123456789";
  t.fingerprint = Fingerprint{"sha-256",
                              "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                              "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"};
  t.session_id = "1";
  return t;
}

ForwardedTrack forwarded_track() {
  ForwardedTrack track;
  track.id = "t";
  track.participant_id = "p";
  Codec vp8;
  vp8.payload_type = 96;
  vp8.has_rtpmap = true;
  vp8.name = "VP8";
  vp8.clock_rate = 90000;
  track.codecs = {vp8};
  track.ssrc = 1234;
  track.cname = "c";
  return track;
}

void exercise_server_offer(const Answer& answer, const SessionDescription& fuzzed,
                           const LocalTransport& transport) {
  ServerOfferBuilder builder;
  builder.on_client_offer_answered(answer);
  SessionDescription offer = builder.create_offer({forwarded_track()}, transport);
  check_round_trip(offer);
  SessionDescription reply = offer;
  for (MediaSection& media : reply.media) {
    if (media.port != 0) media.setup = Setup::active;
  }
  if (!builder.apply_answer(reply)) __builtin_trap();
  builder.create_offer({}, transport);
  (void)builder.apply_answer(fuzzed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto offer = parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!offer) return 0;
  static const Capabilities caps = default_capabilities();
  static const LocalTransport transport = server_transport();
  AnswerInput input;
  input.capabilities = &caps;
  input.transport = &transport;
  input.track_types = {{"1", TrackType::screen}};
  input.sending = {SendingTrack{"2", "s", "s-camera", 5, 6, "c"}};
  auto answer = answer_offer(*offer, input);
  if (!answer) {
    if (answer.error().message().empty()) __builtin_trap();
    return 0;
  }
  if (answer->media.size() != offer->media.size()) __builtin_trap();
  check_round_trip(answer->sdp);
  exercise_server_offer(*answer, *offer, transport);
  return 0;
}
