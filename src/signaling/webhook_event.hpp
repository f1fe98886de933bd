#pragma once
// What a webhook request carries (docs/webhooks.md): the JSON body of one RoomEvent, its id and
// its signature, and the parts of a webhook URL the client needs. Pure: no I/O, no clock (the
// event carries its time); only webhook_event_id() reads OpenSSL's random generator.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/room_events.hpp"

namespace rrtc::signaling {

// A fresh event id: 128 random bits as 32 lower-case hex digits.
std::string webhook_event_id();

// The request body, compact JSON with the keys in this order:
//   {"id", "event", "created_at" (unix seconds, millisecond precision), "room",
//    "participant": {"id", "name"} (participant and track events),
//    "track": {"track_id", "mid", "type", "codec"} (track events)}
// `name` is the participant's display name (the Hub names it only in participant_joined; the
// dispatcher remembers it for the participant's later events); empty = the key is left out.
std::string webhook_body(const RoomEvent& event, std::string_view id, std::string_view name);

// "sha256=" + lower-case hex of HMAC-SHA256(secret, body): the X-Rrtc-Signature header.
std::string webhook_signature(std::string_view secret, std::string_view body);

// An http:// or https:// URL split for the client. The host keeps its brackets off (an IPv6
// literal "[::1]" gives host "::1"); the port defaults to 80 or 443; the target to "/".
struct WebhookUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";
  // The Host header: host, bracketed when IPv6, with ":port" unless it is the default.
  std::string host_header() const;
};

// Nullopt for anything but http(s)://host[:port][/path][?query] with a non-empty host and a
// port in 1..65535. User info ("user@") and fragments are refused.
std::optional<WebhookUrl> parse_webhook_url(std::string_view text);

}  // namespace rrtc::signaling
