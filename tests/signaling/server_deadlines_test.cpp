// Server over real sockets: connection caps answered at once (429/503 before any upgrade),
// join and message deadlines, slow HTTP, protocol errors, max_participants, trusted proxies.
// Deadlines are configured short (1 s) and the seconds until each slow client is closed are
// printed ("[measured] ...") for the issue's note.
#include <gtest/gtest.h>

#include <cstdio>

#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

int error_code_of(const std::optional<json::object>& m) {
  if (!m || m->at("type") != "error") return 0;
  return static_cast<int>(m->at("code").as_int64());
}

// The value of one series in GET /metrics, or -1 when it is missing. Scraped from an address
// of its own (127.0.0.9), so the per-address limits under test do not refuse the scrape.
long metric(std::uint16_t port, const std::string& series) {
  RawClient scrape(port, "127.0.0.9");
  scrape.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  scrape.wait_eof(5s);
  const std::string& body = scrape.received();
  auto pos = body.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  return std::stol(body.substr(pos + series.size() + 2));
}

void print_measured(const char* what, double seconds) {
  std::printf("[measured] %s: %.2f s\n", what, seconds);
  std::fflush(stdout);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

ServerOptions short_deadlines() {
  auto o = test_options();
  o.join_timeout = std::chrono::seconds(1);
  o.message_timeout = std::chrono::seconds(1);
  return o;
}

TEST(ServerCapsTest, OverThePerAddressLimitIs429AtOnceWithoutReadingARequest) {
  auto options = test_options();
  options.max_connections_per_ip = 2;
  ServerFixture server(options);
  WsClient a(server.port());
  std::optional<WsClient> b(std::in_place, server.port());
  auto start = std::chrono::steady_clock::now();
  RawClient c(server.port());  // sends nothing at all
  ASSERT_TRUE(c.wait_eof(5s));
  double seconds = seconds_since(start);
  print_measured("connection over max_connections_per_ip answered 429 and closed after", seconds);
  EXPECT_LT(seconds, 1.5);
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 429 Too Many Requests\r\n")) << c.received();
  EXPECT_TRUE(c.received().ends_with(
      R"({"type":"error","message":"too many connections from your address","code":429})"))
      << c.received();
  EXPECT_EQ(a.join("r").at("type"), "joined");  // the admitted ones are untouched
  EXPECT_EQ(http_request(server.port(), "/healthz").status, 429u);  // refused again
  EXPECT_THROW(WsClient{server.port()}, std::exception);            // no upgrade over the limit
  EXPECT_EQ(metric(server.port(), "rrtc_signaling_connections_refused_total{reason=\"per_ip\"}"),
            3);
  b.reset();  // its place is free again once the server has seen it go
  auto deadline = std::chrono::steady_clock::now() + 5s;
  unsigned status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = http_request(server.port(), "/healthz").status;
  }
  EXPECT_EQ(status, 200u);
}

TEST(ServerCapsTest, OverMaxConnectionsIs503AtOnce) {
  auto options = test_options();
  options.max_connections = 2;
  ServerFixture server(options);
  WsClient a(server.port());
  RawClient b(server.port(), "127.0.0.2");  // another address: only the global cap applies
  auto start = std::chrono::steady_clock::now();
  RawClient c(server.port(), "127.0.0.3");
  ASSERT_TRUE(c.wait_eof(5s));
  print_measured("connection over max_connections answered 503 and closed after",
                 seconds_since(start));
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << c.received();
  EXPECT_TRUE(c.received().ends_with(R"({"type":"error","message":"server is full","code":503})"));
  EXPECT_EQ(a.join("r").at("type"), "joined");
  EXPECT_FALSE(b.eof());
}

TEST(ServerCapsTest, JoinOverMaxParticipantsGets503AndNobodyElseIsTouched) {
  auto options = test_options();
  options.max_participants = 2;
  ServerFixture server(options);
  WsClient a(server.port());
  WsClient b(server.port());
  WsClient c(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("s", "b").at("type"), "joined");
  auto refused = c.join("r", "c");
  EXPECT_EQ(refused.at("code").as_int64(), 503);
  EXPECT_EQ(refused.at("message"), "server is full (2 participants)");
  EXPECT_FALSE(c.closed());
  EXPECT_EQ(server.participants(), 2u);
  // a saw nobody join; b leaving frees a place and c gets in.
  b.send(json::object{{"type", "leave"}});
  ASSERT_TRUE(b.wait_closed(websocket::close_code::normal));
  ASSERT_TRUE(server.wait_until([](Server& s) { return s.participants() == 1; }));
  EXPECT_EQ(c.join("r", "c").at("type"), "joined");
  auto joined = a.read();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->at("type"), "participant_joined");  // the first thing a ever heard
  EXPECT_EQ(metric(server.port(), "rrtc_signaling_joins_refused_total{reason=\"server_full\"}"), 1);
  EXPECT_EQ(metric(server.port(), "rrtc_signaling_errors_total{code=\"503\"}"), 1);
}

