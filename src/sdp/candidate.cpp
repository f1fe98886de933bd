#include "sdp/candidate.hpp"

#include "sdp/text.hpp"

namespace rrtc::sdp {

// RFC 8839 section 5.1:
//   candidate-attribute = "candidate" ":" foundation SP component-id SP
//                         transport SP priority SP connection-address SP port
//                         SP cand-type [SP rel-addr] [SP rel-port]
//                         *(SP cand-extension)
//   cand-type   = "typ" SP ("host" / "srflx" / "prflx" / "relay" / token)
//   rel-addr    = "raddr" SP connection-address
//   rel-port    = "rport" SP port
//   cand-extension = extension-att-name SP extension-att-value
// Browsers add extensions "tcptype", "generation", "ufrag", "network-id", "network-cost".
Result<Candidate> parse_candidate(std::string_view text, std::size_t line) {
  const auto fail = [&] { return text::make_error(ErrorCode::bad_candidate, line, text); };
  std::string_view rest = text::trim(text);
  if (!text::is_printable(rest)) {
    return fail();
  }
  if (rest.substr(0, 2) == "a=") {
    rest.remove_prefix(2);
  }
  constexpr std::string_view kPrefix = "candidate:";
  if (rest.substr(0, kPrefix.size()) != kPrefix) {
    return fail();
  }
  rest.remove_prefix(kPrefix.size());
  const auto parts = text::words(rest);
  if (parts.size() < 8 || parts[6] != "typ" || (parts.size() - 8) % 2 != 0) {
    return fail();
  }
  Candidate candidate;
  const auto component = text::to_uint<std::uint16_t>(parts[1]);
  const auto priority = text::to_uint<std::uint32_t>(parts[3]);
  const auto port = text::to_uint<std::uint16_t>(parts[5]);
  if (!text::is_token(parts[0]) || parts[0].size() > 32 || !component || !priority || !port) {
    return fail();
  }
  candidate.foundation = parts[0];
  candidate.component = *component;
  candidate.transport = parts[2];
  candidate.priority = *priority;
  candidate.address = parts[4];
  candidate.port = *port;
  candidate.type = parts[7];
  for (std::size_t i = 8; i + 1 < parts.size(); i += 2) {
    const std::string_view name = parts[i];
    const std::string_view value = parts[i + 1];
    if (name == "raddr") {
      candidate.related_address = value;
    } else if (name == "rport") {
      const auto rport = text::to_uint<std::uint16_t>(value);
      if (!rport) {
        return fail();
      }
      candidate.related_port = *rport;
    } else if (name == "tcptype") {
      candidate.tcp_type = value;
    } else if (name == "generation") {
      const auto generation = text::to_uint<std::uint32_t>(value);
      if (!generation) {
        return fail();
      }
      candidate.generation = *generation;
    } else if (name == "ufrag") {
      candidate.ufrag = value;
    } else {
      candidate.extensions.emplace_back(name, value);
    }
  }
  return candidate;
}

std::string to_string(const Candidate& candidate) {
  std::string out = "candidate:" + candidate.foundation + ' ' +
                    std::to_string(candidate.component) + ' ' + candidate.transport + ' ' +
                    std::to_string(candidate.priority) + ' ' + candidate.address + ' ' +
                    std::to_string(candidate.port) + " typ " + candidate.type;
  if (!candidate.related_address.empty()) {
    out += " raddr " + candidate.related_address;
  }
  if (candidate.related_port) {
    out += " rport " + std::to_string(*candidate.related_port);
  }
  if (!candidate.tcp_type.empty()) {
    out += " tcptype " + candidate.tcp_type;
  }
  if (candidate.generation) {
    out += " generation " + std::to_string(*candidate.generation);
  }
  if (!candidate.ufrag.empty()) {
    out += " ufrag " + candidate.ufrag;
  }
  for (const auto& [name, value] : candidate.extensions) {
    out += ' ';
    out += name;
    out += ' ';
    out += value;
  }
  return out;
}

}  // namespace rrtc::sdp
