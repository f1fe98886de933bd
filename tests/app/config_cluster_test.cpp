// The cluster keys (docs/cluster.md): redis_url parsing and masking, node ids, the heartbeat and
// TTL relation, and keys that do nothing without redis_url.

#include <gtest/gtest.h>

#include "app/config_print.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

using namespace std::chrono_literals;

TEST(ConfigCluster, OffByDefault) {
  const Config c;
  EXPECT_EQ(c.redis_url, "");
  EXPECT_EQ(c.node_id, "");
  EXPECT_EQ(c.cluster_heartbeat, 2s);
  EXPECT_EQ(c.cluster_node_ttl, 6s);
  EXPECT_EQ(c.drain_timeout, 300s);
}

TEST(ConfigCluster, EveryKeyFromTheFileAndTheEnvironment) {
  TempDir dir;
  dir.write("rrtc.toml",
            "redis_url = \"redis://:pw@10.0.0.5:6380/1\"\nnode_id = \"eu-1\"\n"
            "node_signaling_url = \"wss://eu-1.example.org/ws\"\n"
            "cluster_heartbeat_seconds = 1\ncluster_node_ttl_seconds = 3\n"
            "drain_timeout_seconds = 60\n");
  LoadedConfig file = loaded(load({"rrtc.toml"}, {}, dir.path()));
  EXPECT_EQ(file.config.redis_url, "redis://:pw@10.0.0.5:6380/1");
  EXPECT_EQ(file.config.node_id, "eu-1");
  EXPECT_EQ(file.config.node_signaling_url, "wss://eu-1.example.org/ws");
  EXPECT_EQ(file.config.cluster_heartbeat, 1s);
  EXPECT_EQ(file.config.cluster_node_ttl, 3s);
  EXPECT_EQ(file.config.drain_timeout, 60s);
  EXPECT_TRUE(file.warnings.empty());

  LoadedConfig env = loaded(load({}, {{"REDIS_URL", "redis://r"}, {"NODE_ID", "n2"}}, dir.path()));
  EXPECT_EQ(env.config.redis_url, "redis://r");
  EXPECT_EQ(env.config.node_id, "n2");
}

TEST(ConfigCluster, BadValuesAreErrorsThatNeverShowThePassword) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"REDIS_URL", "rediss://:pw@r:6380"}}, dir.path())),
            "environment variable REDIS_URL: redis_url: rediss:// (TLS) is not supported: Debian "
            "12's hiredis 0.14 has no TLS, got \"rediss://:****@r:6380\"");
  EXPECT_EQ(error_line(load({}, {{"REDIS_URL", "redis://:pw@r:99999"}}, dir.path())),
            "environment variable REDIS_URL: redis_url: the port must be a number 1-65535, got "
            "\"redis://:****@r:99999\"");
  EXPECT_EQ(error_line(load({}, {{"REDIS_URL", "redis://r"}, {"NODE_ID", "a b"}}, dir.path())),
            "environment variable NODE_ID: node_id: expected 1-64 characters of A-Z a-z 0-9 . _ : "
            "-, got \"a b\"");
  EXPECT_EQ(
      error_line(
          load({}, {{"REDIS_URL", "redis://r"}, {"NODE_SIGNALING_URL", "http://n"}}, dir.path())),
      "environment variable NODE_SIGNALING_URL: node_signaling_url: expected a ws:// or wss:// "
      "URL, got \"http://n\"");
}

TEST(ConfigCluster, TheTtlMustOutlastTwoHeartbeats) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"REDIS_URL", "redis://r"}, {"CLUSTER_NODE_TTL_SECONDS", "3"}},
                            dir.path())),
            "environment variable CLUSTER_NODE_TTL_SECONDS: cluster_node_ttl_seconds: expected "
            "cluster_node_ttl_seconds >= 2 * cluster_heartbeat_seconds, got 3 < 2 * 2");
  EXPECT_EQ(error_line(load({}, {{"REDIS_URL", "redis://r"}, {"CLUSTER_HEARTBEAT_SECONDS", "5"}},
                            dir.path())),
            "environment variable CLUSTER_HEARTBEAT_SECONDS: cluster_heartbeat_seconds: expected "
            "cluster_node_ttl_seconds >= 2 * cluster_heartbeat_seconds, got 6 < 2 * 5");
}

TEST(ConfigCluster, ClusterKeysWithoutRedisAreWarnings) {
  TempDir dir;
  LoadedConfig result =
      loaded(load({}, {{"NODE_ID", "n1"}, {"DRAIN_TIMEOUT_SECONDS", "5"}}, dir.path()));
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0].to_string(),
            "environment variable NODE_ID: node_id: has no effect without redis_url");
}

TEST(ConfigCluster, CheckConfigMasksOnlyThePassword) {
  Config c;
  c.redis_url = "redis://rrtc:s3cret@10.0.0.5:6379/2";
  c.node_id = "eu-1";
  const std::string text = print_config(c);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_NE(text.find("\nredis_url = \"redis://rrtc:****@10.0.0.5:6379/2\"\nnode_id = \"eu-1\"\n"
                      "node_signaling_url = \"\"\ncluster_heartbeat_seconds = 2\n"
                      "cluster_node_ttl_seconds = 6\ndrain_timeout_seconds = 300\n"),
            std::string::npos)
      << text;
  EXPECT_NE(print_config(c, {.mask_secrets = false}).find("redis://rrtc:s3cret@"),
            std::string::npos);
  EXPECT_NE(print_config(Config{}).find("\nredis_url = \"\"\n"), std::string::npos);
}

}  // namespace
}  // namespace rrtc::app::test
