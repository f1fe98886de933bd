// Runs the built `rrtc` executable: --help, --version, --check-config, configuration errors and
// their exit status, and a start/stop on loopback. Each run gets its own working directory and a
// controlled environment, so nothing of the test machine leaks in.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(30);

class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env,
        const std::filesystem::path& working_dir) {
    std::array<int, 2> out{};
    std::array<int, 2> err{};
    EXPECT_EQ(pipe2(out.data(), O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(err.data(), O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
    std::vector<std::string> argv_storage{RRTC_BINARY};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_storage = env;
    std::vector<char*> envp;
    for (auto& entry : env_storage) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    int rc = posix_spawn(&pid_, RRTC_BINARY, &actions, nullptr, argv.data(), envp.data());
    EXPECT_EQ(rc, 0) << "cannot start " << RRTC_BINARY;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_fd_);
    close(err_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads both pipes until `done()` holds, both are closed, or the deadline passes.
  bool read_until(const std::function<bool()>& done) {
    auto deadline = Clock::now() + kDeadline;
    while (!done()) {
      if (out_fd_ < 0 && err_fd_ < 0) {
        return false;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        return false;
      }
      std::array<pollfd, 2> fds{pollfd{out_fd_, POLLIN, 0}, pollfd{err_fd_, POLLIN, 0}};
      if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0) {
        return false;
      }
      drain(fds[0], out_fd_, out_);
      drain(fds[1], err_fd_, err_);
    }
    return true;
  }

  // Collects all output and the exit status (-1 if it did not exit normally in time).
  int finish() {
    read_until([] { return false; });
    int status = 0;
    pid_t done = waitpid(pid_, &status, 0);
    pid_ = -1;
    return done > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void signal(int number) { kill(pid_, number); }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  static void drain(const pollfd& fd, int& owned, std::string& into) {
    if (fd.fd < 0 || (fd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
      return;
    }
    std::array<char, 4096> buffer{};
    ssize_t n = read(owned, buffer.data(), buffer.size());
    if (n > 0) {
      into.append(buffer.data(), static_cast<std::size_t>(n));
    } else {
      close(owned);
      owned = -1;
    }
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

struct Result {
  int status;
  std::string out;
  std::string err;
};

// Nothing of the test machine's environment: only what each test passes.
const std::vector<std::string> kBaseEnv{};

Result run(const std::vector<std::string>& args, const TempDir& dir,
           std::vector<std::string> env = {}) {
  env.insert(env.end(), kBaseEnv.begin(), kBaseEnv.end());
  Child child(args, env, dir.path());
  int status = child.finish();
  return {status, child.out(), child.err()};
}

TEST(RrtcBinary, HelpListsEveryOption) {
  TempDir dir;
  Result r = run({"--help"}, dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("Usage: rrtc [options] [config-file]\n", 0), 0u) << r.out;
  for (const char* option :
       {"--help", "--version", "--config", "--port", "--listen", "--log-level", "--check-config"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

TEST(RrtcBinary, VersionPrintsTheProjectVersion) {
  TempDir dir;
  Result r = run({"--version"}, dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string("rrtc ") + RRTC_VERSION + "\n");
}

TEST(RrtcBinary, CheckConfigMasksCredentialsAndExitsZero) {
  TempDir dir;
  dir.write(
      "rrtc.toml",
      "join_secret = \"file-secret-0123456789abcdef012345\"\n"
      "[turn]\nurl = \"turn:127.0.0.1:3478\"\nusername = \"rrtc\"\ncredential = \"turn-pass\"\n"
      "[[ice_servers]]\nurls = \"turn:127.0.0.1:3478\"\nusername = \"web\"\ncredential = "
      "\"web-pass\"\n");
  dir.write(".env", "SIGNALING_PORT=9100\n");
  Result r = run({"--check-config", "rrtc.toml", "--listen", "127.0.0.1"}, dir,
                 {"RRTC_LOG=debug", "TURN_CREDENTIAL=env-pass"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* secret : {"file-secret", "turn-pass", "web-pass", "env-pass"}) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(r.out.find("join_secret = \"****\"  # rrtc.toml:1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("credential = \"****\"  # environment variable TURN_CREDENTIAL\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("signaling_port = 9100  # " + (dir.path() / ".env").string() + ":1\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("listen_address = \"127.0.0.1\"  # command line --listen\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("log_level = \"debug\"  # environment variable RRTC_LOG\n"),
            std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(RrtcBinary, CheckConfigPrintsWarningsToStderr) {
  TempDir dir;
  dir.write("rrtc.json", R"({"signalling_port": 1})");
  Result r = run({"--check-config", "--config", "rrtc.json"}, dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err,
            "rrtc: warning: rrtc.json: signalling_port: unknown key, ignored (did you mean "
            "\"signaling_port\"?)\n");
}

TEST(RrtcBinary, BadConfigGivesOneLineAndExitStatusTwo) {
  struct Case {
    std::string file;
    std::string text;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string err;
  };
  const std::vector<Case> cases{
      {"bad.toml",
       "signaling_port = 8080\nrtc_max_port = 70000\n",
       {"bad.toml"},
       {},
       "rrtc: error: bad.toml:2: rtc_max_port: expected an integer from 1 to 65535, got 70000\n"},
      {"bad.toml",
       "log_format = \"xml\"\n",
       {"--check-config", "bad.toml"},
       {},
       "rrtc: error: bad.toml:1: log_format: expected \"text\" or \"json\", got \"xml\"\n"},
      {"bad.json",
       "{\"workers\": \"four\"}",
       {"--config", "bad.json"},
       {},
       "rrtc: error: bad.json: workers: expected an integer from 0 to 1024, got a string\n"},
      {"bad.json",
       "{\n\"workers\": 4\n\"x\": 1}",
       {"bad.json"},
       {},
       "rrtc: error: bad.json:3: invalid JSON: syntax error\n"},
      {"ok.toml",
       "",
       {"ok.toml"},
       {"SIGNALING_PORT=http"},
       "rrtc: error: environment variable SIGNALING_PORT: signaling_port: expected an integer from "
       "0 to "
       "65535, got \"http\"\n"},
      {"ok.toml", "", {"--nope"}, {}, "rrtc: error: command line: unrecognised option '--nope'\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.err);
    TempDir dir;
    dir.write(c.file, c.text);
    Result r = run(c.args, dir, c.env);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST(RrtcBinary, StartsOnLoopbackAndStopsCleanlyOnSigterm) {
  TempDir dir;
  std::vector<std::string> env = kBaseEnv;
  env.push_back("LOG_FORMAT=text");
  Child child({"--port", "0", "--listen", "127.0.0.1", "--log-level", "info"}, env, dir.path());
  ASSERT_TRUE(child.read_until([&] { return child.err().find("/ws (") != std::string::npos; }))
      << child.err();
  EXPECT_NE(child.err().find(std::string("rrtc ") + RRTC_VERSION + " listening on 127.0.0.1 port "),
            std::string::npos)
      << child.err();
  EXPECT_NE(child.err().find("open http://127.0.0.1:"), std::string::npos);
  child.signal(SIGTERM);
  EXPECT_EQ(child.finish(), 0) << child.err();
  EXPECT_NE(child.err().find("closing sessions"), std::string::npos);
  EXPECT_NE(child.err().find("[app] stopped"), std::string::npos) << child.err();
}

TEST(RrtcBinary, RaisesTheOpenFilesSoftLimitToTheHardLimit) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max <= 512) GTEST_SKIP() << "hard limit 512";
  rlimit lowered = saved;
  lowered.rlim_cur = 512;  // the child inherits it
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  TempDir dir;
  std::vector<std::string> env = kBaseEnv;
  env.push_back("LOG_FORMAT=text");
  Child child({"--port", "0", "--listen", "127.0.0.1", "--log-level", "info"}, env, dir.path());
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_TRUE(child.read_until([&] { return child.err().find("/ws (") != std::string::npos; }))
      << child.err();
  EXPECT_NE(
      child.err().find("open files limit raised from 512 to " + std::to_string(saved.rlim_max)),
      std::string::npos)
      << child.err();
  child.signal(SIGTERM);
  EXPECT_EQ(child.finish(), 0) << child.err();
}

TEST(RrtcBinary, JsonLogLinesAndExitStatusOneWhenThePortIsTaken) {
  TempDir dir;
  std::vector<std::string> env = kBaseEnv;
  env.push_back("LOG_FORMAT=json");
  Child first({"--port", "0", "--listen", "127.0.0.1"}, env, dir.path());
  ASSERT_TRUE(first.read_until([&] { return first.err().find("/ws (") != std::string::npos; }))
      << first.err();
  auto at = first.err().find("open http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos);
  std::string port = first.err().substr(at + 22, first.err().find('/', at + 22) - at - 22);
  EXPECT_EQ(first.err().rfind("{\"time\":\"", 0), 0u) << first.err();

  Result second = run({"--port", port, "--listen", "127.0.0.1"}, dir, {"LOG_FORMAT=json"});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("\"level\":\"error\""), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + port), std::string::npos) << second.err;
  first.signal(SIGINT);
  EXPECT_EQ(first.finish(), 0);
}

// A raw WebSocket client: enough to hold a session open and see how it is closed.
class WebSocketClient {
 public:
  explicit WebSocketClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~WebSocketClient() { close(fd_); }
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  bool handshake() {
    std::string request =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!connected_ ||
        write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      return false;
    }
    return read_until([&] { return received_.find("\r\n\r\n") != std::string::npos; }) &&
           received_.rfind("HTTP/1.1 101", 0) == 0;
  }

  // Waits for the server's close frame, answers it with a (masked, empty) close frame as RFC 6455
  // section 5.5.1 asks, then reads until the server closes the TCP connection. Returns what came
  // after the handshake.
  std::string close_handshake() {
    std::size_t body = received_.find("\r\n\r\n") + 4;
    read_until([&] { return received_.size() >= body + 2; });
    if (received_.size() >= body + 2 && static_cast<unsigned char>(received_[body]) == 0x88) {
      const std::array<unsigned char, 6> reply{0x88, 0x80, 0x01, 0x02, 0x03, 0x04};
      EXPECT_EQ(write(fd_, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
    }
    read_until([] { return false; });
    return received_.substr(body);
  }

 private:
  bool read_until(const std::function<bool()>& done) {
    auto deadline = Clock::now() + kDeadline;
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd fd{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
        return false;
      }
      std::array<char, 4096> buffer{};
      ssize_t n = read(fd_, buffer.data(), buffer.size());
      if (n <= 0) {
        return done();
      }
      received_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

TEST(RrtcBinary, SigtermClosesOpenSessionsWithACloseFrameAndExitsZero) {
  TempDir dir;
  Child child({"--port", "0", "--listen", "127.0.0.1"}, kBaseEnv, dir.path());
  ASSERT_TRUE(child.read_until([&] { return child.err().find("/ws (") != std::string::npos; }))
      << child.err();
  auto at = child.err().find("open http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos);
  int port = std::stoi(child.err().substr(at + 22));
  WebSocketClient client(port);
  ASSERT_TRUE(client.handshake());
  auto started = Clock::now();
  child.signal(SIGTERM);
  std::string frames = client.close_handshake();
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(frames[0]), 0x88);  // FIN + close (RFC 6455 section 5.5.1)
  EXPECT_EQ(child.finish(), 0) << child.err();
  // The shutdown backstop is 5 s; a client that is connected must not hold the process that long.
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace rrtc::app::test
