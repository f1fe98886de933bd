#include "coturn_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace rrtc::ice::test {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port free for both UDP and TCP right now (the kernel's choice for UDP, checked for TCP).
uint16_t free_port() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(udp);
      continue;
    }
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    bool tcp_free = bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(tcp);
    ::close(udp);
    if (tcp_free) {
      return ntohs(address.sin_port);
    }
  }
  return 0;
}

// RFC 8489 section 5: a Binding request, 20-byte header, no attributes.
std::array<uint8_t, 20> binding_request() {
  std::array<uint8_t, 20> message{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  for (std::size_t i = 8; i < message.size(); ++i) {
    message[i] = static_cast<uint8_t>(i * 7);
  }
  return message;
}

bool accepts_tcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to = loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  ::close(fd);
  return ok;
}

// Ready once coturn answers a STUN Binding request on UDP and accepts TCP. Each round waits up
// to 100 ms for the STUN answer on the socket.
bool wait_for_server(uint16_t port, std::chrono::steady_clock::time_point deadline) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to = loopback(port);
  std::array<uint8_t, 20> request = binding_request();
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) == 1) {
      std::array<uint8_t, 1500> response{};
      ssize_t n = recv(fd, response.data(), response.size(), 0);
      bool answered = n >= 20 && response[0] == 0x01 && response[1] == 0x01;  // Binding success
      ready = answered && accepts_tcp(port);
    }
  }
  ::close(fd);
  return ready;
}

}  // namespace

CoturnProcess::~CoturnProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!dir_.empty()) {
    std::remove((dir_ + "/turn.log").c_str());
    std::remove((dir_ + "/turn.pid").c_str());
    std::remove((dir_ + "/turndb").c_str());
    rmdir(dir_.c_str());
  }
}

bool CoturnProcess::start() {
  std::string templ = "/tmp/rrtc-coturn-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    error_ = "mkdtemp failed";
    return false;
  }
  dir_ = templ;
  port_ = free_port();
  // Relay ports: a range per process, away from the kernel's ephemeral range.
  min_relay_port_ = static_cast<uint16_t>(20000 + (getpid() % 400) * 20);
  max_relay_port_ = static_cast<uint16_t>(min_relay_port_ + 19);
  std::vector<std::string> args = {"/usr/bin/turnserver",
                                   "-n",
                                   "--listening-ip=127.0.0.1",
                                   "--relay-ip=127.0.0.1",
                                   "--listening-port=" + std::to_string(port_),
                                   "--lt-cred-mech",
                                   std::string("--user=") + kUser + ":" + kPassword,
                                   "--realm=rrtc",
                                   "--no-tls",
                                   "--no-dtls",
                                   "--allow-loopback-peers",
                                   "--no-cli",
                                   "--log-file=stdout",
                                   "--simple-log",
                                   "--pidfile=" + dir_ + "/turn.pid",
                                   "--userdb=" + dir_ + "/turndb",
                                   "--min-port=" + std::to_string(min_relay_port_),
                                   "--max-port=" + std::to_string(max_relay_port_)};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string log_path = dir_ + "/turn.log";
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    error_ = "posix_spawn /usr/bin/turnserver failed";
    return false;
  }
  return wait_ready();
}

bool CoturnProcess::wait_ready() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  if (!wait_for_server(port_, deadline)) {
    error_ = "turnserver did not come up on port " + std::to_string(port_) + "\n" + log();
    return false;
  }
  return true;
}

std::string CoturnProcess::log() const {
  std::ifstream file(dir_ + "/turn.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace rrtc::ice::test
