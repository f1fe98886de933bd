#pragma once
// The envelope of one signaling message relayed between nodes over the bus (bus.hpp): which
// node sent it, which node it is for, which relayed client session it belongs to, and the
// client's JSON message itself. On the wire (a Redis PUBLISH payload):
//
//   RRTC1 <kind> <from-node> <to-node> <session>\n<payload>
//
// A one-line text header rather than a JSON object around the payload: the payload is the
// client's message text (or the room node's reply), relayed verbatim. Wrapping it in JSON would
// escape it on one node and unescape it on the other for every message; with the header the
// receiver gets the payload as a view into the received bytes and only the Hub parses it, once.
// Ids are 1-64 characters of [A-Za-z0-9._:-] (node ids, session ids), so the header needs no
// escaping. Pure: no I/O, no exceptions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rrtc::cluster {

// What a relayed message does to its session (the Hub integration gives these their meaning):
// open  a client of the sending node joins a room placed on the receiving node (payload: join)
// message  one client message, or one reply to the client (payload: the message)
// close  the session ended on the sending side (payload: a JSON reason, may be empty)
enum class EnvelopeKind { open, message, close };

// A view into the received (or to be sent) bytes.
struct Envelope {
  EnvelopeKind kind = EnvelopeKind::message;
  std::string_view from;     // sending node id
  std::string_view to;       // receiving node id
  std::string_view session;  // relayed session id, unique on the node that opened it
  std::string_view payload;  // the JSON message, verbatim
};

constexpr std::size_t kMaxEnvelopeId = 64;

// True for an id the envelope can carry (node and session ids).
bool is_envelope_id(std::string_view id) noexcept;

// The wire form; nullopt when an id is not an envelope id.
std::optional<std::string> serialize_envelope(const Envelope& envelope);

// Parses the wire form; nullopt for anything else (another version, a bad kind, a bad id, no
// newline). The views point into `wire`.
std::optional<Envelope> parse_envelope(std::string_view wire) noexcept;

std::string_view to_string(EnvelopeKind kind) noexcept;

}  // namespace rrtc::cluster
