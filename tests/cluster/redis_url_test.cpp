#include "cluster/redis_url.hpp"

#include <gtest/gtest.h>

namespace rrtc::cluster {
namespace {

RedisUrl parsed(std::string_view text) {
  auto result = parse_redis_url(text);
  if (auto* error = std::get_if<RedisUrlError>(&result)) {
    ADD_FAILURE() << text << ": " << error->reason;
    return {};
  }
  return std::get<RedisUrl>(result);
}

std::string refused(std::string_view text) {
  auto result = parse_redis_url(text);
  if (auto* error = std::get_if<RedisUrlError>(&result)) return error->reason;
  ADD_FAILURE() << text << " was accepted";
  return {};
}

TEST(RedisUrl, ParsesTheForms) {
  struct Case {
    std::string_view text;
    RedisUrl url;
  };
  const Case cases[] = {
      {"redis://localhost", {"localhost", 6379, "", "", 0}},
      {"redis://10.0.0.5:6380", {"10.0.0.5", 6380, "", "", 0}},
      {"redis://redis.internal:7000/2", {"redis.internal", 7000, "", "", 2}},
      {"redis://:s3cret@127.0.0.1:6379/0", {"127.0.0.1", 6379, "", "s3cret", 0}},
      {"redis://rrtc:pw@r:1/15", {"r", 1, "rrtc", "pw", 15}},
      {"redis://lonepassword@r", {"r", 6379, "", "lonepassword", 0}},
      {"redis://:p%40ss%3Aword@r", {"r", 6379, "", "p@ss:word", 0}},
      {"redis://:a@b@r", {"r", 6379, "", "a@b", 0}},  // the last '@' ends the user info
      {"redis://[::1]:6390", {"::1", 6390, "", "", 0}},
      {"redis://[2001:db8::7]", {"2001:db8::7", 6379, "", "", 0}},
      {"redis://host/", {"host", 6379, "", "", 0}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parsed(c.text), c.url) << c.text;
  }
}

TEST(RedisUrl, RefusesWithAReason) {
  EXPECT_EQ(refused("rediss://host:6380"),
            "rediss:// (TLS) is not supported: Debian 12's hiredis 0.14 has no TLS");
  EXPECT_EQ(refused("http://host"), "expected redis://[:password@]host[:port][/db]");
  EXPECT_EQ(refused("redis://"), "no host");
  EXPECT_EQ(refused("redis://:6379"), "no host");
  EXPECT_EQ(refused("redis://host:"), "an empty port after ':'");
  EXPECT_EQ(refused("redis://host:0"), "the port must be a number 1-65535");
  EXPECT_EQ(refused("redis://host:65536"), "the port must be a number 1-65535");
  EXPECT_EQ(refused("redis://host:12ab"), "the port must be a number 1-65535");
  EXPECT_EQ(refused("redis://host/16"), "the database after '/' must be a number 0-15");
  EXPECT_EQ(refused("redis://host/x"), "the database after '/' must be a number 0-15");
  EXPECT_EQ(refused("redis://ho st"), "white space or control characters in the URL");
  EXPECT_EQ(refused("redis://h$st"), "the host may hold letters, digits, '-', '.' and '_' only");
  EXPECT_EQ(refused("redis://user:@host"), "an empty password after ':'");
  EXPECT_EQ(refused("redis://:%4@host"), "a bad %-escape in the user or password");
  EXPECT_EQ(refused("redis://[::1"), "an IPv6 host without ']'");
  EXPECT_EQ(refused("redis://[::1]x"), "expected ':port' after the IPv6 host");
  EXPECT_EQ(refused("redis://[zz]"), "not an IPv6 address in brackets");
}

TEST(RedisUrl, MasksThePassword) {
  EXPECT_EQ(mask_redis_url("redis://:s3cret@10.0.0.5:6379/1"), "redis://:****@10.0.0.5:6379/1");
  EXPECT_EQ(mask_redis_url("redis://rrtc:s3cret@r"), "redis://rrtc:****@r");
  EXPECT_EQ(mask_redis_url("redis://lonepassword@r"), "redis://****@r");
  EXPECT_EQ(mask_redis_url("redis://r:6379"), "redis://r:6379");
  EXPECT_EQ(mask_redis_url("rediss://:a@b@r"), "rediss://:****@r");  // even unparsable ones
  EXPECT_EQ(mask_redis_url(""), "");
}

TEST(RedisUrl, EndpointBracketsIpv6) {
  EXPECT_EQ(redis_endpoint(parsed("redis://[::1]:7")), "[::1]:7");
  EXPECT_EQ(redis_endpoint(parsed("redis://h")), "h:6379");
}

}  // namespace
}  // namespace rrtc::cluster
