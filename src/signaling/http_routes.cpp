#include "signaling/http_routes.hpp"

#include "signaling/hub.hpp"

namespace rrtc::signaling {

namespace http = boost::beast::http;

namespace {

HttpResponse body_response(const HttpRequest& request, http::status status,
                           std::string_view content_type, std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "rrtc");
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-cache");
  response.keep_alive(request.keep_alive());
  response.content_length(body.size());
  // HEAD gets the headers of the GET, including its Content-Length, but no body.
  if (request.method() != http::verb::head) response.body() = std::move(body);
  return response;
}

}  // namespace

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

bool is_websocket_path(std::string_view target) {
  auto path = target_path(target);
  return path == "/" || path == "/ws";
}

HttpResponse text_response(const HttpRequest& request, http::status status, std::string_view text) {
  return body_response(request, status, "text/plain; charset=utf-8", std::string(text) + "\n");
}

HttpResponse route_request(Hub& hub, const HttpRequest& request) {
  hub.metrics().http_request();
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    HttpResponse response =
        text_response(request, http::status::method_not_allowed, "method not allowed");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  auto path = target_path(request.target());
  if (path == "/healthz") {
    return body_response(request, http::status::ok, "application/json", hub.healthz_json());
  }
  if (path == "/metrics") {
    return body_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                         hub.metrics_text());
  }
  if (auto file = hub.static_files().find(request.target())) {
    return body_response(request, http::status::ok, file->content_type, std::move(file->body));
  }
  return text_response(request, http::status::not_found, "not found");
}

}  // namespace rrtc::signaling
