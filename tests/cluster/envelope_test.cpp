#include "cluster/envelope.hpp"

#include <gtest/gtest.h>

namespace rrtc::cluster {
namespace {

TEST(Envelope, SerializesToTheDocumentedWireForm) {
  auto wire = serialize_envelope({EnvelopeKind::open, "n1", "n2", "s:9", R"({"type":"join"})"});
  ASSERT_TRUE(wire);
  EXPECT_EQ(*wire, "RRTC1 open n1 n2 s:9\n{\"type\":\"join\"}");
  EXPECT_EQ(*serialize_envelope({EnvelopeKind::message, "a", "b", "c", ""}),
            "RRTC1 message a b c\n");
  EXPECT_EQ(*serialize_envelope({EnvelopeKind::close, "a", "b", "c", "{}"}),
            "RRTC1 close a b c\n{}");
}

TEST(Envelope, ParsesIntoViewsOfTheWireBytes) {
  const std::string wire = "RRTC1 message node-a node_b.2 sess-1\n{\"x\":\"a b\\nc\"}\nmore";
  auto e = parse_envelope(wire);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EnvelopeKind::message);
  EXPECT_EQ(e->from, "node-a");
  EXPECT_EQ(e->to, "node_b.2");
  EXPECT_EQ(e->session, "sess-1");
  EXPECT_EQ(e->payload, "{\"x\":\"a b\\nc\"}\nmore");  // verbatim, newlines included
  EXPECT_EQ(e->payload.data(), wire.data() + wire.find('{'));
}

TEST(Envelope, RoundTripsEveryKind) {
  for (EnvelopeKind kind : {EnvelopeKind::open, EnvelopeKind::message, EnvelopeKind::close}) {
    Envelope in{kind, "A", "B", "S", std::string_view("pay\0load", 8)};
    auto wire = serialize_envelope(in);
    ASSERT_TRUE(wire);
    auto out = parse_envelope(*wire);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->kind, kind);
    EXPECT_EQ(out->payload, in.payload);
  }
}

TEST(Envelope, RefusesMalformedInput) {
  for (std::string_view bad : {
           "",
           "RRTC1 message a b c",        // no newline
           "RRTC2 message a b c\n{}",    // another version
           "RRTC1 shout a b c\n{}",      // unknown kind
           "RRTC1 message a b\n{}",      // no session
           "RRTC1 message a b c d\n{}",  // one word too many
           "RRTC1 message a  c\n{}",     // empty id
           "RRTC1 message a/x b c\n{}",  // bad character
           "rrtc1 message a b c\n{}",    // version is case-sensitive
       }) {
    EXPECT_FALSE(parse_envelope(bad)) << bad;
  }
  const std::string long_id(kMaxEnvelopeId + 1, 'x');
  EXPECT_FALSE(parse_envelope("RRTC1 message " + long_id + " b c\n{}"));
  EXPECT_TRUE(parse_envelope("RRTC1 message " + long_id.substr(1) + " b c\n{}"));
}

TEST(Envelope, RefusesToSerializeBadIds) {
  EXPECT_FALSE(serialize_envelope({EnvelopeKind::message, "", "b", "c", ""}));
  EXPECT_FALSE(serialize_envelope({EnvelopeKind::message, "a b", "b", "c", ""}));
  EXPECT_FALSE(serialize_envelope({EnvelopeKind::message, "a", "b\n", "c", ""}));
  EXPECT_TRUE(is_envelope_id("node-1.eu_west:2"));
  EXPECT_FALSE(is_envelope_id("nöde"));
}

}  // namespace
}  // namespace rrtc::cluster
