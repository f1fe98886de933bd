// Compound RTCP (RFC 3550 section 6.1) and reduced-size RTCP (RFC 5506).
//
// A datagram holds one or more RTCP packets back to back, each with its own common header.
// CompoundReader walks them and yields a typed view per packet; it stops at the first packet
// that fails validation, keeping the good ones before it, and says why it stopped. It does not
// insist on a leading SR/RR, so a reduced-size datagram (a lone PLI, NACK, ...) parses too.
// Packet types this layer does not model (XR, unknown feedback formats) come out as
// UnknownPacket: valid framing, opaque content, passed through.
//
// CompoundWriter appends messages into a caller's buffer. Neither allocates. Views point into
// the datagram, which must outlive them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "rtcp/app.hpp"
#include "rtcp/bye.hpp"
#include "rtcp/fir.hpp"
#include "rtcp/header.hpp"
#include "rtcp/nack.hpp"
#include "rtcp/pli.hpp"
#include "rtcp/receiver_report.hpp"
#include "rtcp/remb.hpp"
#include "rtcp/sdes.hpp"
#include "rtcp/sender_report.hpp"
#include "rtcp/transport_cc.hpp"

namespace rrtc::rtcp {

struct UnknownPacket {
  Header header;
  std::span<const std::uint8_t> bytes;  // the whole packet
};

using Packet = std::variant<SenderReport, ReceiverReport, Sdes, Bye, App, Nack, Pli, Fir, Remb,
                            TransportCc, UnknownPacket>;

// Parses one framed packet into its typed view.
Result<Packet> parse_packet(const RawPacket& raw) noexcept;

class CompoundReader {
 public:
  explicit CompoundReader(std::span<const std::uint8_t> datagram) noexcept : rest_(datagram) {}

  // The next packet, or nullopt at the end or at the first bad packet (see error()).
  std::optional<Packet> next() noexcept;
  // Why next() stopped early; nullopt after a clean end (or before it).
  std::optional<ParseError> error() const noexcept { return error_; }
  // The framed bytes of the packet most recently returned by next().
  std::span<const std::uint8_t> last_bytes() const noexcept { return last_; }

 private:
  std::span<const std::uint8_t> rest_;
  std::span<const std::uint8_t> last_;
  std::optional<ParseError> error_;
};

class CompoundWriter {
 public:
  explicit CompoundWriter(std::span<std::uint8_t> out) noexcept : out_(out) {}

  // Appends one message (any type with serialized_size() and write_to()). False, writing
  // nothing, when it does not fit or cannot be serialized.
  template <typename Message>
  bool append(const Message& message) noexcept {
    const std::size_t size = message.serialized_size();
    if (size == 0 || size > out_.size() - used_) return false;
    used_ += message.write_to(out_.subspan(used_));
    return true;
  }
  bool append(const Packet& packet) noexcept;
  bool append(const UnknownPacket& packet) noexcept;

  std::size_t size() const noexcept { return used_; }
  std::span<const std::uint8_t> bytes() const noexcept { return out_.first(used_); }

 private:
  std::span<std::uint8_t> out_;
  std::size_t used_ = 0;
};

}  // namespace rrtc::rtcp
