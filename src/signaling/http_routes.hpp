#pragma once
// Plain HTTP routes of the signaling port: GET/HEAD of /healthz, /metrics and the web client's
// files. (WebSocket upgrades are recognized by HttpSession before routing.)

#include <boost/beast/http.hpp>
#include <string_view>

namespace rrtc::signaling {

class Hub;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The path of a request target, without query or fragment.
std::string_view target_path(std::string_view target);
// True for the paths where the WebSocket endpoint lives ("/ws" and "/").
bool is_websocket_path(std::string_view target);

HttpResponse route_request(Hub& hub, const HttpRequest& request);
// A small text response (errors, refusals).
HttpResponse text_response(const HttpRequest& request, boost::beast::http::status status,
                           std::string_view text);

}  // namespace rrtc::signaling
