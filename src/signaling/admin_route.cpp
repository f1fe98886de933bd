#include "signaling/admin_route.hpp"

#include <vector>

#include "signaling/messages.hpp"

namespace rrtc::signaling {

namespace http = boost::beast::http;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

AdminRouteMatch wrong_method(std::string allow) {
  AdminRouteMatch match;
  match.status = 405;
  match.allow = std::move(allow);
  return match;
}

AdminRouteMatch found(AdminEndpoint endpoint, std::string room = {}, std::string participant = {}) {
  AdminRouteMatch match;
  match.route = AdminRoute{endpoint, std::move(room), std::move(participant)};
  match.status = 200;
  return match;
}

}  // namespace

bool is_admin_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  return path == "/api" || path.starts_with("/api/");
}

std::optional<std::string> decode_path_segment(std::string_view segment, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      if (i + 2 >= segment.size()) return std::nullopt;
      int high = hex_value(segment[i + 1]);
      int low = hex_value(segment[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out += c;
    if (out.size() > max_bytes) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

AdminRouteMatch match_admin_route(http::verb method, std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (!path.starts_with("/api/")) return {};
  auto segments = split_segments(path);  // "api", ...
  const std::size_t n = segments.size();
  const auto id = [&](std::size_t index) {
    return decode_path_segment(segments[index], kMaxIdBytes);
  };

  if (n == 2 && segments[1] == "tokens") {
    if (method != http::verb::post) return wrong_method("POST");
    return found(AdminEndpoint::create_token);
  }
  if (n < 2 || segments[1] != "rooms") return {};
  if (n == 2) {
    if (method != http::verb::get) return wrong_method("GET");
    return found(AdminEndpoint::list_rooms);
  }
  auto room = id(2);
  if (!room) return {};
  if (n == 3) {
    if (method == http::verb::get) return found(AdminEndpoint::get_room, std::move(*room));
    if (method == http::verb::delete_) return found(AdminEndpoint::close_room, std::move(*room));
    return wrong_method("GET, DELETE");
  }
  if (segments[3] != "participants" || n < 5 || n > 6) return {};
  auto participant = id(4);
  if (!participant) return {};
  if (n == 5) {
    if (method != http::verb::delete_) return wrong_method("DELETE");
    return found(AdminEndpoint::remove_participant, std::move(*room), std::move(*participant));
  }
  if (segments[5] != "mute") return {};
  if (method != http::verb::post) return wrong_method("POST");
  return found(AdminEndpoint::mute_participant, std::move(*room), std::move(*participant));
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty() || rest.find(' ') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace rrtc::signaling
