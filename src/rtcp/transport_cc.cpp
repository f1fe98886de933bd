#include "rtcp/transport_cc.hpp"

#include <algorithm>

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {
namespace {

constexpr std::uint8_t kNotReceived = 0, kSmallDelta = 1, kLargeDelta = 2;

std::int32_t sign_extend24(std::uint32_t v) {
  return static_cast<std::int32_t>((v & 0x800000) ? (v | 0xFF000000) : v);
}

// Symbols in chunk `chunk` and the symbol at `index` in it.
std::size_t chunk_capacity(std::uint16_t chunk) {
  if ((chunk & 0x8000) == 0) return chunk & 0x1FFF;
  return (chunk & 0x4000) ? 7 : 14;
}
std::uint8_t chunk_symbol(std::uint16_t chunk, std::size_t index) {
  if ((chunk & 0x8000) == 0) return static_cast<std::uint8_t>((chunk >> 13) & 0x03);
  if (chunk & 0x4000) return static_cast<std::uint8_t>((chunk >> (12 - 2 * index)) & 0x03);
  return static_cast<std::uint8_t>((chunk >> (13 - index)) & 0x01);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

TransportCc::TransportCc(std::uint32_t sender, std::uint32_t media, std::uint8_t fb_count,
                         std::span<const PacketArrival> arrivals) noexcept
    : sender_ssrc(sender), media_ssrc(media), fb_pkt_count(fb_count), arrivals_(arrivals) {
  if (arrivals.empty()) {
    encodable_ = false;
    return;
  }
  const std::int64_t span = arrivals.back().seq - arrivals.front().seq + 1;
  encodable_ = span > 0 && span <= 0xFFFF;
  for (std::size_t i = 1; i < arrivals.size() && encodable_; ++i) {
    encodable_ = arrivals[i].seq > arrivals[i - 1].seq;
  }
  if (!encodable_) return;
  base_seq_ = static_cast<std::uint16_t>(arrivals.front().seq);
  status_count_ = static_cast<std::uint16_t>(span);
  const std::int64_t reference =
      floor_div(arrivals.front().arrival.count(), kReferenceUnit.count());
  reference_time_ = sign_extend24(static_cast<std::uint32_t>(reference) & 0xFFFFFF);
  // Check every delta fits; the cursor computes them the way write_to() encodes them.
  auto cursor = statuses();
  while (const auto status = cursor.next()) {
    if (status->received && (status->delta_ticks < -32768 || status->delta_ticks > 32767)) {
      encodable_ = false;
      return;
    }
  }
}

Result<TransportCc> TransportCc::parse(const RawPacket& raw) noexcept {
  if (!is_feedback(raw, PacketType::kRtpFeedback, kFmtTransportCc)) {
    return ParseError::kUnknownFormat;
  }
  const auto body = raw.body;
  if (body.size() < 16) return ParseError::kTooShort;
  TransportCc cc;
  cc.sender_ssrc = load_be32(&body[0]);
  cc.media_ssrc = load_be32(&body[4]);
  cc.base_seq_ = load_be16(&body[8]);
  cc.status_count_ = load_be16(&body[10]);
  cc.reference_time_ = sign_extend24(load_be24(&body[12]));
  cc.fb_pkt_count = body[15];
  if (cc.status_count_ == 0) return ParseError::kBadItem;
  // Walk the chunks once: they must cover status_count, and the deltas they announce must fit.
  std::size_t pos = 16, seen = 0, delta_bytes = 0;
  while (seen < cc.status_count_) {
    if (pos + 2 > body.size()) return ParseError::kBadItem;
    const std::uint16_t chunk = load_be16(&body[pos]);
    pos += 2;
    const std::size_t n = std::min<std::size_t>(chunk_capacity(chunk), cc.status_count_ - seen);
    if ((chunk & 0x8000) == 0) {  // run length: one symbol n times
      const std::uint8_t symbol = chunk_symbol(chunk, 0);
      if (symbol == 3 && n > 0) return ParseError::kBadItem;
      delta_bytes += symbol * n;  // 0, 1 or 2 bytes per status
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t symbol = chunk_symbol(chunk, i);
        if (symbol == 3) return ParseError::kBadItem;
        delta_bytes += symbol;
      }
    }
    seen += n;
  }
  if (pos + delta_bytes > body.size()) return ParseError::kBadItem;
  cc.chunks_ = body.subspan(16, pos - 16);
  cc.deltas_ = body.subspan(pos, delta_bytes);
  cc.from_wire_ = true;
  return cc;
}

TransportCc::Cursor TransportCc::statuses() const noexcept {
  Cursor cursor;
  cursor.cc_ = this;
  cursor.time_ = reference_time_ * kReferenceUnit;
  if (!from_wire_ && !arrivals_.empty()) {
    cursor.time_ticks_ = floor_div(arrivals_.front().arrival.count(), kReferenceUnit.count()) *
                         (kReferenceUnit / kTick);
  }
  return cursor;
}

// The next (symbol, delta) pair, or nullopt after status_count statuses.
std::optional<std::pair<std::uint8_t, std::int32_t>> TransportCc::Cursor::next_symbol() noexcept {
  const TransportCc& cc = *cc_;
  if (index_ >= cc.status_count_) return std::nullopt;
  ++index_;
  if (!cc.from_wire_) {
    const std::int64_t seq = cc.arrivals_.front().seq + static_cast<std::int64_t>(index_ - 1);
    if (arrival_i_ >= cc.arrivals_.size() || cc.arrivals_[arrival_i_].seq != seq) {
      return std::pair<std::uint8_t, std::int32_t>{kNotReceived, 0};
    }
    // Round to the tick grid and advance by whole ticks, so rounding errors do not add up.
    const std::int64_t at = cc.arrivals_[arrival_i_++].arrival.count();
    const std::int64_t ticks = floor_div(at + kTick.count() / 2, kTick.count());
    const auto delta = static_cast<std::int32_t>(
        std::clamp<std::int64_t>(ticks - time_ticks_, INT32_MIN, INT32_MAX));
    time_ticks_ = ticks;
    return std::pair<std::uint8_t, std::int32_t>{
        delta >= 0 && delta <= 255 ? kSmallDelta : kLargeDelta, delta};
  }
  // parse() proved the chunks cover status_count, so a non-empty chunk is ahead; skip empty
  // run-length chunks (run length 0) on the way.
  std::uint16_t chunk = load_be16(&cc.chunks_[chunk_pos_]);
  while (chunk_capacity(chunk) == 0) {
    chunk_pos_ += 2;
    chunk = load_be16(&cc.chunks_[chunk_pos_]);
  }
  const std::uint8_t symbol = chunk_symbol(chunk, in_chunk_);
  if (++in_chunk_ == chunk_capacity(chunk)) {
    chunk_pos_ += 2;
    in_chunk_ = 0;
  }
  std::int32_t delta = 0;
  if (symbol == kSmallDelta) {
    delta = cc.deltas_[delta_pos_++];
  } else if (symbol == kLargeDelta) {
    delta = static_cast<std::int16_t>(load_be16(&cc.deltas_[delta_pos_]));
    delta_pos_ += 2;
  }
  return std::pair<std::uint8_t, std::int32_t>{symbol, delta};
}

std::optional<PacketStatus> TransportCc::Cursor::next() noexcept {
  const std::size_t index = index_;
  const auto symbol = next_symbol();
  if (!symbol) return std::nullopt;
  PacketStatus status;
  status.seq = static_cast<std::uint16_t>(cc_->base_seq_ + index);
  if (symbol->first != kNotReceived) {
    status.received = true;
    status.delta_ticks = symbol->second;
    time_ += symbol->second * kTick;
    status.arrival = time_;
  }
  return status;
}

namespace {

constexpr std::size_t kMaxRun = 0x1FFF;

// Chooses the next chunk greedily from `cursor` (not advanced): a run-length chunk for a run of
// 14 or more equal symbols (or one reaching the end), otherwise a one-bit vector when the next
// 14 symbols are all 0 or 1, otherwise a two-bit vector of 7. Returns the chunk and how many
// symbols it covers.
std::pair<std::uint16_t, std::size_t> choose_chunk(TransportCc::Cursor cursor,
                                                   std::size_t remaining) {
  std::uint8_t symbols[14] = {};
  std::size_t have = 0;
  auto probe = cursor;
  std::optional<PacketStatus> st;
  const auto symbol_of = [](const PacketStatus& s) -> std::uint8_t {
    if (!s.received) return kNotReceived;
    return s.delta_ticks >= 0 && s.delta_ticks <= 255 ? kSmallDelta : kLargeDelta;
  };
  while (have < 14 && have < remaining && (st = probe.next())) symbols[have++] = symbol_of(*st);
  std::size_t run = 1;
  while (run < have && symbols[run] == symbols[0]) ++run;
  if (run == have) {  // extend the run past the 14 already looked at
    while (run < remaining && run < kMaxRun && (st = probe.next()) &&
           symbol_of(*st) == symbols[0]) {
      ++run;
    }
  }
  if (run >= 14 || run == remaining) {
    return {static_cast<std::uint16_t>((symbols[0] << 13) | run), run};
  }
  if (std::all_of(symbols, symbols + have, [](std::uint8_t s) { return s <= kSmallDelta; }) &&
      have == std::min<std::size_t>(14, remaining)) {
    std::uint16_t chunk = 0x8000;
    for (std::size_t i = 0; i < have; ++i)
      chunk |= static_cast<std::uint16_t>(symbols[i] << (13 - i));
    return {chunk, have};
  }
  std::uint16_t chunk = 0xC000;
  const std::size_t n = std::min<std::size_t>(7, have);
  for (std::size_t i = 0; i < n; ++i)
    chunk |= static_cast<std::uint16_t>(symbols[i] << (12 - 2 * i));
  return {chunk, n};
}

}  // namespace

std::size_t TransportCc::serialized_size() const noexcept {
  if (from_wire_) return pad4(4 + 16 + chunks_.size() + deltas_.size());
  if (!encodable_) return 0;
  std::size_t bytes = 4 + 16;
  auto cursor = statuses();
  std::size_t remaining = status_count_;
  while (remaining > 0) {
    const auto [chunk, n] = choose_chunk(cursor, remaining);
    (void)chunk;
    bytes += 2;
    for (std::size_t i = 0; i < n; ++i) {
      const auto status = cursor.next();
      if (status->received) bytes += status->delta_ticks >= 0 && status->delta_ticks <= 255 ? 1 : 2;
    }
    remaining -= n;
  }
  return pad4(bytes);
}

std::size_t TransportCc::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  std::fill(p, p + size, std::uint8_t{0});
  write_feedback_header(p, PacketType::kRtpFeedback, kFmtTransportCc, size, sender_ssrc,
                        media_ssrc);
  store_be16(p + 12, base_seq_);
  store_be16(p + 14, status_count_);
  store_be24(p + 16, static_cast<std::uint32_t>(reference_time_) & 0xFFFFFF);
  p[19] = fb_pkt_count;
  if (from_wire_) {
    std::copy(chunks_.begin(), chunks_.end(), p + 20);
    std::copy(deltas_.begin(), deltas_.end(), p + 20 + chunks_.size());
    return size;
  }
  // Two passes over the statuses: chunks first, then the deltas after all chunks.
  std::uint8_t* chunk_out = p + 20;
  auto cursor = statuses();
  std::size_t remaining = status_count_;
  while (remaining > 0) {
    const auto [chunk, n] = choose_chunk(cursor, remaining);
    store_be16(chunk_out, chunk);
    chunk_out += 2;
    for (std::size_t i = 0; i < n; ++i) cursor.next();
    remaining -= n;
  }
  std::uint8_t* delta_out = chunk_out;
  auto deltas = statuses();
  while (const auto status = deltas.next()) {
    if (!status->received) continue;
    if (status->delta_ticks >= 0 && status->delta_ticks <= 255) {
      *delta_out++ = static_cast<std::uint8_t>(status->delta_ticks);
    } else {
      store_be16(delta_out,
                 static_cast<std::uint16_t>(static_cast<std::int16_t>(status->delta_ticks)));
      delta_out += 2;
    }
  }
  return size;
}

bool operator==(const TransportCc& a, const TransportCc& b) noexcept {
  if (a.sender_ssrc != b.sender_ssrc || a.media_ssrc != b.media_ssrc ||
      a.fb_pkt_count != b.fb_pkt_count || a.base_seq_ != b.base_seq_ ||
      a.status_count_ != b.status_count_ || a.reference_time_ != b.reference_time_) {
    return false;
  }
  auto ca = a.statuses();
  auto cb = b.statuses();
  while (true) {
    const auto sa = ca.next();
    const auto sb = cb.next();
    if (sa != sb) return false;
    if (!sa) return true;
  }
}

}  // namespace rrtc::rtcp
