#pragma once
// Routing of the admin API (docs/admin-api.md): which endpoint a method and target name, and
// the bearer token of an Authorization header. Pure: no Hub, no sockets, no clock.
//
//   GET    /api/rooms                                       list_rooms
//   GET    /api/rooms/{room}                                get_room
//   DELETE /api/rooms/{room}                                close_room
//   DELETE /api/rooms/{room}/participants/{id}              remove_participant
//   POST   /api/rooms/{room}/participants/{id}/mute         mute_participant
//   POST   /api/tokens                                      create_token
//
// {room} and {id} are single path segments, percent-decoded (RFC 3986 section 2.1), so room
// names with '/' or spaces can be addressed.

#include <boost/beast/http/verb.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rrtc::signaling {

enum class AdminEndpoint {
  list_rooms,
  get_room,
  close_room,
  remove_participant,
  mute_participant,
  create_token,
};

struct AdminRoute {
  AdminEndpoint endpoint = AdminEndpoint::list_rooms;
  std::string room;         // get_room, close_room, participant endpoints
  std::string participant;  // participant endpoints
};

struct AdminRouteMatch {
  std::optional<AdminRoute> route;  // set when the path and method name an endpoint
  unsigned status = 404;            // otherwise: 404 (no such path) or 405 (wrong method)
  std::string allow;                // 405: the methods the path has, for the Allow header
};

// True for targets the admin API answers: "/api" and everything under "/api/".
bool is_admin_path(std::string_view target);

AdminRouteMatch match_admin_route(boost::beast::http::verb method, std::string_view target);

// The token of "Bearer <token>" (RFC 6750 section 2.1; the scheme is case-insensitive), or
// nullopt for anything else.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// Percent-decodes one path segment; nullopt for a bad escape, an empty result, a decoded '\0'
// or more than `max_bytes` bytes.
std::optional<std::string> decode_path_segment(std::string_view segment, std::size_t max_bytes);

}  // namespace rrtc::signaling
