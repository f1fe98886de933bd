// libFuzzer target rtcp_parse: compound iteration over arbitrary bytes, reading every accessor
// of every packet type; each parsed packet is written back with CompoundWriter and must parse
// again equal. Transport-cc feedback is also rebuilt from its arrivals and must report the
// same arrivals.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>
#include <vector>

#include "rtcp/compound.hpp"

namespace {

using namespace rrtc::rtcp;

void check(bool condition) {
  if (!condition) std::abort();
}

bool equal_packets(const Packet& a, const Packet& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const auto& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, UnknownPacket>) {
          return std::equal(x.bytes.begin(), x.bytes.end(), y.bytes.begin(), y.bytes.end());
        } else {
          return x == y;
        }
      },
      a);
}

std::uint64_t touch(const Packet& packet) {
  std::uint64_t sink = 0;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, SenderReport> || std::is_same_v<T, ReceiverReport>) {
          for (const ReportBlock block : m.report_blocks) sink += block.jitter + block.ssrc;
        } else if constexpr (std::is_same_v<T, Sdes>) {
          auto cursor = m.entries();
          while (const auto entry = cursor.next()) sink += entry->text.size() + entry->ssrc;
        } else if constexpr (std::is_same_v<T, Bye>) {
          for (const std::uint32_t ssrc : m.ssrcs) sink += ssrc;
          sink += m.reason.size();
        } else if constexpr (std::is_same_v<T, Nack>) {
          m.for_each_lost([&](std::uint16_t seq) { sink += seq; });
        } else if constexpr (std::is_same_v<T, Fir>) {
          for (const FirEntry entry : m.entries) sink += entry.seq_nr;
        } else if constexpr (std::is_same_v<T, Remb>) {
          for (const std::uint32_t ssrc : m.ssrcs) sink += ssrc;
          sink += m.bitrate_bps;
        } else if constexpr (std::is_same_v<T, TransportCc>) {
          auto cursor = m.statuses();
          while (const auto status = cursor.next())
            sink += static_cast<std::uint64_t>(status->arrival.count());
        }
      },
      packet);
  return sink;
}

void check_transport_cc_rebuild(const TransportCc& cc) {
  std::vector<PacketArrival> arrivals;
  std::int64_t seq = cc.base_seq();
  auto cursor = cc.statuses();
  while (const auto status = cursor.next()) {
    if (status->received) arrivals.push_back({seq, status->arrival});
    ++seq;
  }
  if (arrivals.empty()) return;
  const std::int64_t reference = arrivals.front().arrival.count() / 64000 -
                                 (arrivals.front().arrival.count() % 64000 < 0 ? 1 : 0);
  if (reference < -(1 << 23) || reference >= (1 << 23)) return;  // would wrap the 24-bit field
  const TransportCc rebuilt(cc.sender_ssrc, cc.media_ssrc, cc.fb_pkt_count, arrivals);
  std::vector<std::uint8_t> out(rebuilt.serialized_size());
  check(!out.empty() && rebuilt.write_to(out) == out.size());
  const auto raw = parse_raw(out);
  check(raw.has_value());
  const auto parsed = TransportCc::parse(*raw);
  check(parsed.has_value() && *parsed == rebuilt);
  auto again = parsed->statuses();
  std::size_t next = 0;
  while (const auto status = again.next()) {
    if (!status->received) continue;
    check(next < arrivals.size());
    check(status->seq == static_cast<std::uint16_t>(arrivals[next].seq));
    check(status->arrival == arrivals[next].arrival);
    ++next;
  }
  check(next == arrivals.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> input(data, data + size);
  std::vector<std::uint8_t> out(size + 64);
  CompoundWriter writer(out);
  std::vector<Packet> packets;
  CompoundReader reader(input);
  std::uint64_t sink = 0;
  while (auto packet = reader.next()) {
    sink += touch(*packet);
    if (const auto* cc = std::get_if<TransportCc>(&*packet)) check_transport_cc_rebuild(*cc);
    // Parsed packets whose profile extension or padding cannot be re-serialized are skipped.
    if (writer.append(*packet)) packets.push_back(std::move(*packet));
  }
  CompoundReader again(writer.bytes());
  for (const Packet& expected : packets) {
    const auto packet = again.next();
    check(packet.has_value());
    check(equal_packets(expected, *packet));
  }
  check(!again.next() && !again.error());
  return sink == 1 ? 0 : 0;
}
