// Unit: client addresses behind trusted proxies (CIDRs, RFC 7239 Forwarded, X-Forwarded-For)
// and the per-kind log limit. Exact values; hostile inputs (garbage, huge headers, many hops).
#include "signaling/client_address.hpp"

#include <gtest/gtest.h>

#include "signaling/log_limit.hpp"

namespace rrtc::signaling {
namespace {

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress{});
}

TrustedProxies trusted(std::vector<std::string> entries) {
  auto t = TrustedProxies::parse(entries);
  EXPECT_TRUE(t);
  return t.value_or(TrustedProxies{});
}

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(ip("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_TRUE(ip("192.0.2.1").v4);
  EXPECT_EQ(ip("2001:DB8:0:0::1").to_string(), "2001:db8::1");
  EXPECT_FALSE(ip("2001:db8::1").v4);
  // v4-mapped IPv6 is held as IPv4: equal to the plain address.
  EXPECT_EQ(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
  EXPECT_EQ(ip("::ffff:192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::from_v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}),
            ip("10.1.2.3"));
}

TEST(IpAddressTest, RefusesWhatIsNotABareAddress) {
  for (std::string_view bad : std::vector<std::string_view>{
           "", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "[::1]", "::1%eth0",
           "1.2.3.4:80", "unknown", "_hidden", "::g", std::string_view("1.2.3.4\0", 8),
           "1234567890123456789012345678901234567890123456789012"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(CidrTest, MatchesItsPrefixOnly) {
  auto net = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(ip("10.255.1.2")));
  EXPECT_FALSE(net->contains(ip("11.0.0.1")));
  EXPECT_FALSE(net->contains(ip("::ffff:11.0.0.1")));
  EXPECT_TRUE(net->contains(ip("::ffff:10.0.0.1")));  // a dual-stack peer compares as IPv4
  auto odd = Cidr::parse("192.168.4.0/22");           // prefix inside a byte
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(ip("192.168.7.255")));
  EXPECT_FALSE(odd->contains(ip("192.168.8.0")));
  auto host_bits = Cidr::parse("10.1.2.3/8");  // host bits ignored
  ASSERT_TRUE(host_bits);
  EXPECT_EQ(host_bits->network, ip("10.0.0.0"));
  auto v6 = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(ip("2001:db9::1")));
  EXPECT_FALSE(v6->contains(ip("10.0.0.1")));
  auto one = Cidr::parse("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->prefix, 32u);
  EXPECT_TRUE(one->contains(ip("127.0.0.1")));
  EXPECT_FALSE(one->contains(ip("127.0.0.2")));
  auto all = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(ip("203.0.113.9")));
  auto mapped = Cidr::parse("::ffff:10.0.0.0/104");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->prefix, 8u);
  EXPECT_TRUE(mapped->contains(ip("10.9.9.9")));
}

TEST(CidrTest, RefusesBadPrefixes) {
  for (std::string_view bad :
       {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "::/129", "10.0.0.0/ 8",
        "10.0.0.0/0008", "/8", "host/8", "::ffff:10.0.0.0/95"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
  std::string bad;
  EXPECT_FALSE(TrustedProxies::parse({"127.0.0.1", "nonsense", "::1"}, &bad));
  EXPECT_EQ(bad, "nonsense");
}

TEST(ParseNodeTest, AcceptsTheForwardingHeadersNodeForms) {
  EXPECT_EQ(parse_node("192.0.2.43"), ip("192.0.2.43"));
  EXPECT_EQ(parse_node(" 192.0.2.43:4711 "), ip("192.0.2.43"));
  EXPECT_EQ(parse_node("[2001:db8:cafe::17]"), ip("2001:db8:cafe::17"));
  EXPECT_EQ(parse_node("[2001:db8:cafe::17]:4711"), ip("2001:db8:cafe::17"));
  EXPECT_EQ(parse_node("[2001:db8:cafe::17]:_port"), ip("2001:db8:cafe::17"));
  EXPECT_EQ(parse_node("2001:db8:cafe::17"), ip("2001:db8:cafe::17"));
  for (std::string_view bad :
       {"", "unknown", "_hidden", "[192.0.2.1]", "[2001:db8::1", "[2001:db8::1]x",
        "[2001:db8::1]:", "192.0.2.1:", "192.0.2.1:123456", "192.0.2.1:80x", "a.b.c.d"}) {
    EXPECT_FALSE(parse_node(bad)) << bad;
  }
}

TEST(ForwardedTest, ReadsForOfEachElement) {
  // RFC 7239 section 4 examples, and parameters in any order and case.
  auto v = forwarded_for_values(
      R"(for="_gazonk", For="[2001:db8:cafe::17]:4711", for=192.0.2.60;proto=http;by=203.0.113.43,)"
      R"( proto=https;FOR=198.51.100.17, by=10.0.0.1)");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (std::vector<std::string>{"_gazonk", "[2001:db8:cafe::17]:4711", "192.0.2.60",
                                          "198.51.100.17", ""}));
  // Commas and semicolons inside quotes do not split; escapes unquote.
  v = forwarded_for_values(R"(for="a,b;c", for="x\"y")");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (std::vector<std::string>{"a,b;c", "x\"y"}));
  // Empty elements are skipped; broken pairs and duplicate `for` give "".
  v = forwarded_for_values(",, for=1.2.3.4 ,for, for=1.1.1.1;for=2.2.2.2, for= 3.3.3.3, =x");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (std::vector<std::string>{"1.2.3.4", "", "", "", ""}));
  EXPECT_FALSE(forwarded_for_values(R"(for="1.2.3.4)"));  // quote never ends
  EXPECT_FALSE(forwarded_for_values(R"(for="1.2.3.4\")"));
}

