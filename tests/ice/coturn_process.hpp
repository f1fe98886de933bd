#pragma once
// A real coturn (/usr/bin/turnserver) on 127.0.0.1 for one test: long-term credentials u:p,
// realm "rrtc", UDP and TCP on a free port, relay ports in a range picked per process. Killed
// (SIGKILL, this child only) when the object goes away.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace rrtc::ice::test {

class CoturnProcess {
 public:
  static constexpr const char* kUser = "u";
  static constexpr const char* kPassword = "p";

  CoturnProcess() = default;
  ~CoturnProcess();
  CoturnProcess(const CoturnProcess&) = delete;
  CoturnProcess& operator=(const CoturnProcess&) = delete;

  // Starts turnserver and waits (up to 10 s) until it answers a STUN Binding request on UDP and
  // accepts a TCP connection. False with `error()` set otherwise.
  bool start();

  uint16_t port() const { return port_; }
  uint16_t min_relay_port() const { return min_relay_port_; }
  uint16_t max_relay_port() const { return max_relay_port_; }
  const std::string& error() const { return error_; }
  // coturn's own log, for failure messages.
  std::string log() const;

 private:
  bool wait_ready();

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t min_relay_port_ = 0;
  uint16_t max_relay_port_ = 0;
  std::string dir_;
  std::string error_;
};

}  // namespace rrtc::ice::test