TEST(ServerDeadlinesTest, WebSocketThatNeverJoinsIsClosedAtJoinTimeout) {
  ServerFixture server(short_deadlines());
  auto start = std::chrono::steady_clock::now();
  WsClient idle(server.port());
  WsClient member(server.port());
  ASSERT_EQ(member.join("r", "m").at("type"), "joined");
  auto m = idle.read(5s);
  double seconds = seconds_since(start);
  EXPECT_EQ(error_code_of(m), 408);
  EXPECT_TRUE(idle.wait_closed(websocket::close_code::policy_error));
  print_measured("upgraded WebSocket that never joins closed after (join_timeout 1 s)", seconds);
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 2.0);
  ASSERT_TRUE(server.wait_until([](Server& s) { return s.sessions() == 1; }));
  EXPECT_EQ(server.participants(), 1u);  // the joined one stays, past the deadline
  EXPECT_EQ(
      metric(server.port(), "rrtc_signaling_connections_closed_total{reason=\"join_timeout\"}"), 1);
}

TEST(ServerDeadlinesTest, TrickledMessageIsClosedAtMessageTimeout) {
  auto options = short_deadlines();
  options.join_timeout = std::chrono::seconds(30);  // the trickle is before any join
  ServerFixture server(options);
  RawClient c(server.port());
  ASSERT_EQ(c.upgrade(server.port()), 101u);
  // A 60 KB text frame, one byte every 100 ms: it would take 100 minutes.
  std::string payload = R"({"type":"join","room":"r","name":")" + std::string(60000, 'x');
  ASSERT_TRUE(c.write(RawClient::frame_header(0x1, payload.size())));
  auto start = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  auto close_frame = [](const std::string& r) { return r.find('\x88') != std::string::npos; };
  while (!c.eof() && !close_frame(c.received()) && seconds_since(start) < 10) {
    if (!c.write(RawClient::masked(std::string_view(payload).substr(sent, 1), sent))) break;
    ++sent;
    c.read_until(close_frame, 100ms);  // paces the trickle: waits on the socket, not a sleep
  }
  double seconds = seconds_since(start);
  print_measured("60 KB message trickled at 10 B/s closed after (message_timeout 1 s)", seconds);
  EXPECT_TRUE(has(c.received(), R"("code":408)")) << c.received();
  EXPECT_TRUE(close_frame(c.received()));
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 2.0);
  EXPECT_LT(sent, 25u);
  auto cut = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_eof(5s));  // we never answer the close: the socket goes after the grace
  print_measured("  ...and its socket cut after the close frame", seconds_since(cut));
  EXPECT_EQ(
      metric(server.port(), "rrtc_signaling_connections_closed_total{reason=\"message_timeout\"}"),
      1);
  EXPECT_EQ(server.participants(), 0u);
}

