// WebhookDispatcher over real sockets on 127.0.0.1 with a fake stream of Hub events (track
// events included, which the Python test cannot drive without a media publisher): bodies,
// headers and signatures as received; retries on non-2xx answers; a dead URL holding up no
// other; the queue bound; the shutdown grace. The loop is spun until a condition or deadline.

#include "signaling/webhook_dispatcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <deque>
#include <functional>
#include <set>

#include "signaling/webhook_event.hpp"

namespace rrtc::signaling {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kSecret = "dispatcher-test-secret";

// An HTTP/1.1 receiver on the test's io_context: records each request, answers with the next
// programmed status (200 once the list is used up), keeps connections alive.
class Receiver {
 public:
  explicit Receiver(net::io_context& ioc)
      : acceptor_(ioc, {net::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }
  // Stops accepting and closes every connection, so none of the receiver's operations is left.
  void close() {
    acceptor_.close();
    for (auto& weak : open_) {
      if (auto c = weak.lock()) c->socket.close();
    }
  }

  std::vector<http::request<http::string_body>> requests;
  std::deque<http::status> statuses;
  std::size_t connections = 0;

 private:
  struct Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      ++connections;
      auto c = std::make_shared<Connection>(std::move(socket));
      open_.push_back(c);
      read(c);
      accept();
    });
  }
  void read(std::shared_ptr<Connection> c) {
    c->request = {};
    http::async_read(c->socket, c->buffer, c->request,
                     [this, c](boost::system::error_code ec, std::size_t) {
                       if (ec) return;
                       requests.push_back(c->request);
                       http::status status = http::status::ok;
                       if (!statuses.empty()) {
                         status = statuses.front();
                         statuses.pop_front();
                       }
                       c->response = http::response<http::string_body>(status, 11);
                       c->response.body() = "ok";
                       c->response.prepare_payload();
                       http::async_write(c->socket, c->response,
                                         [this, c](boost::system::error_code e, std::size_t) {
                                           if (!e) read(c);
                                         });
                     });
  }

  tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<Connection>> open_;
};

ServerOptions options(std::vector<std::string> urls) {
  ServerOptions o;
  o.api_secret = kSecret;
  o.webhook_urls = std::move(urls);
  o.webhook_timeout = 1s;
  o.version = "9.8.7";
  return o;
}

RoomEvent event(RoomEventKind kind, std::string participant = {}, std::string name = {}) {
  RoomEvent e;
  e.kind = kind;
  e.room = "r";
  e.participant = std::move(participant);
  e.name = std::move(name);
  return e;
}

bool spin_until(net::io_context& ioc, const std::function<bool()>& done,
                std::chrono::steady_clock::duration limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ioc.run_one_for(20ms);
  }
  return true;
}

// A port nothing listens on (bound, then closed).
std::uint16_t closed_port(net::io_context& ioc) {
  tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

TEST(WebhookDispatcher, DeliversSignedEventsInOrderWithNamesAndTracks) {
  net::io_context ioc;
  Receiver receiver(ioc);
  auto dispatcher = std::make_shared<WebhookDispatcher>(ioc, options({receiver.url()}));
  const room::PublishedTrackInfo camera{"alice-camera", "1", room::TrackType::camera, "VP8"};
  const room::PublishedTrackInfo mic{"alice-audio", "0", room::TrackType::audio, "opus"};
  auto with_track = [](RoomEventKind kind, const room::PublishedTrackInfo& t) {
    auto e = event(kind, "alice");
    e.track = t;
    return e;
  };
  dispatcher->on_event(event(RoomEventKind::room_started));
  dispatcher->on_event(event(RoomEventKind::participant_joined, "alice", "Alice"));
  dispatcher->on_event(with_track(RoomEventKind::track_published, mic));
  dispatcher->on_event(with_track(RoomEventKind::track_published, camera));
  dispatcher->on_event(with_track(RoomEventKind::track_unpublished, camera));
  dispatcher->on_event(with_track(RoomEventKind::track_unpublished, mic));
  dispatcher->on_event(event(RoomEventKind::participant_left, "alice"));
  dispatcher->on_event(event(RoomEventKind::room_finished));
  // The receiver has the request before the client has the answer: wait for both.
  ASSERT_TRUE(spin_until(
      ioc, [&] { return receiver.requests.size() == 8 && dispatcher->counters().delivered == 8; }));

  const char* kinds[] = {"room_started",     "participant_joined", "track_published",
                         "track_published",  "track_unpublished",  "track_unpublished",
                         "participant_left", "room_finished"};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& r = receiver.requests[i];
    auto body = boost::json::parse(r.body()).as_object();
    EXPECT_EQ(body.at("event").as_string(), kinds[i]) << i;
    EXPECT_EQ(r.method(), http::verb::post);
    EXPECT_EQ(r.target(), "/hook");
    EXPECT_EQ(r[http::field::host], "127.0.0.1:" + std::to_string(receiver.port()));
    EXPECT_EQ(r[http::field::content_type], "application/json");
    EXPECT_EQ(r[http::field::user_agent], "rrtc/9.8.7");
    EXPECT_EQ(r["X-Rrtc-Event-Id"], body.at("id").as_string().c_str());
    EXPECT_EQ(r["X-Rrtc-Signature"], webhook_signature(kSecret, r.body()));
    ids.insert(std::string(body.at("id").as_string()));
    if (i >= 1 && i <= 6) {
      // The name given at join follows the participant into its later events.
      EXPECT_EQ(body.at("participant").at("name").as_string(), "Alice") << i;
    }
  }
  EXPECT_EQ(ids.size(), 8u);
  auto camera_off = boost::json::parse(receiver.requests[4].body());
  EXPECT_EQ(camera_off.at("track").at("track_id").as_string(), "alice-camera");
  EXPECT_EQ(camera_off.at("track").at("codec").as_string(), "VP8");
  EXPECT_EQ(receiver.connections, 1u);  // one keep-alive connection carried them all
  EXPECT_EQ(dispatcher->counters().delivered, 8u);
  EXPECT_EQ(dispatcher->queue_depth(), 0u);
}

