// Transport-wide congestion control feedback (RTPFB, FMT=15),
// draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|  FMT=15 |    PT=205     |           length              |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                     SSRC of packet sender                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                      SSRC of media source                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |      base sequence number     |      packet status count      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                 reference time                | fb pkt. count |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |          packet chunk         |         packet chunk          |
//    .                                                               .
//    |         recv delta            |  recv delta   | zero padding  |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Chunks (3.1.3, 3.1.4): run length |0|S S|run length (13)|, status vector |1|0|14 x 1 bit|
// or |1|1|7 x 2 bits|. Symbols: 0 not received, 1 received with a 1-byte unsigned delta,
// 2 received with a 2-byte signed delta, 3 reserved. Deltas are in 250 us ticks from the
// previous received packet (the first from reference time, in 64 ms units, 24-bit signed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "rtcp/header.hpp"

namespace rrtc::rtcp {

// Input for building: a packet that arrived. Sequence numbers are transport-wide and
// unwrapped; the list must be strictly increasing. Missing numbers are reported lost.
struct PacketArrival {
  std::int64_t seq = 0;
  std::chrono::microseconds arrival{0};
};

// Output of reading: one packet status.
struct PacketStatus {
  std::uint16_t seq = 0;
  bool received = false;
  std::int32_t delta_ticks = 0;          // 250 us units; 0 when not received
  std::chrono::microseconds arrival{0};  // reference time + deltas; 0 when not received
  friend bool operator==(const PacketStatus&, const PacketStatus&) = default;
};

class TransportCc {
 public:
  static constexpr std::chrono::microseconds kTick{250};
  static constexpr std::chrono::microseconds kReferenceUnit{64000};

  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  std::uint8_t fb_pkt_count = 0;

  TransportCc() = default;
  // A feedback reporting `arrivals` (see PacketArrival). serialized_size() is 0 when they
  // cannot be encoded in one message: empty, not increasing, spanning more than 65535
  // sequence numbers, or with a gap between arrivals beyond a signed 16-bit tick count.
  TransportCc(std::uint32_t sender, std::uint32_t media, std::uint8_t fb_count,
              std::span<const PacketArrival> arrivals) noexcept;

  static Result<TransportCc> parse(const RawPacket& raw) noexcept;

  std::uint16_t base_seq() const noexcept { return base_seq_; }
  std::uint16_t status_count() const noexcept { return status_count_; }
  std::int32_t reference_time() const noexcept { return reference_time_; }  // 64 ms units

  // Every status from base_seq on, wire or supplied alike.
  class Cursor {
   public:
    std::optional<PacketStatus> next() noexcept;

   private:
    friend class TransportCc;
    std::optional<std::pair<std::uint8_t, std::int32_t>> next_symbol() noexcept;
    const TransportCc* cc_ = nullptr;
    std::size_t index_ = 0;        // status index
    std::size_t chunk_pos_ = 0;    // wire: offset of the current chunk
    std::size_t in_chunk_ = 0;     // wire: symbols consumed from it
    std::size_t delta_pos_ = 0;    // wire: offset of the next delta
    std::size_t arrival_i_ = 0;    // built: next arrival
    std::int64_t time_ticks_ = 0;  // built: time of the last received packet, in ticks
    std::chrono::microseconds time_{0};
  };
  Cursor statuses() const noexcept;

  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const TransportCc& a, const TransportCc& b) noexcept;

 private:
  std::uint16_t base_seq_ = 0;
  std::uint16_t status_count_ = 0;
  std::int32_t reference_time_ = 0;
  std::span<const std::uint8_t> chunks_;     // wire
  std::span<const std::uint8_t> deltas_;     // wire
  std::span<const PacketArrival> arrivals_;  // built
  bool from_wire_ = false;
  bool encodable_ = true;
};

}  // namespace rrtc::rtcp