TEST(ServerDeadlinesTest, SlowHttpHeadersAndIdleSocketsAreClosedAtMessageTimeout) {
  ServerFixture server(short_deadlines());
  auto start = std::chrono::steady_clock::now();
  RawClient idle(server.port());
  RawClient slowloris(server.port(), "127.0.0.2");
  RawClient slow_upgrade(server.port(), "127.0.0.3");
  ASSERT_TRUE(slowloris.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  ASSERT_TRUE(slow_upgrade.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"));
  int header = 0;
  while ((!slowloris.eof() || !slow_upgrade.eof()) && seconds_since(start) < 10) {
    std::string line = "X-Slow-" + std::to_string(header++) + ": 1\r\n";
    slowloris.write(line);
    slow_upgrade.write(line);
    slowloris.read_until([](const std::string&) { return false; }, 50ms);
    slow_upgrade.read_until([](const std::string&) { return false; }, 50ms);
  }
  double slow = seconds_since(start);
  ASSERT_TRUE(idle.wait_eof(5s));
  double idle_seconds = seconds_since(start);
  print_measured("slow HTTP headers (a header line every 100 ms) closed after", slow);
  print_measured("idle TCP connection that sends nothing closed after", idle_seconds);
  EXPECT_TRUE(slowloris.eof());
  EXPECT_TRUE(slow_upgrade.eof());
  EXPECT_TRUE(slowloris.received().empty());  // cut, not answered
  EXPECT_GE(slow, 0.9);
  EXPECT_LT(slow, 2.0);
  EXPECT_GE(idle_seconds, 0.9);
  EXPECT_LT(idle_seconds, 2.0);
  EXPECT_EQ(
      metric(server.port(), "rrtc_signaling_connections_closed_total{reason=\"message_timeout\"}"),
      2);
  EXPECT_EQ(
      metric(server.port(), "rrtc_signaling_connections_closed_total{reason=\"idle_timeout\"}"), 1);
}

TEST(ServerDeadlinesTest, ProtocolErrorsCloseAfterTheLimitWithinTheWindow) {
  auto options = test_options();
  options.max_protocol_errors = 3;
  ServerFixture server(options);
  WsClient a(server.port());
  WsClient other(server.port());
  ASSERT_EQ(other.join("s", "o").at("type"), "joined");
  const std::string bad[] = {"not json", R"({"type":"join","room":)",
                             R"({"type":"join","room":42})"};
  for (const auto& text : bad) {
    a.send(text);
    EXPECT_EQ(error_code_of(a.read()), 400) << text;
  }
  EXPECT_FALSE(a.closed());
  a.send(std::string(1000, '[') + std::string(1000, ']'));  // the 4th error: sent, then closed
  EXPECT_EQ(error_code_of(a.read()), 400);
  EXPECT_TRUE(a.wait_closed(websocket::close_code::policy_error));
  EXPECT_EQ(
      metric(server.port(), "rrtc_signaling_connections_closed_total{reason=\"protocol_errors\"}"),
      1);
  other.send(json::object{{"type", "state_update"}, {"muted", true}});
  EXPECT_FALSE(other.closed());
  EXPECT_EQ(server.participants(), 1u);
}

// trusted_proxies: the client a proxy names is what max_connections_per_ip counts.
class TrustedProxyTest : public ::testing::Test {
 protected:
  static unsigned get_status(RawClient& c, const std::string& headers) {
    c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
    c.read_until([](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; }, 5s);
    if (c.received().size() < 12) return 0;
    return static_cast<unsigned>(std::stoul(c.received().substr(9, 3)));
  }
};

TEST_F(TrustedProxyTest, ForwardedClientsAreCountedSeparately) {
  auto options = test_options();
  options.max_connections_per_ip = 2;
  options.trusted_proxies = {"127.0.0.1"};
  ServerFixture server(options);
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 5; ++i) {  // five clients through one proxy address: all served
    open.push_back(std::make_unique<RawClient>(server.port()));
    EXPECT_EQ(get_status(*open.back(),
                         "X-Forwarded-For: 198.51.100." + std::to_string(i) + ", 127.0.0.1\r\n"),
              200u);
  }
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::make_unique<RawClient>(server.port()));
    EXPECT_EQ(get_status(*open.back(), "Forwarded: for=\"[2001:db8::7]:1234\"\r\n"), 200u);
  }
  RawClient third(server.port());
  EXPECT_EQ(get_status(third, "Forwarded: for=\"[2001:db8::7]:999\"\r\n"), 429u);
  EXPECT_TRUE(third.received().ends_with(
      R"({"type":"error","message":"too many connections from your address","code":429})"));
  EXPECT_TRUE(third.wait_eof(5s));
  // Garbage from the trusted proxy: counted as the proxy itself, and logged.
  RawClient garbage(server.port());
  EXPECT_EQ(get_status(garbage, "X-Forwarded-For: not-an-address\r\n"), 200u);
  EXPECT_EQ(metric(server.port(), "rrtc_signaling_forwarded_invalid_total"), 1);
  EXPECT_EQ(metric(server.port(), "rrtc_signaling_connections_refused_total{reason=\"per_ip\"}"),
            1);
}

TEST_F(TrustedProxyTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  auto options = test_options();
  options.max_connections_per_ip = 2;
  ServerFixture server(options);
  RawClient a(server.port());
  RawClient b(server.port());
  EXPECT_EQ(get_status(a, "X-Forwarded-For: 198.51.100.1\r\n"), 200u);
  EXPECT_EQ(get_status(b, "X-Forwarded-For: 198.51.100.2\r\n"), 200u);
  RawClient c(server.port());
  EXPECT_TRUE(c.wait_eof(5s));
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 429")) << c.received();
}

}  // namespace
}  // namespace rrtc::signaling::testing
