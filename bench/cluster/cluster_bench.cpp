// bench_cluster: what the cluster layer costs in Redis round trips, commands and bytes, against
// a real redis-server on 127.0.0.1 (started here, like tests/cluster). Prints:
//  - PING round trip (RedisClient's own measurement): median, p99 of N;
//  - per heartbeat, per placement (new room, existing room), per release and per relayed bus
//    message: the latency (median, p99), the commands Redis executed (INFO commandstats,
//    EVALSHA counted as one) and the bytes in and out of Redis (INFO stats).
// Usage: bench_cluster [iterations]   (default 2000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "cluster/bus.hpp"
#include "cluster/node_directory.hpp"
#include "cluster/redis_server.hpp"  // tests/cluster
#include "cluster/room_placement.hpp"

namespace {

using namespace rrtc::cluster;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Counters {
  std::int64_t commands = 0, in = 0, out = 0;
};

// Parses "name:value" lines of an INFO reply.
std::map<std::string, std::string> info_fields(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) out[line.substr(0, colon)] = line.substr(colon + 1);
    pos = end + 2;
  }
  return out;
}

RedisReply call(boost::asio::io_context& io, RedisClient& c, std::vector<std::string> args) {
  std::optional<RedisReply> r;
  c.command(std::move(args), [&](RedisReply reply) { r = std::move(reply); });
  test::run_until(io, [&] { return r.has_value(); });
  return r.value_or(RedisReply{});
}

// Commands executed and bytes in/out so far, minus what reading them costs (one INFO each).
Counters counters(boost::asio::io_context& io, RedisClient& c) {
  Counters out;
  auto stats = info_fields(call(io, c, {"INFO", "stats"}).value.text);
  out.in = std::atoll(stats["total_net_input_bytes"].c_str());
  out.out = std::atoll(stats["total_net_output_bytes"].c_str());
  out.commands = std::atoll(stats["total_commands_processed"].c_str());
  return out;
}

struct Result {
  std::vector<double> us;
  Counters before, after;
};

void print(const char* what, Result& r, int n, int info_calls_between = 1) {
  std::sort(r.us.begin(), r.us.end());
  const double median = r.us[r.us.size() / 2];
  const double p99 = r.us[r.us.size() * 99 / 100];
  // Subtract the INFO call that read `before` (its reply counted in out, its request in in).
  const double commands = double(r.after.commands - r.before.commands - info_calls_between) / n;
  const double in = double(r.after.in - r.before.in) / n;
  const double out = double(r.after.out - r.before.out) / n;
  std::printf("%-28s median %7.1f us  p99 %7.1f us  %5.2f commands  %7.1f B in  %7.1f B out\n",
              what, median, p99, commands, in, out);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (test::redis_server_binary().empty()) {
    std::puts("bench_cluster: redis-server is not installed");
    return 1;
  }
  test::RedisServer server;
  if (!server.start()) return 1;
  boost::asio::io_context io;
  RedisClientOptions options;
  options.url = server.url();
  options.ping_interval = 1ms;
  RedisClient redis(io, options);
  RedisClientOptions sub_options = options;
  sub_options.ping_interval = 0ms;
  sub_options.name = "bus";
  RedisClient subscriber(io, sub_options);
  redis.start();
  subscriber.start();
  test::run_until(io, [&] { return redis.ready() && subscriber.ready(); });

  // PING round trip: sample RedisClient's measurement n times.
  {
    std::vector<double> rtts;
    std::uint64_t last_commands = 0;
    while (static_cast<int>(rtts.size()) < n) {
      test::run_until(
          io, [&] { return redis.stats().commands > last_commands + 1; }, 1s);
      last_commands = redis.stats().commands;
      rtts.push_back(double(redis.stats().last_rtt.count()));
    }
    std::sort(rtts.begin(), rtts.end());
    std::printf(
        "redis-server 7 (Debian 12), 127.0.0.1, %d samples each; one round trip per\n"
        "operation; commands = what Redis executed, a script's redis.call()s included\n",
        n);
    std::printf("%-28s median %7.1f us  p99 %7.1f us\n", "PING round trip", rtts[n / 2],
                rtts[n * 99 / 100]);
  }
  redis.stop();
  options.ping_interval = 0ms;
  RedisClient quiet(io, options);  // no PINGs in the counts below
  quiet.start();
  test::run_until(io, [&] { return quiet.ready(); });

  NodeDirectory directory(io, quiet,
                          NodeInfo{.id = "bench-node",
                                   .signaling_url = "wss://bench.example.org/ws",
                                   .media_address = "192.0.2.10"},
                          NodeDirectoryOptions{.heartbeat = 3600s, .ttl = 7200s});
  NodeDirectory other(io, quiet, NodeInfo{.id = "bench-other"},
                      NodeDirectoryOptions{.heartbeat = 3600s, .ttl = 7200s});
  other.start();
  RoomPlacement placement(quiet, "bench-node");
  const std::vector<std::string> candidates{"bench-node", "bench-other"};

  auto timed = [&](const char* what, auto&& issue) {
    Result r;
    bool warm = false;
    issue(-1, warm);
    test::run_until(io, [&] { return warm; });
    r.before = counters(io, quiet);
    for (int i = 0; i < n; ++i) {
      bool done = false;
      const auto start = Clock::now();
      issue(i, done);
      test::run_until(io, [&] { return done; });
      r.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    r.after = counters(io, quiet);
    print(what, r, n);
  };

  std::uint64_t beats = 0;
  directory.on_list([&](const std::vector<NodeInfo>&) { ++beats; });
  directory.start();
  test::run_until(io, [&] { return beats == 1; });
  timed("heartbeat (2 nodes listed)", [&](int, bool& done) {
    const auto target = beats + 1;
    directory.heartbeat_now();
    test::run_until(io, [&] { return beats >= target; });
    done = true;
  });
  timed("place a new room", [&](int i, bool& done) {
    placement.place("room-" + std::to_string(i), candidates, [&](PlacementResult) { done = true; });
  });
  timed("place an existing room", [&](int i, bool& done) {
    placement.place("room-" + std::to_string(std::max(i, 0)), candidates,
                    [&](PlacementResult) { done = true; });
  });
  timed("release a room", [&](int i, bool& done) {
    placement.release("room-" + std::to_string(i + 1), [&](RedisReply, bool) { done = true; });
  });

  Bus bus(quiet, subscriber, "bench-node");
  bool* arrived = nullptr;
  bus.start([&](const Envelope&) {
    if (arrived) *arrived = true;
  });
  const std::string payload =
      R"({"type":"answer","sdp":")" + std::string(1500, 'x') + R"("})";  // a small SDP
  test::run_until(io, [&] { return subscriber.stats().commands >= 2; });
  timed("bus message (1.5 kB, to self)", [&](int, bool& done) {
    arrived = &done;
    bus.send({EnvelopeKind::message, "bench-node", "bench-node", "s-1", payload});
  });
  arrived = nullptr;
  return 0;
}
