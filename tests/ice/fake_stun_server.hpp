#pragma once
// A minimal STUN server on 127.0.0.1 for one test, served from a io::GlibLoop's context: it answers
// every Binding request with a fixed XOR-MAPPED-ADDRESS, as a server behind a NAT would see us.
// That lets a loopback test observe a server-reflexive candidate (a real server on loopback
// reports the host address, which libnice drops as redundant).

#include <cstdint>
#include <string>

#include "io/glib_loop.hpp"

namespace rrtc::ice::test {

class FakeStunServer {
 public:
  // Answers with `mapped_ip` (IPv4) and `mapped_port`.
  FakeStunServer(io::GlibLoop& loop, const std::string& mapped_ip, uint16_t mapped_port);
  ~FakeStunServer();
  FakeStunServer(const FakeStunServer&) = delete;
  FakeStunServer& operator=(const FakeStunServer&) = delete;

  uint16_t port() const { return port_; }
  int requests() const { return requests_; }

 private:
  static gboolean on_readable(gint fd, GIOCondition condition, gpointer self) noexcept;
  void answer();

  int fd_ = -1;
  uint16_t port_ = 0;
  uint32_t mapped_ip_ = 0;  // host order
  uint16_t mapped_port_ = 0;
  int requests_ = 0;
  GSource* source_ = nullptr;
};

}  // namespace rrtc::ice::test
