// Simulcast a client sends (RFC 8853 with RFC 8851 rids): what an offer's a=simulcast and a=rid
// lines say, and the answer's side of them.
//
// Offers seen in practice:
//  - Chromium: `a=rid:<id> send` per encoding (the ids the app gave sendEncodings, no
//    restrictions), `a=simulcast:send q;h;f` in sendEncodings order, no a=ssrc for the layers;
//    SSRCs are learned from the rtp-stream-id / repaired-rtp-stream-id header extensions.
//  - Firefox: the same lines (its own order of rids), plus a=ssrc lines and FID groups for every
//    encoding that say nothing about which rid an SSRC carries.
//  - Legacy Chromium (SDP munging, Janus / Jitsi era): no rids, `a=ssrc-group:SIM s1 s2 s3`
//    low to high, each with `a=ssrc-group:FID s r`; nothing to answer, the SSRCs are the layers.
//
// The answer accepts every stream of a=simulcast send whose first alternative has an
// `a=rid:<id> send` line with restrictions that parse and, when they name payload types (pt=),
// at least one accepted one; it writes `a=rid:<id> recv` for each and `a=simulcast:recv` with
// them in the offer's order, a paused one (`~`) kept paused. Alternatives beyond the first are
// dropped (RFC 8853 section 5.3.2 lets the answerer remove them). Without the rtp-stream-id
// header extension in the answer no layer could be told apart, so the answer then has no
// a=simulcast and the client sends one encoding (JSEP, RFC 8829 section 5.3.1). How many layers
// a track may have is the engine's rule (engine/offer_checks), not this file's.
// Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/model.hpp"

namespace rrtc::sdp {

// The restrictions of an a=rid line (RFC 8851 section 5); absent ones are nullopt.
struct RidRestrictions {
  std::vector<std::uint8_t> payload_types;  // pt=; empty: every payload type of the m-line
  std::optional<std::uint32_t> max_width;
  std::optional<std::uint32_t> max_height;
  std::optional<std::uint32_t> max_fps;
  std::optional<std::uint32_t> max_fs;
  std::optional<std::uint64_t> max_br;
  std::optional<std::uint64_t> max_pps;
  std::optional<double> max_bpp;
  std::vector<std::string> depend;  // rid ids
  bool operator==(const RidRestrictions&) const = default;
};

// RFC 8851 section 10 (the text after "a=rid:<id> <dir> "):
//   rid-pt-param-list = SP rid-fmt-list *( ";" rid-param )
//   rid-param-list    = SP rid-param *( ";" rid-param )
//   rid-fmt-list      = %s"pt=" fmt *( "," fmt )
//   rid-param         = rid-width-param / rid-height-param / rid-fps-param / rid-fs-param /
//                       rid-br-param / rid-pps-param / rid-bpp-param / rid-depend-param /
//                       rid-param-other
//   rid-width-param   = %s"max-width" [ "=" int-param-val ]   (likewise height, fps, fs,
//                       br, pps;  rid-bpp-param = %s"max-bpp" [ "=" float-param-val ])
//   rid-depend-param  = %s"depend=" rid-list ;  rid-param-other = 1*(alpha-numeric / "-")
//                       [ "=" param-val ]
// pt= only first; a known numeric parameter without a value counts as absent. Unknown
// parameters are skipped. nullopt: the text does not follow the grammar.
std::optional<RidRestrictions> parse_rid_restrictions(std::string_view text);

// One layer the answer accepts: a stream of a=simulcast send with its a=rid send line.
struct SimulcastLayerOffer {
  std::string rid;
  bool paused = false;
  RidRestrictions restrictions;
  bool operator==(const SimulcastLayerOffer&) const = default;
};

// The layers of `offered` the answer accepts (see above), in the offer's a=simulcast order;
// empty when it has no a=simulcast send. `accepted_payload_types`: the payload types the answer
// keeps on the m-line.
std::vector<SimulcastLayerOffer> accepted_simulcast(
    const MediaSection& offered, const std::vector<std::uint8_t>& accepted_payload_types);

// Adds `a=rid:<id> recv` lines and `a=simulcast:recv` for `layers` to an answer m-line.
void add_simulcast_answer(MediaSection& answer, const std::vector<SimulcastLayerOffer>& layers);

// How many layers an offered m-line sends: the streams of its a=simulcast send list, or the
// SSRCs of its largest a=ssrc-group:SIM; 0 without simulcast.
std::size_t offered_layer_count(const MediaSection& offered);

}  // namespace rrtc::sdp
