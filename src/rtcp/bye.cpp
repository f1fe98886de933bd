#include "rtcp/bye.hpp"

#include <algorithm>

namespace rrtc::rtcp {

Result<Bye> Bye::parse(const RawPacket& raw) noexcept {
  if (raw.header.type != static_cast<std::uint8_t>(PacketType::kBye)) {
    return ParseError::kUnknownFormat;
  }
  const auto body = raw.body;
  const std::size_t list = 4 * std::size_t{raw.header.count};
  if (list > body.size()) return ParseError::kBadCount;
  Bye bye;
  bye.ssrcs = WireList<std::uint32_t>::from_wire(body.first(list));
  const auto rest = body.subspan(list);
  if (!rest.empty()) {
    const std::size_t length = rest[0];
    if (1 + length > rest.size()) return ParseError::kBadItem;
    bye.reason = std::string_view(reinterpret_cast<const char*>(rest.data() + 1), length);
  }
  return bye;
}

std::size_t Bye::serialized_size() const noexcept {
  if (ssrcs.size() > 31 || reason.size() > 255) return 0;
  std::size_t size = 4 + ssrcs.wire_size();
  if (!reason.empty()) size += pad4(1 + reason.size());
  return size;
}

std::size_t Bye::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  std::fill(p, p + size, std::uint8_t{0});
  write_header(p, static_cast<std::uint8_t>(ssrcs.size()),
               static_cast<std::uint8_t>(PacketType::kBye), size);
  p = ssrcs.write(p + 4);
  if (!reason.empty()) {
    *p = static_cast<std::uint8_t>(reason.size());
    std::copy(reason.begin(), reason.end(), p + 1);
  }
  return size;
}

}  // namespace rrtc::rtcp