class ClientAddressTest : public ::testing::Test {
 protected:
  TrustedProxies proxies_ = trusted({"127.0.0.1", "10.0.0.0/8", "2001:db8:1::/48"});
  IpAddress proxy_ = ip("127.0.0.1");

  ClientAddress from_proxy(std::string_view forwarded, std::string_view xff) {
    return client_address(proxy_, forwarded, xff, proxies_);
  }
};

TEST_F(ClientAddressTest, HeadersFromAnUntrustedPeerAreIgnored) {
  auto c = client_address(ip("203.0.113.5"), "for=1.1.1.1", "2.2.2.2", proxies_);
  EXPECT_EQ(c.address, ip("203.0.113.5"));
  EXPECT_EQ(c.source, AddressSource::peer);
  EXPECT_FALSE(c.header_invalid);
  // Nothing is trusted when the list is empty, loopback included.
  c = client_address(proxy_, "", "2.2.2.2", TrustedProxies{});
  EXPECT_EQ(c.address, proxy_);
}

TEST_F(ClientAddressTest, RightMostUntrustedHopOfXForwardedFor) {
  auto c = from_proxy("", "6.6.6.6, 198.51.100.7, 10.1.1.1");  // 6.6.6.6 was the client's lie
  EXPECT_EQ(c.address, ip("198.51.100.7"));
  EXPECT_EQ(c.source, AddressSource::x_forwarded_for);
  EXPECT_EQ(from_proxy("", "198.51.100.7:5555").address, ip("198.51.100.7"));
  EXPECT_EQ(from_proxy("", "2001:db8:2::9").address, ip("2001:db8:2::9"));
  EXPECT_EQ(from_proxy("", "[2001:db8:2::9]:443, 2001:db8:1::1").address, ip("2001:db8:2::9"));
  EXPECT_EQ(from_proxy("", "::ffff:198.51.100.7").address.to_string(), "198.51.100.7");
  // Every hop trusted: the left-most one.
  EXPECT_EQ(from_proxy("", "10.0.0.5, 127.0.0.1").address, ip("10.0.0.5"));
  // Garbage to the left of the right-most untrusted hop is never looked at.
  EXPECT_EQ(from_proxy("", "garbage\"\x01, ,198.51.100.7").address, ip("198.51.100.7"));
  EXPECT_FALSE(from_proxy("", "garbage, 198.51.100.7").header_invalid);
}

