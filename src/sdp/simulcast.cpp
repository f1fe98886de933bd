#include "sdp/simulcast.hpp"

#include <algorithm>
#include <cctype>

#include "sdp/text.hpp"

namespace rrtc::sdp {
namespace {

bool is_alnum_dash(std::string_view text, bool underscore) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || (underscore && c == '_');
  });
}

// float-param-val = 1*DIGIT "." 1*DIGIT (an integer is taken too: Firefox-like writers round).
std::optional<double> to_float(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 9 && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
  };
  if (!digits(whole) || (dot != std::string_view::npos && !digits(fraction))) return std::nullopt;
  double value = static_cast<double>(*text::to_uint<std::uint32_t>(whole));
  if (!fraction.empty()) {
    double scale = 1.0;
    for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10.0;
    value += static_cast<double>(*text::to_uint<std::uint32_t>(fraction)) / scale;
  }
  return value;
}

// One rid-param; false when it breaks the grammar.
template <class T>
bool set_number(std::optional<T>& out, std::string_view value, bool has_value) {
  if (!has_value) return true;  // "max-width" alone: no limit given
  out = text::to_uint<T>(value);
  return out.has_value();
}

bool apply_param(RidRestrictions& out, std::string_view key, std::string_view value,
                 bool has_value) {
  if (key == "max-width") return set_number(out.max_width, value, has_value);
  if (key == "max-height") return set_number(out.max_height, value, has_value);
  if (key == "max-fps") return set_number(out.max_fps, value, has_value);
  if (key == "max-fs") return set_number(out.max_fs, value, has_value);
  if (key == "max-br") return set_number(out.max_br, value, has_value);
  if (key == "max-pps") return set_number(out.max_pps, value, has_value);
  if (key == "max-bpp") {
    if (!has_value) return true;
    out.max_bpp = to_float(value);
    return out.max_bpp.has_value();
  }
  if (key == "depend") {
    if (!has_value) return false;
    for (std::string_view rid : text::split(value, ',')) {
      if (!is_alnum_dash(rid, true)) return false;
      out.depend.emplace_back(rid);
    }
    return true;
  }
  if (key == "pt") return false;  // only as the first element
  // rid-param-other: param-val = *( %x20-3A / %x3C-7E ), which the ';' split already ensures.
  return is_alnum_dash(key, false) && text::is_printable(value);
}

bool parse_payload_types(std::string_view list, std::vector<std::uint8_t>& out) {
  for (std::string_view fmt : text::split(list, ',')) {
    const auto pt = text::to_uint<std::uint16_t>(text::trim(fmt));
    if (!pt || *pt > 127) return false;
    out.push_back(static_cast<std::uint8_t>(*pt));
  }
  return !out.empty();
}

const Rid* send_rid(const MediaSection& offered, std::string_view id) {
  const auto it = std::find_if(offered.rids.begin(), offered.rids.end(), [&](const Rid& rid) {
    return rid.direction == RidDirection::send && rid.id == id;
  });
  return it == offered.rids.end() ? nullptr : &*it;
}

}  // namespace

std::optional<RidRestrictions> parse_rid_restrictions(std::string_view text) {
  RidRestrictions out;
  text = text::trim(text);
  if (text.empty()) return out;
  bool first = true;
  for (std::string_view param : text::split(text, ';')) {
    param = text::trim(param);
    if (param.empty()) return std::nullopt;
    const std::size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    const bool has_value = eq != std::string_view::npos;
    const std::string_view value = has_value ? param.substr(eq + 1) : std::string_view{};
    if (first && key == "pt") {
      if (!has_value || !parse_payload_types(value, out.payload_types)) return std::nullopt;
    } else if (!apply_param(out, key, value, has_value)) {
      return std::nullopt;
    }
    first = false;
  }
  return out;
}

std::vector<SimulcastLayerOffer> accepted_simulcast(
    const MediaSection& offered, const std::vector<std::uint8_t>& accepted_payload_types) {
  std::vector<SimulcastLayerOffer> layers;
  if (!offered.simulcast) return layers;
  for (const auto& stream : offered.simulcast->send) {
    if (stream.empty()) continue;
    const SimulcastRid& choice = stream.front();
    const Rid* rid = send_rid(offered, choice.id);
    if (rid == nullptr) continue;  // RFC 8853 section 5.3.1: every rid needs its a=rid line
    auto restrictions = parse_rid_restrictions(rid->restrictions);
    if (!restrictions) continue;
    const auto& pts = restrictions->payload_types;
    const bool usable =
        pts.empty() || std::any_of(pts.begin(), pts.end(), [&](std::uint8_t pt) {
          return std::find(accepted_payload_types.begin(), accepted_payload_types.end(), pt) !=
                 accepted_payload_types.end();
        });
    const bool repeated = std::any_of(layers.begin(), layers.end(),
                                      [&](const auto& layer) { return layer.rid == choice.id; });
    if (!usable || repeated) continue;
    layers.push_back(SimulcastLayerOffer{choice.id, choice.paused, std::move(*restrictions)});
  }
  return layers;
}

void add_simulcast_answer(MediaSection& answer, const std::vector<SimulcastLayerOffer>& layers) {
  if (layers.empty()) return;
  Simulcast simulcast;
  simulcast.send_first = false;
  for (const SimulcastLayerOffer& layer : layers) {
    answer.rids.push_back(Rid{layer.rid, RidDirection::recv, {}});
    simulcast.recv.push_back({SimulcastRid{layer.rid, layer.paused}});
  }
  answer.simulcast = std::move(simulcast);
}

std::size_t offered_layer_count(const MediaSection& offered) {
  std::size_t count = offered.simulcast ? offered.simulcast->send.size() : 0;
  for (const SsrcGroup& group : offered.ssrc_groups) {
    if (group.semantics == "SIM") count = std::max(count, group.ssrcs.size());
  }
  return count;
}

}  // namespace rrtc::sdp
