#pragma once
// The abuse driver's harness: a GLib loop thread for the clients, an io_context thread for their
// WebSockets, and a scenario that runs straight down on the main thread, reaching the clients
// only through on_loop() (post and wait). It talks to the Python runner over stdout/stdin:
// sync("name") prints {"event":"name"} and waits for the runner's "go" line, so the runner can
// sample the server (/metrics, /proc) at exactly that point; report() prints one JSON result.
//
// Every wait spins until a condition holds or a deadline passes; nothing sleeps a fixed time to
// let something happen.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client.hpp"

namespace rrtc::abuse {

class Rig {
 public:
  explicit Rig(loadgen::WsUrl url);
  ~Rig();

  loadgen::LoopContext& env() { return env_; }
  // Creates and starts a client (on the loop).
  Client& add(const std::string& room, const std::string& id, bool publishes,
              const std::function<void(Client&)>& before_start = {});

  template <class F>
  auto on_loop(F&& fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::promise<R> done;
    auto future = done.get_future();
    env_.loop.post([&] {
      if constexpr (std::is_void_v<R>) {
        fn();
        done.set_value();
      } else {
        done.set_value(fn());
      }
    });
    return future.get();
  }

  // Spins (checking on the loop every 10 ms) until `condition` or `timeout`; false on timeout.
  bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);
  // Keeps the clients running for `duration` (checking `fail_fast` every 50 ms: stops early and
  // returns false when it turns true).
  bool run_for(std::chrono::milliseconds duration, const std::function<bool()>& fail_fast = {});

  // The calm pair: a publisher and a subscriber in room "calm", connected, the subscriber
  // receiving. False (with a note) if they do not get there.
  bool start_calm_pair();
  Client* calm_publisher() { return calm_pub_; }
  Client* calm_subscriber() { return calm_sub_; }
  // Longest gap (ms) the calm subscriber saw from the calm publisher since start_measuring().
  double calm_max_gap_ms();
  std::uint64_t calm_packets();

  // Prints {"event": name, ...extra} and waits for the runner's line on stdin.
  void sync(const std::string& name, boost::json::object extra = {});
  // Adds a key to the final result.
  boost::json::object& result() { return result_; }
  // A failed check: recorded, the scenario goes on so the report shows everything.
  void expect(bool ok, const std::string& what);
  // Prints {"result": ..., "failures": [...]} and returns the exit status (0: every check held).
  int report();
  void stop_all();

 private:
  loadgen::LoopContext env_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  loadgen::WsUrl url_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::uint32_t next_index_ = 1;
  Client* calm_pub_ = nullptr;
  Client* calm_sub_ = nullptr;
  boost::json::object result_;
  std::vector<std::string> failures_;
};

// Scenarios (scenarios_*.cpp): each runs on a Rig and returns through Rig::report().
int scenario_warmup(Rig& rig);
int scenario_i2(Rig& rig);
int scenario_d2(Rig& rig);
int scenario_r14(Rig& rig);
int scenario_r5_rate(Rig& rig);
int scenario_r5_nack(Rig& rig);
int scenario_c1(Rig& rig);

}  // namespace rrtc::abuse
