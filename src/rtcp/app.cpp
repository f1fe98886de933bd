#include "rtcp/app.hpp"

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {

Result<App> App::parse(const RawPacket& raw) noexcept {
  if (raw.header.type != static_cast<std::uint8_t>(PacketType::kApp)) {
    return ParseError::kUnknownFormat;
  }
  if (raw.body.size() < 8) return ParseError::kTooShort;
  App app;
  app.subtype = raw.header.count;
  app.ssrc = load_be32(&raw.body[0]);
  std::copy(&raw.body[4], &raw.body[4] + 4, app.name.begin());
  app.data = raw.body.subspan(8);
  return app;
}

std::size_t App::serialized_size() const noexcept {
  if (subtype > 31 || data.size() % 4 != 0) return 0;
  return 12 + data.size();
}

std::size_t App::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  write_header(p, subtype, static_cast<std::uint8_t>(PacketType::kApp), size);
  store_be32(p + 4, ssrc);
  std::copy(name.begin(), name.end(), p + 8);
  std::copy(data.begin(), data.end(), p + 12);
  return size;
}

}  // namespace rrtc::rtcp
