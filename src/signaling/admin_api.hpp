#pragma once
// The admin API's HTTP side (docs/admin-api.md): authentication, routing, bodies and answers
// for every request under /api/ on the signaling port. The operations themselves are Hub
// methods (admin_hub.cpp); the pure parts are admin_route.* and admin_json.*.
//
// Threading: the signaling thread. `reply` is called once, on that thread: at once, or later
// when the answer needs the media stack (GET /api/rooms/{room} waits for its counters). The
// caller bounds the wait (HttpSession answers 504 at message_timeout and ignores a later reply).

#include <functional>
#include <memory>
#include <string_view>

#include "signaling/http_routes.hpp"

namespace rrtc::signaling {

class Hub;

using AdminReply = std::function<void(HttpResponse)>;

void handle_admin_request(const std::shared_ptr<Hub>& hub, const HttpRequest& request,
                          AdminReply reply);

// A JSON response; with `status` >= 400, `body` is admin_error_json's.
HttpResponse admin_json_response(unsigned version, bool keep_alive,
                                 boost::beast::http::status status, std::string body);
HttpResponse admin_error_response(unsigned version, bool keep_alive,
                                  boost::beast::http::status status, std::string_view message);

}  // namespace rrtc::signaling
