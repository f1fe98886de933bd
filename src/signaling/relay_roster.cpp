#include "signaling/relay_roster.hpp"

#include <boost/json.hpp>

namespace rrtc::signaling {

namespace json = boost::json;

namespace {

constexpr std::string_view kTypePrefix = R"({"type":")";

// The string member `key` of `o`, or empty.
std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

bool has_escape(std::string_view s) { return s.find('\\') != std::string_view::npos; }

}  // namespace

std::string message_type(std::string_view text) {
  if (text.substr(0, kTypePrefix.size()) == kTypePrefix) {
    auto rest = text.substr(kTypePrefix.size());
    auto end = rest.find('"');
    if (end != std::string_view::npos && !has_escape(rest.substr(0, end))) {
      return std::string(rest.substr(0, end));
    }
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return string_field(v.get_object(), "type");
}

std::string RelayRoster::observe(std::string_view server_message) {
  std::string type = message_type(server_message);
  if (type != "joined" && type != "participant_joined" && type != "participant_left") return type;
  boost::system::error_code ec;
  json::value v = json::parse(server_message, ec);
  if (ec || !v.is_object()) return type;
  const json::object& o = v.get_object();
  if (type == "joined") {
    your_id_ = string_field(o, "your_id");
    others_.clear();
    if (const json::value* list = o.if_contains("participants"); list && list->is_array()) {
      for (const json::value& p : list->get_array()) {
        if (!p.is_object()) continue;
        std::string id = string_field(p.get_object(), "id");
        if (!id.empty() && id != your_id_) others_.insert(std::move(id));
      }
    }
  } else if (type == "participant_joined") {
    std::string id = string_field(o, "id");
    if (!id.empty() && id != your_id_) others_.insert(std::move(id));
  } else {
    others_.erase(string_field(o, "participant_id"));
  }
  return type;
}

std::vector<std::string> NodeLiveness::update(const std::vector<std::string>& live,
                                              Clock::time_point now) {
  std::set<std::string> listed(live.begin(), live.end());
  std::vector<std::string> gone;
  if (now - connected_at_ < ttl_) {
    known_.insert(listed.begin(), listed.end());
    return gone;
  }
  for (const auto& id : known_) {
    if (listed.count(id) == 0) gone.push_back(id);
  }
  known_ = std::move(listed);
  return gone;
}

}  // namespace rrtc::signaling