TEST_F(ClientAddressTest, ForwardedWinsOverXForwardedFor) {
  auto c = from_proxy(R"(for=6.6.6.6, for="[2001:db8:2::1]:80";proto=https, for=10.9.9.9)",
                      "198.51.100.1");
  EXPECT_EQ(c.address, ip("2001:db8:2::1"));
  EXPECT_EQ(c.source, AddressSource::forwarded);
  EXPECT_FALSE(c.header_invalid);
}

TEST_F(ClientAddressTest, UnusableHeadersFallBackToThePeer) {
  for (auto [forwarded, xff] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"for=unknown", ""},
           {"for=_hidden, for=10.0.0.1", ""},
           {R"(for="1.2.3.4)", ""},
           {"proto=https", ""},
           {"", "not-an-address"},
           {"", "1.2.3.4, nonsense"},
           {"", "1.2.3.4:99999"},
       }) {
    auto c = from_proxy(forwarded, xff);
    EXPECT_EQ(c.address, proxy_) << forwarded << " | " << xff;
    EXPECT_EQ(c.source, AddressSource::peer);
    EXPECT_TRUE(c.header_invalid) << forwarded << " | " << xff;
  }
  // Blank headers are absent, not invalid.
  auto c = from_proxy("  ", " , ");
  EXPECT_EQ(c.address, proxy_);
  EXPECT_FALSE(c.header_invalid);
}

TEST_F(ClientAddressTest, HugeAndManyHopHeaders) {
  // 100,000 trusted hops after the client: linear walk, exact answer.
  std::string xff = "198.51.100.200";
  for (int i = 0; i < 100000; ++i) xff += ", 10.0.0.1";
  EXPECT_EQ(from_proxy("", xff).address, ip("198.51.100.200"));
  // 1 MB of junk before a real hop, and 1 MB inside one quoted Forwarded value.
  std::string junk(1 << 20, 'x');
  EXPECT_EQ(from_proxy("", junk + ",198.51.100.3").address, ip("198.51.100.3"));
  auto c = from_proxy("for=\"" + junk + "\"", "");
  EXPECT_TRUE(c.header_invalid);
  EXPECT_EQ(c.address, proxy_);
  std::string many;
  for (int i = 0; i < 50000; ++i) many += "for=10.0.0.2;by=x;proto=http, ";
  many += "for=198.51.100.4";
  EXPECT_EQ(from_proxy(many, "").address, ip("198.51.100.4"));
  // Only commas: no hop at all, as if the header were absent.
  auto commas = from_proxy(std::string(100000, ','), std::string(100000, ','));
  EXPECT_EQ(commas.address, proxy_);
  EXPECT_FALSE(commas.header_invalid);
}

TEST(LogLimitTest, OneLinePerKindPerInterval) {
  LogLimit limit(std::chrono::seconds(10));
  LogLimit::Clock::time_point t0{};
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(limit.allow("a", t0, suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_TRUE(limit.allow("b", t0, suppressed));  // another kind has its own budget
  for (int i = 0; i < 1000; ++i)
    EXPECT_FALSE(limit.allow("a", t0 + std::chrono::seconds(9), suppressed));
  EXPECT_TRUE(limit.allow("a", t0 + std::chrono::seconds(10), suppressed));
  EXPECT_EQ(suppressed, 1000u);
  EXPECT_FALSE(limit.allow("a", t0 + std::chrono::seconds(11), suppressed));
  EXPECT_TRUE(limit.allow("a", t0 + std::chrono::seconds(20), suppressed));
  EXPECT_EQ(suppressed, 1u);
}

}  // namespace
}  // namespace rrtc::signaling
