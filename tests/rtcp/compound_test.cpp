#include "rtcp/compound.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<std::size_t> kinds_of(std::span<const std::uint8_t> datagram,
                                  std::optional<ParseError>* error = nullptr) {
  std::vector<std::size_t> kinds;
  CompoundReader reader(datagram);
  while (const auto packet = reader.next()) kinds.push_back(packet->index());
  if (error) *error = reader.error();
  return kinds;
}

template <typename T>
constexpr std::size_t kIndex = [] {
  Packet p{T{}};
  return p.index();
}();

TEST(Compound, CapturedSrWithSdes) {
  const Bytes bytes = test::fixture("sr_compound");
  CompoundReader reader(bytes);
  const auto sr = reader.next();
  ASSERT_TRUE(sr);
  ASSERT_TRUE(std::holds_alternative<SenderReport>(*sr));
  EXPECT_EQ(std::get<SenderReport>(*sr).packet_count, 264u);
  EXPECT_EQ(reader.last_bytes().size(), 28u);
  const auto sdes = reader.next();
  ASSERT_TRUE(sdes);
  ASSERT_TRUE(std::holds_alternative<Sdes>(*sdes));
  EXPECT_EQ(std::get<Sdes>(*sdes).cname(0xaf356a62), "cffcc8a7-81b1-4d8d-8b2c-2555406422ba");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.error());
}

TEST(Compound, EveryCapturedTypeInOneDatagram) {
  const Bytes bytes = concat({test::fixture("rr_two_blocks"), test::fixture("remb_compound"),
                              test::fixture("nack_compound"), test::fixture("pli_compound"),
                              test::fixture("bye_compound")});
  std::optional<ParseError> error;
  EXPECT_EQ(kinds_of(bytes, &error),
            (std::vector<std::size_t>{kIndex<ReceiverReport>, kIndex<Remb>, kIndex<Nack>,
                                      kIndex<Pli>, kIndex<Bye>}));
  EXPECT_FALSE(error);
}

TEST(Compound, ReducedSizeSingleFeedbackParses) {
  // RFC 5506: a lone PLI (no SR/RR first) is a valid datagram.
  const Bytes pli = test::fixture("pli_compound");
  EXPECT_EQ(kinds_of(pli), std::vector<std::size_t>{kIndex<Pli>});
  const Bytes nack = test::fixture("nack_compound");
  EXPECT_EQ(kinds_of(nack), std::vector<std::size_t>{kIndex<Nack>});
}

TEST(Compound, StopsAtFirstBadPacketKeepingGoodOnes) {
  struct Case {
    const char* name;
    Bytes tail;
    ParseError error;
  };
  const Case cases[] = {
      {"length_past_end", hex("81 cd 00 09 00 00 00 01 00 00 00 02"), ParseError::kLengthPastEnd},
      {"rr_length_zero", hex("81 c9 00 00"), ParseError::kTooShort},
      {"nack_without_fci", hex("81 cd 00 02 00 00 00 01 00 00 00 02"), ParseError::kTooShort},
      {"bad_version", hex("01 c9 00 01 00 00 00 01"), ParseError::kBadVersion},
      // Two header bytes; the next packet's first two bytes become its length (0x81cb words).
      {"two_header_bytes", hex("81 c9"), ParseError::kLengthPastEnd},
      {"unknown_feedback_too_short", hex("83 cd 00 01 00 00 00 01"), ParseError::kTooShort},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // Two good packets, the bad one, then a good one that must not be reached.
    const Bytes bytes = concat({test::fixture("rr_compound"), test::fixture("pli_compound"), c.tail,
                                test::fixture("bye_compound")});
    std::optional<ParseError> error;
    EXPECT_EQ(kinds_of(bytes, &error),
              (std::vector<std::size_t>{kIndex<ReceiverReport>, kIndex<Pli>}));
    ASSERT_TRUE(error);
    EXPECT_EQ(*error, c.error) << to_string(*error);
  }
}

TEST(Compound, TruncatedHeaderAtTheEnd) {
  const Bytes bytes = concat({test::fixture("pli_compound"), hex("81 c9")});
  std::optional<ParseError> error;
  EXPECT_EQ(kinds_of(bytes, &error), std::vector<std::size_t>{kIndex<Pli>});
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, ParseError::kTooShort);
}

TEST(Compound, UnknownTypesPassThrough) {
  // RFC 3611 XR (207) and an RTPFB format we do not model (FMT 3, TMMBR).
  const Bytes xr = hex("80 cf 00 02 00 00 00 01 04 00 00 00");
  const Bytes tmmbr = hex("83 cd 00 04 00 00 00 01 00 00 00 00 00 00 00 02 04 00 00 20");
  const Bytes bytes = concat({xr, tmmbr});
  CompoundReader reader(bytes);
  const auto first = reader.next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(std::holds_alternative<UnknownPacket>(*first));
  EXPECT_EQ(std::get<UnknownPacket>(*first).header.type, 207);
  const auto second = reader.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(std::get<UnknownPacket>(*second).header.count, 3);
  EXPECT_FALSE(reader.next());

  Bytes out(64);
  CompoundWriter writer(out);
  ASSERT_TRUE(writer.append(*first));
  ASSERT_TRUE(writer.append(*second));
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), bytes);
}

TEST(Compound, WriterReproducesCapturedSrCompound) {
  SenderReport sr;
  sr.sender_ssrc = 0xaf356a62;
  sr.ntp_timestamp = 0xeeb0a3ee8a353f7cull;
  sr.rtp_timestamp = 0x6286169c;
  sr.packet_count = 264;
  sr.octet_count = 0x50c7d;
  const SdesEntry cname[] = {{0xaf356a62, 1, "cffcc8a7-81b1-4d8d-8b2c-2555406422ba"}};
  Bytes out(1500);
  CompoundWriter writer(out);
  ASSERT_TRUE(writer.append(sr));
  ASSERT_TRUE(writer.append(Sdes(cname)));
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), test::fixture("sr_compound"));
}

TEST(Compound, WriterRefusesWhatDoesNotFit) {
  Bytes out(20);
  CompoundWriter writer(out);
  EXPECT_TRUE(writer.append(Pli{1, 2}));
  EXPECT_FALSE(writer.append(Pli{3, 4}));  // 12 + 12 > 20
  EXPECT_EQ(writer.size(), 12u);
  EXPECT_FALSE(writer.append(Nack{}));  // not serializable: no items
}

TEST(Compound, ReparsesEveryParsedPacketEqual) {
  const Bytes bytes = concat({test::fixture("sr_compound"), test::fixture("rr_two_blocks"),
                              test::fixture("remb_compound"), test::fixture("nack_compound"),
                              test::fixture("pli_compound"), test::fixture("bye_compound")});
  Bytes out(bytes.size());
  CompoundWriter writer(out);
  CompoundReader reader(bytes);
  while (const auto packet = reader.next()) ASSERT_TRUE(writer.append(*packet));
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), bytes);
}

}  // namespace
}  // namespace rrtc::rtcp
