#include "fake_stun_server.hpp"

#include <arpa/inet.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace rrtc::ice::test {
namespace {

constexpr uint32_t kMagicCookie = 0x2112A442;

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

// CRC-32 (ISO 3309, as zlib), bit by bit: a test answers a handful of requests.
uint32_t crc32(const uint8_t* data, std::size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

}  // namespace

FakeStunServer::FakeStunServer(io::GlibLoop& loop, const std::string& mapped_ip, uint16_t mapped_port)
    : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)), mapped_port_(mapped_port) {
  in_addr mapped{};
  inet_pton(AF_INET, mapped_ip.c_str(), &mapped);
  mapped_ip_ = ntohl(mapped.s_addr);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port_ = ntohs(address.sin_port);
  }
  source_ = g_unix_fd_source_new(fd_, G_IO_IN);
  g_source_set_callback(source_, G_SOURCE_FUNC(&FakeStunServer::on_readable), this, nullptr);
  g_source_attach(source_, loop.context());
}

FakeStunServer::~FakeStunServer() {
  g_source_destroy(source_);
  g_source_unref(source_);
  ::close(fd_);
}

gboolean FakeStunServer::on_readable(gint /*fd*/, GIOCondition /*condition*/,
                                     gpointer self) noexcept {
  static_cast<FakeStunServer*>(self)->answer();
  return G_SOURCE_CONTINUE;
}

// RFC 8489 section 14.2 (XOR-MAPPED-ADDRESS) and 14.7 (FINGERPRINT):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0|0|     STUN Message Type     |         Message Length        |
//  |                         Magic Cookie                          |
//  |                     Transaction ID (96 bits)                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
//  |                X-Address (32 bits)                            |
void FakeStunServer::answer() {
  std::array<uint8_t, 1500> request{};
  sockaddr_in from{};
  socklen_t from_length = sizeof from;
  ssize_t n = recvfrom(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&from),
                       &from_length);
  if (n < 20 || request[0] != 0x00 || request[1] != 0x01) {
    return;  // not a Binding request
  }
  ++requests_;
  std::array<uint8_t, 20 + 12 + 8> response{};
  put16(&response[0], 0x0101);                 // Binding success response
  put16(&response[2], 12 + 8);                 // XOR-MAPPED-ADDRESS + FINGERPRINT
  std::memcpy(&response[4], &request[4], 16);  // magic cookie and transaction id
  put16(&response[20], 0x0020);
  put16(&response[22], 8);
  response[25] = 0x01;  // IPv4
  put16(&response[26], static_cast<uint16_t>(mapped_port_ ^ (kMagicCookie >> 16)));
  put32(&response[28], mapped_ip_ ^ kMagicCookie);
  put16(&response[32], 0x8028);
  put16(&response[34], 4);
  put32(&response[36], crc32(response.data(), 32) ^ 0x5354554E);
  sendto(fd_, response.data(), response.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
}

}  // namespace rrtc::ice::test
