// libFuzzer target rtp_parse: parse arbitrary bytes as RTP; when they parse, rewrite SSRC,
// payload type, sequence number, timestamp, marker and every extension id in place, and check
// the rewritten packet parses again with exactly the new values and the same extension values.
// Then rebuild the packet with PacketBuilder and check it parses to the same fields.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "rtp/header_extension.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"

namespace {

using rrtc::rtp::Packet;

void check(bool condition) {
  if (!condition) std::abort();
}

// The id each element gets: an involution inside the form's id range, so applying the map
// twice restores the packet.
rrtc::rtp::ExtensionIdMap mirror_map(bool one_byte) {
  rrtc::rtp::ExtensionIdMap map{};
  for (int id = 1; id < 256; ++id) {
    if (one_byte) {
      map[id] = id <= 14 ? static_cast<std::uint8_t>(15 - id) : 0;
    } else {
      map[id] = static_cast<std::uint8_t>(256 - id);
    }
  }
  return map;
}

void check_rewrites(std::vector<std::uint8_t>& bytes, const Packet& before) {
  auto packet = Packet::parse(bytes);
  check(packet.has_value());
  const std::uint32_t ssrc = ~before.ssrc();
  const auto pt = static_cast<std::uint8_t>((before.payload_type() + 1) & 0x7F);
  const auto seq = static_cast<std::uint16_t>(before.sequence_number() + 1);
  const std::uint32_t ts = before.timestamp() + 3000;
  const bool marker = !before.marker();
  packet->set_ssrc(ssrc);
  check(packet->set_payload_type(pt));
  check(!packet->set_payload_type(128));
  packet->set_sequence_number(seq);
  packet->set_timestamp(ts);
  packet->set_marker(marker);
  const bool one_byte = before.extension_profile() == rrtc::rtp::kOneByteProfile;
  const bool two_byte = rrtc::rtp::is_two_byte_profile(before.extension_profile());
  const auto map = mirror_map(one_byte);
  const bool rewritten = packet->rewrite_extension_ids(map);
  if (!before.has_extension_block()) check(rewritten);

  auto again = Packet::parse(bytes);
  check(again.has_value());
  check(again->ssrc() == ssrc && again->payload_type() == pt && again->sequence_number() == seq &&
        again->timestamp() == ts && again->marker() == marker);
  check(again->payload().size() == before.payload().size());
  if (rewritten && (one_byte || two_byte)) {
    // Every element the original exposes must be found under its new id with the same value.
    // (Lookup returns the first element of an id; duplicates map to duplicates.)
    const auto form =
        one_byte ? rrtc::rtp::ExtensionForm::kOneByte : rrtc::rtp::ExtensionForm::kTwoByte;
    rrtc::rtp::ExtensionReader reader(before.extension_block(), form);
    while (const auto element = reader.next()) {
      const auto old_value = before.extension(element->id);
      const auto new_value = again->extension(map[element->id]);
      check(old_value.has_value() && new_value.has_value());
      check(std::equal(old_value->begin(), old_value->end(), new_value->begin(), new_value->end()));
    }
    // Setting a value no longer than its slot works; one byte longer is refused.
    reader = rrtc::rtp::ExtensionReader(again->extension_block(), form);
    if (const auto element = reader.next()) {
      const std::vector<std::uint8_t> longer(element->length + 1, 0xAB);
      check(!again->set_extension(element->id, longer));
      if (element->length > 0) {
        const std::vector<std::uint8_t> same(element->length, 0xCD);
        check(again->set_extension(element->id, same));
        const auto value = Packet::parse(bytes)->extension(element->id);
        check(value.has_value() && value->size() == same.size());
      }
    }
  }
}

void check_rebuild(const Packet& packet) {
  rrtc::rtp::PacketBuilder builder;
  builder.set_marker(packet.marker())
      .set_payload_type(packet.payload_type())
      .set_sequence_number(packet.sequence_number())
      .set_timestamp(packet.timestamp())
      .set_ssrc(packet.ssrc())
      .set_payload(packet.payload())
      .set_padding(static_cast<std::uint8_t>(packet.padding_size()));
  for (std::size_t i = 0; i < packet.csrc_count(); ++i) check(builder.add_csrc(packet.csrc(i)));
  std::vector<std::uint8_t> out(builder.serialized_size());
  check(builder.write_to(out) == out.size());
  const auto rebuilt = Packet::parse(out);
  check(rebuilt.has_value());
  check(rebuilt->ssrc() == packet.ssrc() &&
        rebuilt->sequence_number() == packet.sequence_number() &&
        rebuilt->timestamp() == packet.timestamp() && rebuilt->marker() == packet.marker() &&
        rebuilt->payload_type() == packet.payload_type() &&
        rebuilt->csrc_count() == packet.csrc_count() &&
        rebuilt->padding_size() == packet.padding_size());
  check(std::equal(rebuilt->payload().begin(), rebuilt->payload().end(), packet.payload().begin(),
                   packet.payload().end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> original(data, data + size);
  std::vector<std::uint8_t> bytes = original;
  auto packet = Packet::parse(bytes);
  if (!packet) return 0;
  // Touch every accessor.
  std::uint32_t sink = packet->ssrc() ^ packet->timestamp() ^ packet->sequence_number();
  for (std::size_t i = 0; i < packet->csrc_count(); ++i) sink ^= packet->csrc(i);
  for (int id = 0; id < 256; ++id) {
    if (const auto value = packet->extension(static_cast<std::uint8_t>(id))) sink ^= value->size();
  }
  check(packet->header_size() + packet->payload().size() + packet->padding_size() == size);
  (void)sink;

  check_rebuild(*packet);
  // Rewrite a copy; the original view stays valid on `original`.
  auto before = Packet::parse(original);
  check(before.has_value());
  check_rewrites(bytes, *before);
  return 0;
}
