// The SDP model (RFC 8866) with the WebRTC attributes of JSEP (RFC 8829) as typed fields.
// Values only: no parsing state, no pointers. Every field the parser fills is written back by the
// serializer, so parse -> serialize -> parse gives an equal model (operator== compares all).
// Attributes the model does not know are kept in order in `other_attributes`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rrtc::sdp {

enum class MediaKind : std::uint8_t { audio, video, application, other };
enum class Direction : std::uint8_t { sendrecv, sendonly, recvonly, inactive };
// RFC 4145 section 4 / RFC 8842: the DTLS role.
enum class Setup : std::uint8_t { actpass, active, passive, holdconn };

// "a=name" (has_value false) or "a=name:value".
struct Attribute {
  std::string name;
  std::string value;
  bool has_value = false;
  bool operator==(const Attribute&) const = default;
};

// One element of an a=fmtp parameter list: "key=value", or a bare token such as
// telephone-event's "0-15" or red's "111/111" (has_value false, the token in key).
struct FmtpParam {
  std::string key;
  std::string value;
  bool has_value = true;
  bool operator==(const FmtpParam&) const = default;
};

// a=rtcp-fb:<pt> <type> [<param>] (RFC 4585 section 4.2), e.g. "nack pli", "ccm fir".
struct RtcpFeedback {
  std::string type;
  std::string param;
  bool operator==(const RtcpFeedback&) const = default;
};

// One payload type with its a=rtpmap, a=fmtp and a=rtcp-fb lines.
struct Codec {
  std::uint8_t payload_type = 0;
  bool has_rtpmap = false;  // static payload types may come without one
  std::string name;         // as written ("VP8", "opus", "rtx")
  std::uint32_t clock_rate = 0;
  std::uint16_t channels = 0;  // 0: not written
  std::vector<FmtpParam> fmtp;
  std::vector<RtcpFeedback> feedback;
  bool operator==(const Codec&) const = default;
};

// a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 section 8).
struct Extmap {
  std::uint16_t id = 0;
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;
  bool operator==(const Extmap&) const = default;
};

// a=fingerprint:<hash-func> <fingerprint> (RFC 8122 section 5).
struct Fingerprint {
  std::string algorithm;  // lower case as written, e.g. "sha-256"
  std::string value;      // colon-separated upper-case hex as written
  bool operator==(const Fingerprint&) const = default;
};

// a=group:<semantics> <mid>... (RFC 5888 section 5).
struct Group {
  std::string semantics;
  std::vector<std::string> mids;
  bool operator==(const Group&) const = default;
};

// a=msid:<stream id> [<track id>] (RFC 8830 section 2).
struct Msid {
  std::string stream_id;
  std::string track_id;  // empty: not written
  bool operator==(const Msid&) const = default;
};

// All a=ssrc:<ssrc> <attribute>[:<value>] lines of one SSRC (RFC 5576 section 4.1).
struct Ssrc {
  std::uint32_t ssrc = 0;
  std::vector<Attribute> attributes;
  bool operator==(const Ssrc&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 section 4.2), FID and SIM in WebRTC.
struct SsrcGroup {
  std::string semantics;
  std::vector<std::uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

enum class RidDirection : std::uint8_t { send, recv };

// a=rid:<id> <send|recv> [<restrictions>] (RFC 8851 section 10); restrictions kept as written.
struct Rid {
  std::string id;
  RidDirection direction = RidDirection::send;
  std::string restrictions;
  bool operator==(const Rid&) const = default;
};

struct SimulcastRid {
  std::string id;
  bool paused = false;  // "~" prefix
  bool operator==(const SimulcastRid&) const = default;
};

// a=simulcast (RFC 8853 section 5.1): streams separated by ';', alternatives by ','.
struct Simulcast {
  std::vector<std::vector<SimulcastRid>> send;
  std::vector<std::vector<SimulcastRid>> recv;
  bool send_first = true;  // which list was written first
  bool operator==(const Simulcast&) const = default;
};

// a=sctpmap:<port> <app> [<streams>] (draft-ietf-mmusic-sctp-sdp-05, still sent by aiortc).
struct Sctpmap {
  std::uint16_t port = 0;
  std::string app;
  std::optional<std::uint32_t> streams;
  bool operator==(const Sctpmap&) const = default;
};

// c=<nettype> <addrtype> <address> (RFC 8866 section 5.7).
struct Connection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Connection&) const = default;
};

// A candidate-attribute (RFC 8839 section 5.1) with every field typed.
struct Candidate {
  std::string foundation;
  std::uint16_t component = 1;
  std::string transport;  // as written: "udp", "UDP", "tcp"
  std::uint32_t priority = 0;
  std::string address;
  std::uint16_t port = 0;
  std::string type;  // host, srflx, prflx, relay
  std::string related_address;
  std::optional<std::uint16_t> related_port;
  std::string tcp_type;  // active, passive, so
  std::optional<std::uint32_t> generation;
  std::string ufrag;
  std::vector<std::pair<std::string, std::string>> extensions;  // e.g. network-id, network-cost
  bool operator==(const Candidate&) const = default;
};

// A line other than a= that the model does not type (i=, u=, e=, p=, b=, r=, z=, k=).
struct Line {
  char type = 'b';
  std::string value;
  bool operator==(const Line&) const = default;
};

struct MediaSection {
  std::string media;  // "audio", "video", "application" or as written
  std::uint16_t port = 9;
  std::optional<std::uint16_t> port_count;
  std::string protocol;
  std::vector<std::string> formats;
  std::vector<Line> lines;  // b=, i=, k= in order
  std::optional<Connection> connection;

  std::string mid;
  std::optional<Direction> direction;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  bool rtcp_mux = false;
  bool rtcp_mux_only = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  std::vector<Codec> codecs;
  std::vector<RtcpFeedback> feedback_all;  // a=rtcp-fb:* ...
  std::vector<Extmap> extmaps;
  std::vector<Msid> msids;
  std::vector<Ssrc> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::optional<std::uint16_t> sctp_port;
  std::optional<Sctpmap> sctpmap;
  std::optional<std::uint64_t> max_message_size;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
  std::vector<Attribute> other_attributes;

  MediaKind kind() const;
  Direction effective_direction() const { return direction.value_or(Direction::sendrecv); }
  Codec* find_codec(std::uint8_t payload_type);
  const Codec* find_codec(std::uint8_t payload_type) const;
  bool operator==(const MediaSection&) const = default;
};

struct Origin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Origin&) const = default;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::string timing = "0 0";
  std::vector<Line> lines;  // i=, u=, e=, p=, b=, r=, z=, k= in order
  std::optional<Connection> connection;

  std::vector<Group> groups;
  bool extmap_allow_mixed = false;
  bool ice_lite = false;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  std::vector<Attribute> other_attributes;
  std::vector<MediaSection> media;

  const Group* bundle_group() const;
  MediaSection* find_media(std::string_view mid);
  const MediaSection* find_media(std::string_view mid) const;
  bool operator==(const SessionDescription&) const = default;
};

std::string_view to_string(Direction direction);
std::string_view to_string(Setup setup);
Direction reverse(Direction direction);

}  // namespace rrtc::sdp
