// Integration: the plain HTTP side of the signaling port.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

TEST(ServerHttpTest, HealthzReportsStatusVersionUptimeAndCounts) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  auto reply = http_request(server.port(), "/healthz");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "application/json");
  auto health = json::parse(reply.body).as_object();
  EXPECT_EQ(health.at("status"), "ok");
  EXPECT_EQ(health.at("version"), "test");
  EXPECT_GE(health.at("uptime").to_number<double>(), 0.0);
  EXPECT_EQ(health.at("rooms"), 1);
  EXPECT_EQ(health.at("participants"), 1);
  EXPECT_EQ(health.at("sessions"), 1);
}

TEST(ServerHttpTest, MetricsArePrometheusText) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  a.send(std::string("nope"));
  ASSERT_TRUE(a.read());
  auto reply = http_request(server.port(), "/metrics");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (std::string_view line :
       {"\nrrtc_rooms 1\n", "\nrrtc_participants 1\n", "\nrrtc_signaling_sessions 1\n",
        "rrtc_signaling_messages_received_total{type=\"join\"} 1\n",
        "rrtc_signaling_messages_received_total{type=\"invalid\"} 1\n",
        "rrtc_signaling_messages_sent_total{type=\"joined\"} 1\n",
        "rrtc_signaling_messages_sent_total{type=\"error\"} 1\n",
        "rrtc_signaling_errors_total{code=\"400\"} 1\n",
        "# TYPE rrtc_signaling_received_bytes_total counter\n"}) {
    EXPECT_NE(reply.body.find(line), std::string::npos) << line;
  }
}

TEST(ServerHttpTest, ExtraMetricsAreAppended) {
  ServerFixture server(test_options());
  server.on_server([](Server& s) {
    s.set_extra_metrics([] { return std::string("rrtc_media_test_total 7\n"); });
    return 0;
  });
  EXPECT_NE(http_request(server.port(), "/metrics").body.find("\nrrtc_media_test_total 7\n"),
            std::string::npos);
}

TEST(ServerHttpTest, ServesEmbeddedWebClientAndRefusesTheRest) {
  ServerFixture server(test_options());
  auto index = http_request(server.port(), "/");
  std::ifstream in(std::string(RRTC_SOURCE_DIR) + "/web/index.html", std::ios::binary);
  if (in) {
    std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(index.status, 200u);
    EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index.body, expected);
  } else {
    EXPECT_EQ(index.status, 404u);
  }
  EXPECT_EQ(http_request(server.port(), "/no-such-file.js").status, 404u);
  EXPECT_EQ(http_request(server.port(), "/../CMakeLists.txt").status, 404u);
  EXPECT_EQ(http_request(server.port(), "/%2e%2e/CMakeLists.txt").status, 404u);
  EXPECT_EQ(http_request(server.port(), "/healthz", http::verb::post).status, 405u);
  auto head = http_request(server.port(), "/healthz", http::verb::head);
  EXPECT_EQ(head.status, 200u);
  EXPECT_TRUE(head.body.empty());
}

TEST(ServerHttpTest, ServesWebRootFolderWhenConfigured) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("rrtc_web_" + std::to_string(::getpid()));
  fs::create_directories(root);
  std::ofstream(root / "index.html") << "<p>from disk</p>";
  std::ofstream(root / "app.js") << "console.log(1);";
  auto options = test_options();
  options.web_root = root.string();
  {
    ServerFixture server(options);
    auto index = http_request(server.port(), "/");
    EXPECT_EQ(index.status, 200u);
    EXPECT_EQ(index.body, "<p>from disk</p>");
    auto js = http_request(server.port(), "/app.js?v=1");
    EXPECT_EQ(js.status, 200u);
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(http_request(server.port(), "/../etc/passwd").status, 404u);
  }
  fs::remove_all(root);
}

TEST(ServerHttpTest, WebSocketOnlyAtRootAndWs) {
  ServerFixture server(test_options());
  EXPECT_NO_THROW(WsClient(server.port(), {.path = "/ws?room=x"}));
  EXPECT_NO_THROW(WsClient(server.port(), {.path = "/"}));
  EXPECT_ANY_THROW(WsClient(server.port(), {.path = "/elsewhere"}));
}

}  // namespace
}  // namespace rrtc::signaling::testing
