#pragma once
// A real redis-server for one test: its own free port on 127.0.0.1 and its own temporary
// directory, no persistence (--save "" --appendonly no). Started and stopped (or killed, paused)
// by the test; the destructor kills it and removes the directory.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/redis_url.hpp"

namespace rrtc::cluster::test {

// The redis-server executable, or empty when it is not installed (the tests exit 77).
inline std::string redis_server_binary() {
  for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  return {};
}

// A port the kernel just handed out on 127.0.0.1 (free now; Redis binds it right after).
inline std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class RedisServer {
 public:
  explicit RedisServer(std::vector<std::string> extra = {})
      : port_(free_port()), extra_(std::move(extra)) {
    std::string pattern = (std::filesystem::temp_directory_path() / "rrtc-redis-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir_ = pattern;
  }
  ~RedisServer() {
    kill_now();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server (again, on the same port) and waits until it answers PING.
  bool start() {
    std::vector<std::string> args{redis_server_binary(),
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--dir",
                                  dir_.string(),
                                  "--logfile",
                                  (dir_ / "redis.log").string(),
                                  "--daemonize",
                                  "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (answers_ping()) return true;
      std::this_thread::yield();
    }
    return false;
  }
  // SIGTERM and wait (Redis exits at once without persistence).
  void stop() { signal_and_wait(SIGTERM); }
  void kill_now() { signal_and_wait(SIGKILL); }
  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }

  std::uint16_t port() const { return port_; }
  RedisUrl url() const { return RedisUrl{.host = "127.0.0.1", .port = port_}; }

 private:
  bool answers_ping() {
    timeval timeout{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
    bool ok = false;
    if (c != nullptr && c->err == 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
      // -NOAUTH counts: the server is up, it wants a password.
      ok = reply != nullptr && (reply->type == REDIS_REPLY_STATUS ||
                                (reply->type == REDIS_REPLY_ERROR &&
                                 std::string_view(reply->str).rfind("NOAUTH", 0) == 0));
      if (reply != nullptr) freeReplyObject(reply);
    }
    if (c != nullptr) redisFree(c);
    return ok;
  }
  void signal_and_wait(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::uint16_t port_;
  std::vector<std::string> extra_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// Runs `io` until `condition` holds or `limit` passes; true when it holds. The work guard keeps
// run_one_for waiting for events instead of returning at once when nothing is queued.
template <typename Condition>
bool run_until(boost::asio::io_context& io, Condition condition,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace rrtc::cluster::test
