#include "ice/ice_options.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "ice/interface_addresses.hpp"

namespace rrtc::ice {
namespace {

TEST(IceOptions, ResolvesAddressesAndUrls) {
  IceOptions options;
  options.interfaces = {"127.0.0.1", "lo"};
  options.min_port = 40000;
  options.max_port = 40100;
  options.stun_url = "stun:127.0.0.1:3478";
  options.turn = {"turn:127.0.0.1:3479?transport=tcp", "u", "p", {}};
  IceConfig config = resolve_ice_config(options);
  // "lo" resolves to 127.0.0.1 (and ::1 when IPv6 is up).
  ASSERT_GE(config.local_addresses.size(), 2u);
  EXPECT_EQ(config.local_addresses[0], "127.0.0.1");
  EXPECT_EQ(config.local_addresses[1], "127.0.0.1");
  ASSERT_TRUE(config.stun);
  EXPECT_EQ(config.stun->ip, "127.0.0.1");
  EXPECT_EQ(config.stun->port, 3478);
  ASSERT_TRUE(config.turn);
  EXPECT_EQ(config.turn->server.port, 3479);
  EXPECT_EQ(config.turn->transport, RelayTransport::Tcp);
  EXPECT_EQ(config.turn->username, "u");
  EXPECT_FALSE(config.controlling);
}

TEST(IceOptions, ResolvesLocalhostWithoutTheNetwork) {
  IceOptions options;
  options.stun_url = "stun:localhost:3478";
  IceConfig config = resolve_ice_config(options);
  ASSERT_TRUE(config.stun);
  EXPECT_TRUE(config.stun->ip == "127.0.0.1" || config.stun->ip == "::1") << config.stun->ip;
}

TEST(IceOptions, RejectsBadSettingsWithTheSettingNamed) {
  struct Case {
    IceOptions options;
    const char* mentions;
  };
  IceOptions base;
  std::vector<Case> cases;
  {
    IceOptions o = base;
    o.interfaces = {"no-such-interface0"};
    cases.push_back({o, "interfaces"});
  }
  {
    IceOptions o = base;
    o.public_ip = "not-an-ip";
    cases.push_back({o, "public_ip"});
  }
  {
    IceOptions o = base;
    o.min_port = 5000;
    cases.push_back({o, "port range"});
  }
  {
    IceOptions o = base;
    o.min_port = 6000;
    o.max_port = 5000;
    cases.push_back({o, "port range"});
  }
  {
    IceOptions o = base;
    o.stun_url = "stun:";
    cases.push_back({o, "stun_url"});
  }
  {
    IceOptions o = base;
    o.stun_url = "turn:127.0.0.1";
    cases.push_back({o, "stun_url"});
  }
  {
    IceOptions o = base;
    o.turn = {"stun:127.0.0.1", "u", "p", {}};
    cases.push_back({o, "turn.url"});
  }
  {
    IceOptions o = base;
    o.turn = {"turn:127.0.0.1", "", "p", {}};
    cases.push_back({o, "username"});
  }
  for (const Case& c : cases) {
    try {
      resolve_ice_config(c.options);
      ADD_FAILURE() << "accepted a bad setting: expected one about " << c.mentions;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(c.mentions), std::string::npos) << e.what();
    }
  }
}

TEST(InterfaceAddresses, KnowsLoopbackAndLiterals) {
  std::optional<std::vector<std::string>> lo = interface_addresses("lo");
  ASSERT_TRUE(lo);
  EXPECT_NE(std::find(lo->begin(), lo->end(), "127.0.0.1"), lo->end());
  EXPECT_FALSE(interface_addresses("no-such-interface0"));
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("127.0.0.256"));
  EXPECT_FALSE(is_ip_literal("[::1]"));
  EXPECT_FALSE(is_ip_literal(""));
  EXPECT_FALSE(is_ip_literal(std::string(100, '1')));
}

}  // namespace
}  // namespace rrtc::ice
