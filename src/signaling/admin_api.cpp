#include "signaling/admin_api.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "signaling/admin_json.hpp"
#include "signaling/admin_route.hpp"
#include "signaling/hub.hpp"
#include "signaling/jwt.hpp"

namespace rrtc::signaling {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// What one request needs to answer later, when the request itself is gone.
struct Answer {
  std::shared_ptr<Hub> hub;
  unsigned version;
  bool keep_alive;
  AdminReply reply;

  void send(HttpResponse response) const {
    hub->metrics().admin_request(response.result_int());
    reply(std::move(response));
  }
  void ok(std::string body) const {
    send(admin_json_response(version, keep_alive, http::status::ok, std::move(body)));
  }
  void error(http::status status, std::string_view message) const {
    send(admin_error_response(version, keep_alive, status, message));
  }
};

// RFC 6750 section 3: the challenge, with error="invalid_token" when a token was given.
void unauthorized(const Answer& answer, std::string_view message, bool token_given) {
  HttpResponse response =
      admin_error_response(answer.version, answer.keep_alive, http::status::unauthorized, message);
  response.set(http::field::www_authenticate, token_given
                                                  ? R"(Bearer realm="rrtc", error="invalid_token")"
                                                  : R"(Bearer realm="rrtc")");
  answer.send(std::move(response));
}

// Checks the bearer token; answers 401 and returns false when it does not verify.
bool authorized(const Answer& answer, const HttpRequest& request) {
  const ServerOptions& o = answer.hub->options();
  auto header = request.find(http::field::authorization);
  if (header == request.end()) {
    unauthorized(answer, "an 'Authorization: Bearer <token>' header is required", false);
    return false;
  }
  auto token = bearer_token(header->value());
  if (!token) {
    unauthorized(answer, "the Authorization header must be 'Bearer <token>'", true);
    return false;
  }
  AdminJwtResult verdict =
      verify_admin_token(*token, o.api_secret, o.api_key, std::chrono::system_clock::now());
  if (!verdict.claims) {
    answer.hub->log_limited("admin_unauthorized", "admin API: refused a request: {}",
                            admin_token_error_text(verdict.error));
    unauthorized(answer, admin_token_error_text(verdict.error), true);
    return false;
  }
  return true;
}

// application/json, parameters (charset) allowed: RFC 8259 section 11.
bool json_content_type(const HttpRequest& request) {
  auto field = request.find(http::field::content_type);
  if (field == request.end()) return false;
  std::string_view value = field->value();
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (value.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return true;
}

std::string_view outcome_text(Hub::AdminOutcome outcome) {
  switch (outcome) {
    case Hub::AdminOutcome::no_room:
      return "no such room";
    case Hub::AdminOutcome::no_participant:
      return "no such participant in this room";
    case Hub::AdminOutcome::no_track:
      return "no such track of this participant";
    case Hub::AdminOutcome::done:
      break;
  }
  return "done";
}

void get_room(const Answer& answer, const std::string& room) {
  if (!answer.hub->admin_room(room)) return answer.error(http::status::not_found, "no such room");
  // The media backend holds this until it answers: the Hub only weakly, so a backend that never
  // answers keeps no Hub alive (the session answers 504 on its own).
  answer.hub->admin_room_stats(room,
                               [hub = std::weak_ptr<Hub>(answer.hub), version = answer.version,
                                keep_alive = answer.keep_alive, reply = answer.reply,
                                room](std::vector<room::ParticipantStats> stats) {
                                 auto locked = hub.lock();
                                 if (!locked) return;
                                 Answer later{locked, version, keep_alive, reply};
                                 // The room as it is now that the counters came, not as it was when
                                 // they were asked for.
                                 auto detail = locked->admin_room(room);
                                 if (!detail)
                                   return later.error(http::status::not_found, "no such room");
                                 later.ok(room_json(*detail, stats));
                               });
}

void mute(const Answer& answer, const AdminRoute& route, const HttpRequest& request) {
  auto body = parse_mute_body(request.body());
  if (!body.value) return answer.error(http::status::bad_request, body.error);
  room::ParticipantState state;
  auto outcome = answer.hub->admin_mute(route.room, route.participant, *body.value, state);
  if (outcome != Hub::AdminOutcome::done) {
    return answer.error(http::status::not_found, outcome_text(outcome));
  }
  answer.ok(participant_state_json(route.room, route.participant, state));
}

void create_token(const Answer& answer, const HttpRequest& request) {
  const ServerOptions& o = answer.hub->options();
  if (o.join_secret.empty()) {
    return answer.error(http::status::conflict,
                        "this server has no join_secret: joins need no token here");
  }
  auto body = parse_token_body(request.body());
  if (!body.value) return answer.error(http::status::bad_request, body.error);
  const TokenRequest& t = *body.value;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::int64_t expires_at = now + t.ttl_seconds;
  std::optional<std::string_view> identity;
  if (t.identity) identity = *t.identity;
  answer.ok(token_json(make_join_token(t.room, identity, expires_at, o.join_secret), expires_at));
}

void dispatch(const Answer& answer, const AdminRoute& route, const HttpRequest& request) {
  Hub& hub = *answer.hub;
  switch (route.endpoint) {
    case AdminEndpoint::list_rooms:
      return answer.ok(rooms_json(hub.admin_rooms()));
    case AdminEndpoint::get_room:
      return get_room(answer, route.room);
    case AdminEndpoint::close_room: {
      auto closed = hub.admin_close_room(route.room);
      if (!closed) return answer.error(http::status::not_found, "no such room");
      return answer.ok(json::serialize(
          json::object{{"room", route.room}, {"closed", true}, {"participants", *closed}}));
    }
    case AdminEndpoint::remove_participant: {
      auto outcome = hub.admin_remove(route.room, route.participant);
      if (outcome != Hub::AdminOutcome::done) {
        return answer.error(http::status::not_found, outcome_text(outcome));
      }
      return answer.ok(json::serialize(json::object{
          {"room", route.room}, {"participant", route.participant}, {"removed", true}}));
    }
    case AdminEndpoint::mute_participant:
      return mute(answer, route, request);
    case AdminEndpoint::create_token:
      return create_token(answer, request);
  }
}

}  // namespace

HttpResponse admin_json_response(unsigned version, bool keep_alive, http::status status,
                                 std::string body) {
  HttpResponse response{status, version};
  response.set(http::field::server, "rrtc");
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse admin_error_response(unsigned version, bool keep_alive, http::status status,
                                  std::string_view message) {
  return admin_json_response(version, keep_alive, status,
                             admin_error_json(static_cast<unsigned>(status), message));
}

void handle_admin_request(const std::shared_ptr<Hub>& hub, const HttpRequest& request,
                          AdminReply reply) {
  hub->metrics().http_request();
  // Off: indistinguishable from a server without the API.
  if (hub->options().api_secret.empty()) {
    return reply(text_response(request, http::status::not_found, "not found"));
  }
  Answer answer{hub, request.version(), request.keep_alive(), std::move(reply)};
  if (!authorized(answer, request)) return;
  AdminRouteMatch match = match_admin_route(request.method(), request.target());
  if (!match.route) {
    if (match.status == 405) {
      HttpResponse response =
          admin_error_response(answer.version, answer.keep_alive, http::status::method_not_allowed,
                               "method not allowed on this path");
      response.set(http::field::allow, match.allow);
      return answer.send(std::move(response));
    }
    return answer.error(http::status::not_found, "no such API endpoint");
  }
  if (request.method() == http::verb::post && !json_content_type(request)) {
    return answer.error(http::status::unsupported_media_type,
                        "the body must be JSON, with 'Content-Type: application/json'");
  }
  dispatch(answer, *match.route, request);
}

}  // namespace rrtc::signaling
