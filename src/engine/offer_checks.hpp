#pragma once
// The checks a client offer passes before the engine allocates anything for it (an ICE agent,
// its UDP ports, a Peer) or changes any state: everything sdp::parse and sdp::answer_offer
// already refuse (size, line length, m-line count, NUL and other control bytes, duplicate mids,
// missing BUNDLE, ICE credentials or fingerprint), then the Peer's own inputs
// (transport::peer_config_from: ICE credentials within RFC 8839's bounds, a fingerprint with a
// hash we can check), then the rules below. Each failure is a sentence for error 400.
//
// Simulcast (issue 17): an m-line the client sends on may carry at most room::kMaxSpatialLayers
// layers (a=simulcast send streams or a=ssrc-group:SIM SSRCs), and its a=rid send restrictions
// must follow RFC 8851 section 10; else "simulcast: at most 3 layers per track; ...".
//
// The rules for re-offers (PROTOCOL.md, "Renegotiation"): no ICE restart; an m-line keeps its
// index, its mid and its kind for the life of the PeerConnection (JSEP, RFC 8829 section
// 5.2.2), except that a rejected one (port 0) may be recycled with a new mid (and the server
// recycles its own sendonly m-lines in its offers); an SSRC stays on
// the m-line that first carried it; m-lines are never removed. A client that needs another
// transport leaves and joins again.
//
// Pure: no clock, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sdp/model.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "transport/peer_config.hpp"

namespace rrtc::engine {

// The bounds the engine parses a client's SDP with (sdp::ParseLimits): 4 KiB per line (a 60 KB
// attribute is refused), 256 candidates, and m-lines: those the server has offered this
// PeerConnection (its own forwarded tracks, committed and pending: a big room's subscriber answers
// and re-offers with all of them) plus kMaxClientMediaSections of the client's own. The size is
// bounded first by the signaling's max_message_bytes.
inline constexpr std::size_t kMaxClientMediaSections = 16;
sdp::ParseLimits offer_parse_limits(std::size_t server_media_sections = 0) noexcept;

// What the accepted offers of one PeerConnection fixed.
class OfferHistory {
 public:
  bool empty() const noexcept { return lines_.empty(); }
  // Why `answer` (to a client offer) may not be used, or nullopt. For the first offer only the
  // media rules apply: at least one m-line accepted, and every m-line the client sends on has a
  // codec the server forwards. When the server started the PeerConnection (a viewer: its answer
  // to the server's first offer fixed the transport, record_transport()), the client's first
  // offer is a re-offer of that transport and must keep its ICE credentials and fingerprint.
  std::optional<std::string> check(const sdp::SessionDescription& offer, const sdp::Answer& answer,
                                   const transport::PeerConfig& config) const;
  // Records an answered offer (after check() passed). Bounded by the m-lines of one offer.
  void record(const sdp::Answer& answer, const transport::PeerConfig& config);
  // Records the transport of a PeerConnection the server started: the remote ICE credentials
  // and fingerprints from the client's answer to the server's first offer.
  void record_transport(const transport::PeerConfig& config);

  std::size_t ssrc_count() const noexcept { return ssrcs_.size(); }

 private:
  struct Line {
    std::string mid;
    sdp::MediaKind kind = sdp::MediaKind::other;
    bool client_live = false;  // accepted, and not one of the server's sendonly m-lines
  };
  std::optional<std::string> check_transport(const transport::PeerConfig& config) const;
  std::optional<std::string> check_lines(const sdp::Answer& answer) const;

  bool transport_fixed_ = false;
  ice::IceCredentials credentials_;
  std::vector<dtls::Fingerprint> fingerprints_;
  std::vector<Line> lines_;                                   // by m-line index
  std::vector<std::pair<std::uint32_t, std::string>> ssrcs_;  // SSRC -> mid, last answer
};

// The media rules alone (first offer and re-offers).
std::optional<std::string> check_media(const sdp::SessionDescription& offer,
                                       const sdp::Answer& answer);

}  // namespace rrtc::engine
