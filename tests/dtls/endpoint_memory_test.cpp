// What a connected dtls::Endpoint keeps of OpenSSL's memory (issue 18: memory per subscriber).
// OpenSSL's allocations are counted through CRYPTO_set_mem_functions, which only works before
// OpenSSL's first allocation: hence a binary of its own, with the hooks installed by a static
// initializer before main().

#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "dtls/endpoint.hpp"
#include "link.hpp"

namespace {

// Each block carries its size in a 16-byte header (keeps malloc's alignment) so free can count.
constexpr std::size_t kHeader = 16;
std::size_t g_live_bytes = 0;  // one thread: the test's

void* counted_malloc(std::size_t size, const char*, int) {
  auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof size);
  g_live_bytes += size;
  return block + kHeader;
}

void counted_free(void* pointer, const char*, int) {
  if (pointer == nullptr) return;
  auto* block = static_cast<unsigned char*>(pointer) - kHeader;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof size);
  g_live_bytes -= size;
  std::free(block);
}

void* counted_realloc(void* pointer, std::size_t size, const char* file, int line) {
  if (pointer == nullptr) return counted_malloc(size, file, line);
  if (size == 0) {
    counted_free(pointer, file, line);
    return nullptr;
  }
  auto* block = static_cast<unsigned char*>(pointer) - kHeader;
  std::size_t old_size = 0;
  std::memcpy(&old_size, block, sizeof old_size);
  auto* grown = static_cast<unsigned char*>(std::realloc(block, size + kHeader));
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, &size, sizeof size);
  g_live_bytes = g_live_bytes - old_size + size;
  return grown + kHeader;
}

const bool g_hooks_installed =
    CRYPTO_set_mem_functions(&counted_malloc, &counted_realloc, &counted_free) == 1;

}  // namespace

namespace rrtc::dtls {
namespace {

using test::Link;

EndpointConfig expecting(const Certificate& peer) {
  EndpointConfig config;
  config.remote_fingerprints = {peer.fingerprint()};
  return config;
}

TEST(DtlsEndpointMemory, ConnectedPairKeepsLittleOfOpenSsl) {
  ASSERT_TRUE(g_hooks_installed) << "OpenSSL allocated before the hooks went in";
  const auto server_certificate = Certificate::generate();
  const auto client_certificate = Certificate::generate();
  ASSERT_TRUE(server_certificate && client_certificate);
  // Warm-up: OpenSSL's lazily built tables (ciphers, providers, error strings) are per process,
  // not per endpoint, so one pair goes first.
  {
    Link warm_up(server_certificate, expecting(*client_certificate), client_certificate,
                 expecting(*server_certificate));
    ASSERT_TRUE(warm_up.run_until([&] { return warm_up.both_connected(); }));
  }
  const std::size_t before = g_live_bytes;
  Link link(server_certificate, expecting(*client_certificate), client_certificate,
            expecting(*server_certificate));
  const std::size_t created = g_live_bytes - before;
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  // SCTP over DTLS both ways, as a data channel's traffic would be.
  const std::vector<std::uint8_t> record(1000, 0x5a);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(link.server().endpoint.send_application_data(record, link.now()));
    ASSERT_TRUE(link.client().endpoint.send_application_data(record, link.now()));
    link.step();
  }
  link.step();
  const std::size_t connected = g_live_bytes - before;
  std::printf("OpenSSL memory of one endpoint pair: %zu bytes created, %zu connected\n", created,
              connected);
  // Every record arrived although the record buffers come and go around each call.
  const auto records = [](const test::Side& side) {
    return std::count_if(side.events.begin(), side.events.end(), [](const Output& output) {
      return std::holds_alternative<ApplicationData>(output);
    });
  };
  EXPECT_EQ(records(link.server()), 10);
  EXPECT_EQ(records(link.client()), 10);
  // Measured with OpenSSL 3.0: 144 KB while each endpoint kept its two 16.5 KB record buffers,
  // 77.5 KB without them (each keeps the 21.8 KB handshake buffer, which DTLS never frees).
  EXPECT_LT(connected, std::size_t{96} * 1024);
}

TEST(DtlsEndpointMemory, CloseNotifyStillGoesOutAfterTheBuffersWereReleased) {
  const auto server_certificate = Certificate::generate();
  const auto client_certificate = Certificate::generate();
  Link link(server_certificate, expecting(*client_certificate), client_certificate,
            expecting(*server_certificate));
  ASSERT_TRUE(link.run_until([&] { return link.both_connected(); }));
  link.server().endpoint.close(link.now());
  ASSERT_TRUE(link.run_until([&] { return link.client().find_event<Closed>() != nullptr; }));
  EXPECT_EQ(link.client().endpoint.state(), EndpointState::Closed);
}

}  // namespace
}  // namespace rrtc::dtls