TEST(WebhookDispatcher, NonSuccessAnswersAreRetriedThenDelivered) {
  net::io_context ioc;
  Receiver receiver(ioc);
  receiver.statuses = {http::status::internal_server_error, http::status::found};
  auto dispatcher = std::make_shared<WebhookDispatcher>(ioc, options({receiver.url()}));
  dispatcher->on_event(event(RoomEventKind::room_started));
  dispatcher->on_event(event(RoomEventKind::room_finished));
  ASSERT_TRUE(spin_until(ioc, [&] { return dispatcher->counters().delivered == 2; }));
  ASSERT_EQ(receiver.requests.size(), 4u);
  // The first event three times (500, 302, 200), with one id, then the second.
  EXPECT_EQ(receiver.requests[0].body(), receiver.requests[1].body());
  EXPECT_EQ(receiver.requests[1].body(), receiver.requests[2].body());
  EXPECT_NE(receiver.requests[2].body(), receiver.requests[3].body());
  EXPECT_EQ(dispatcher->counters().attempts_failed, 2u);
  EXPECT_NE(dispatcher->metrics_text().find("rrtc_webhook_attempts_failed_total 2\n"),
            std::string::npos);
  EXPECT_NE(dispatcher->metrics_text().find("rrtc_webhook_events_total{result=\"delivered\"} 2\n"),
            std::string::npos);
}

TEST(WebhookDispatcher, DeadUrlHoldsUpNoOtherAndItsQueueIsBounded) {
  net::io_context ioc;
  Receiver receiver(ioc);
  auto o = options({"http://127.0.0.1:" + std::to_string(closed_port(ioc)) + "/", receiver.url()});
  o.webhook_queue_size = 3;
  auto dispatcher = std::make_shared<WebhookDispatcher>(ioc, o);
  // One at a time, so the live URL's queue (also 3) never fills.
  for (std::size_t i = 0; i < 5; ++i) {
    dispatcher->on_event(event(RoomEventKind::participant_joined, "p" + std::to_string(i)));
    ASSERT_TRUE(spin_until(ioc, [&] { return dispatcher->counters().delivered == i + 1; }));
  }
  ASSERT_TRUE(spin_until(ioc, [&] { return dispatcher->counters().attempts_failed >= 1; }));
  const auto c = dispatcher->counters();
  EXPECT_EQ(c.delivered, 5u);
  EXPECT_EQ(receiver.requests.size(), 5u);
  EXPECT_EQ(c.dropped_queue_full, 2u);  // the dead URL's two oldest
  EXPECT_EQ(dispatcher->queue_depth(), 3u);
  EXPECT_NE(dispatcher->metrics_text().find("rrtc_webhook_queue_depth 3\n"), std::string::npos);
}

TEST(WebhookDispatcher, ShutdownFlushesThenLetsTheLoopEnd) {
  net::io_context ioc;
  Receiver receiver(ioc);
  auto dispatcher = std::make_shared<WebhookDispatcher>(ioc, options({receiver.url()}));
  dispatcher->on_event(event(RoomEventKind::room_started));
  dispatcher->stop(2s);
  // An event of a session closing after stop() still goes out within the grace.
  dispatcher->on_event(event(RoomEventKind::room_finished));
  ASSERT_TRUE(spin_until(ioc, [&] { return dispatcher->counters().delivered == 2; }));
  // Nothing pending: no timer or socket operation of the dispatcher keeps the loop running.
  receiver.close();
  const auto started = std::chrono::steady_clock::now();
  ioc.run_for(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(WebhookDispatcher, ShutdownDropsWhatCannotGoOutWithinTheGrace) {
  net::io_context ioc;
  auto url = "http://127.0.0.1:" + std::to_string(closed_port(ioc)) + "/";
  auto dispatcher = std::make_shared<WebhookDispatcher>(ioc, options({url}));
  dispatcher->on_event(event(RoomEventKind::room_started));
  dispatcher->on_event(event(RoomEventKind::room_finished));
  const auto started = std::chrono::steady_clock::now();
  dispatcher->stop(300ms);
  ioc.run_for(5s);  // returns when the loop has no work left
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(dispatcher->counters().dropped_shutdown, 2u);
  EXPECT_EQ(dispatcher->queue_depth(), 0u);
  dispatcher->on_event(event(RoomEventKind::room_started));  // after the grace: not queued
  EXPECT_EQ(dispatcher->counters().dropped_shutdown, 3u);
}

}  // namespace
}  // namespace rrtc::signaling
