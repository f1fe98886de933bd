#include "rtcp/sdes.hpp"

#include <algorithm>

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {
namespace {

// Validates one chunk starting at `pos`; returns the offset after its padding.
std::optional<std::size_t> skip_chunk(std::span<const std::uint8_t> body, std::size_t pos) {
  if (pos + 4 > body.size()) return std::nullopt;
  pos += 4;
  while (true) {
    if (pos >= body.size()) return std::nullopt;  // no terminating null octet
    if (body[pos] == 0) break;
    if (pos + 2 > body.size() || pos + 2 + body[pos + 1] > body.size()) return std::nullopt;
    pos += 2 + body[pos + 1];
  }
  pos = pad4(pos + 1);
  if (pos > body.size()) return std::nullopt;
  return pos;
}

}  // namespace

Result<Sdes> Sdes::parse(const RawPacket& raw) noexcept {
  if (raw.header.type != static_cast<std::uint8_t>(PacketType::kSdes)) {
    return ParseError::kUnknownFormat;
  }
  std::size_t pos = 0;
  for (std::size_t i = 0; i < raw.header.count; ++i) {
    const auto next = skip_chunk(raw.body, pos);
    if (!next) return ParseError::kBadItem;
    pos = *next;
  }
  Sdes sdes;
  sdes.wire_ = raw.body.first(pos);
  sdes.chunk_count_ = raw.header.count;
  sdes.from_wire_ = true;
  return sdes;
}

Sdes::Cursor Sdes::entries() const noexcept {
  Cursor cursor;
  cursor.sdes_ = this;
  cursor.chunks_left_ = chunk_count_;
  return cursor;
}

std::optional<SdesEntry> Sdes::Cursor::next() noexcept {
  if (!sdes_->from_wire_) {
    if (pos_ >= sdes_->entries_.size()) return std::nullopt;
    return sdes_->entries_[pos_++];
  }
  // The wire was validated by parse(), so offsets below stay in bounds.
  const auto wire = sdes_->wire_;
  if (!in_chunk_) {
    if (chunks_left_ == 0) return std::nullopt;
    --chunks_left_;
    ssrc_ = load_be32(&wire[pos_]);
    pos_ += 4;
    if (wire[pos_] == 0) {  // a chunk without items
      pos_ = pad4(pos_ + 1);
      return SdesEntry{ssrc_, 0, {}};
    }
    in_chunk_ = true;
  }
  SdesEntry entry{ssrc_, wire[pos_],
                  std::string_view(reinterpret_cast<const char*>(&wire[pos_ + 2]), wire[pos_ + 1])};
  pos_ += 2 + wire[pos_ + 1];
  if (wire[pos_] == 0) {
    pos_ = pad4(pos_ + 1);
    in_chunk_ = false;
  }
  return entry;
}

std::optional<std::string_view> Sdes::cname(std::uint32_t ssrc) const noexcept {
  auto cursor = entries();
  while (const auto entry = cursor.next()) {
    if (entry->ssrc == ssrc && entry->type == static_cast<std::uint8_t>(SdesType::kCname)) {
      return entry->text;
    }
  }
  return std::nullopt;
}

std::size_t Sdes::serialized_size() const noexcept {
  if (from_wire_) return 4 + wire_.size();
  std::size_t size = 4, chunks = 0, chunk_bytes = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const SdesEntry& e = entries_[i];
    if (e.text.size() > 255 || (e.type == 0 && !e.text.empty())) return 0;
    const bool starts_chunk =
        i == 0 || entries_[i - 1].ssrc != e.ssrc || e.type == 0 || entries_[i - 1].type == 0;
    if (starts_chunk) {
      if (i > 0) size += pad4(chunk_bytes + 1);
      ++chunks;
      chunk_bytes = 4;
    }
    if (e.type != 0) chunk_bytes += 2 + e.text.size();
  }
  if (!entries_.empty()) size += pad4(chunk_bytes + 1);
  return chunks > 31 ? 0 : size;
}

std::size_t Sdes::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* const begin = out.data();
  std::fill(begin, begin + size, std::uint8_t{0});
  std::size_t pos = 4, chunks = 0;
  if (from_wire_) {
    std::copy(wire_.begin(), wire_.end(), begin + 4);
    chunks = chunk_count_;
  }
  for (std::size_t i = 0; !from_wire_ && i < entries_.size(); ++i) {
    const SdesEntry& e = entries_[i];
    const bool starts_chunk =
        i == 0 || entries_[i - 1].ssrc != e.ssrc || e.type == 0 || entries_[i - 1].type == 0;
    if (starts_chunk) {
      if (i > 0) pos = pad4(pos + 1);  // the previous chunk's null octet and padding
      store_be32(begin + pos, e.ssrc);
      pos += 4;
      ++chunks;
    }
    if (e.type == 0) continue;
    begin[pos] = e.type;
    begin[pos + 1] = static_cast<std::uint8_t>(e.text.size());
    std::copy(e.text.begin(), e.text.end(), begin + pos + 2);
    pos += 2 + e.text.size();
  }
  write_header(begin, static_cast<std::uint8_t>(chunks),
               static_cast<std::uint8_t>(PacketType::kSdes), size);
  return size;
}

bool operator==(const Sdes& a, const Sdes& b) noexcept {
  auto ca = a.entries();
  auto cb = b.entries();
  while (true) {
    const auto ea = ca.next();
    const auto eb = cb.next();
    if (ea != eb) return false;
    if (!ea) return true;
  }
}

}  // namespace rrtc::rtcp
