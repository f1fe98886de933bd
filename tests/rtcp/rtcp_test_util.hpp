// Helpers for the RTCP tests: load fixtures and parse the first packet of a datagram as T.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtcp/header.hpp"
#include "rtp/hex_fixture.hpp"

namespace rrtc::rtcp::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes fixture(const std::string& name) {
  return rrtc::test::load_hex_fixture("rtcp/" + name + ".hex");
}
inline Bytes hex(const char* text) { return rrtc::test::parse_hex(text); }

template <typename T>
Result<T> parse_first(const Bytes& bytes) {
  const auto raw = parse_raw(bytes);
  if (!raw) return raw.error();
  return T::parse(*raw);
}

// Parsed views point into the bytes, so from a temporary only success or the error is given.
template <typename T>
boost::system::result<void, ParseError> parse_first(Bytes&& bytes) {
  const auto parsed = parse_first<T>(static_cast<const Bytes&>(bytes));
  if (!parsed) return parsed.error();
  return {};
}

template <typename T>
Bytes serialize(const T& message) {
  Bytes out(message.serialized_size());
  if (message.write_to(out) != out.size()) out.clear();
  return out;
}

}  // namespace rrtc::rtcp::test
