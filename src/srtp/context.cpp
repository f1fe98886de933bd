#include "srtp/context.hpp"

#include "srtp/index.hpp"
#include "srtp/session.hpp"

namespace rrtc::srtp::detail {
namespace {

static_assert(kSrtpReplayBits == kReplayWindow);

constexpr std::size_t kRtpFixedHeader = 12;

std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// RFC 3550 section 5.1 / 5.3.1: the fixed header, CC CSRCs and, with X set, the extension
// (4-octet preamble whose second half counts 32-bit words). Zero if it does not fit in `limit`.
//
//    0                   1                   2                   3
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   |                           timestamp                           |
//   |           synchronization source (SSRC) identifier            |
//   |            contributing source (CSRC) identifiers             | ...
//   |      defined by profile       |           length              |
std::size_t rtp_header_size(ConstByteSpan packet, std::size_t limit) noexcept {
  std::size_t size = kRtpFixedHeader + 4 * std::size_t{packet[0] & 0x0fU};
  if ((packet[0] & 0x10U) != 0) {
    if (size + 4 > limit) return 0;
    size += 4 + 4 * std::size_t{load_be16(packet.data() + size + 2)};
  }
  return size <= limit ? size : 0;
}

boost::system::error_code fail(SrtpError error) noexcept { return make_error_code(error); }

}  // namespace

std::unique_ptr<SrtpContext> SrtpContext::create(SrtpProfile profile, ConstByteSpan master,
                                                 bool outbound) {
  auto transform = SrtpTransform::create(profile, master, outbound);
  if (!transform) return nullptr;
  return std::unique_ptr<SrtpContext>(new SrtpContext(std::move(*transform), outbound));
}

SrtpContext::SrtpContext(SrtpTransform transform, bool outbound)
    : transform_(std::move(transform)), outbound_(outbound) {
  if (outbound_) {
    sent_.reserve(kReservedStreams);
  } else {
    received_.reserve(kReservedStreams);
    rtp_windows_.reserve(kReservedRtpWindows);
  }
}

boost::system::result<std::size_t> SrtpContext::protect_rtp(ByteSpan buffer, std::size_t length) {
  if (!outbound_) return fail(SrtpError::Failure);
  const std::size_t header = rtp_header_size(buffer, length);
  if (header == 0) return fail(SrtpError::BadLength);
  SentStream* stream = sent_.find_or_insert(load_be32(buffer.data() + 8));
  if (stream == nullptr) return fail(SrtpError::Failure);  // kMaxSrtpStreams SSRCs already
  const auto guess = estimate_srtp_index(stream->rtp_highest, load_be16(buffer.data() + 2));
  if (guess.delta <= -static_cast<std::int64_t>(kSrtpReplayBits)) return fail(SrtpError::Replay);
  if (!transform_.protect_rtp(buffer, header, length, stream->ssrc, guess.index)) {
    return fail(SrtpError::Failure);
  }
  if (guess.delta > 0) stream->rtp_highest = guess.index;
  return length + transform_.rtp_tag_size();
}

boost::system::result<std::size_t> SrtpContext::unprotect_rtp(ByteSpan packet) {
  if (outbound_) return fail(SrtpError::Failure);
  const std::size_t body = packet.size() - transform_.rtp_tag_size();
  const std::size_t header = rtp_header_size(packet, body);
  if (header == 0) return fail(SrtpError::BadLength);
  const std::uint32_t ssrc = load_be32(packet.data() + 8);
  ReceivedStream* stream = received_.find(ssrc);
  RtpWindow* window = stream != nullptr && stream->rtp_window != kNoRtpWindow
                          ? &rtp_windows_[stream->rtp_window]
                          : nullptr;
  // A stream without RTP yet starts at index 0 with nothing seen, as libsrtp2's template does.
  const auto guess =
      estimate_srtp_index(window != nullptr ? window->highest() : 0, load_be16(packet.data() + 2));
  if (window != nullptr && window->check(guess.index) != ReplayVerdict::Fresh) {
    return fail(SrtpError::Replay);
  }
  if (stream == nullptr && received_.full()) return fail(SrtpError::Failure);
  if (!transform_.unprotect_rtp(packet, header, ssrc, guess.index)) {
    return fail(SrtpError::AuthFailure);
  }
  if (stream == nullptr) stream = received_.find_or_insert(ssrc);
  if (window == nullptr) {
    stream->rtp_window = static_cast<std::uint16_t>(rtp_windows_.size());
    window = &rtp_windows_.emplace_back();
  }
  window->commit(guess.index);
  return body;
}

boost::system::result<std::size_t> SrtpContext::protect_rtcp(ByteSpan buffer, std::size_t length) {
  if (!outbound_) return fail(SrtpError::Failure);
  SentStream* stream = sent_.find_or_insert(load_be32(buffer.data() + 4));
  if (stream == nullptr) return fail(SrtpError::Failure);
  // The index is 31 bits; at its end the master key must be replaced (RFC 3711 section 9.2).
  if (stream->srtcp_index >= 0x7fffffffU) return fail(SrtpError::Failure);
  ++stream->srtcp_index;
  if (!transform_.protect_rtcp(buffer, length, stream->ssrc, stream->srtcp_index)) {
    return fail(SrtpError::Failure);
  }
  return length + transform_.rtcp_overhead();
}

// RFC 3711 section 3.4 (RFC 7714 section 9 moves the tag before the E+index word):
//   | RTCP header + SSRC | encrypted rest | E | SRTCP index | tag |
boost::system::result<std::size_t> SrtpContext::unprotect_rtcp(ByteSpan packet) {
  if (outbound_) return fail(SrtpError::Failure);
  const std::uint32_t word =
      load_be32(packet.data() + transform_.srtcp_index_offset(packet.size()));
  const bool encrypted = (word & 0x80000000U) != 0;
  const std::uint32_t index = word & 0x7fffffffU;
  const std::uint32_t ssrc = load_be32(packet.data() + 4);
  ReceivedStream* stream = received_.find(ssrc);
  if (stream != nullptr && stream->rtcp.check(index) != ReplayVerdict::Fresh) {
    return fail(SrtpError::Replay);
  }
  if (stream == nullptr && received_.full()) return fail(SrtpError::Failure);
  if (!transform_.unprotect_rtcp(packet, ssrc, index, encrypted)) {
    return fail(SrtpError::AuthFailure);
  }
  if (stream == nullptr) stream = received_.find_or_insert(ssrc);
  stream->rtcp.commit(index);
  return packet.size() - transform_.rtcp_overhead();
}

}  // namespace rrtc::srtp::detail
