// SRTP / SRTCP cost per packet over libsrtp2 for both DTLS-SRTP profiles.
//
// Each iteration copies the plaintext (or protected) packet into a work buffer first, because
// libsrtp2 works in place; the copy (about 20 ns for 1.2 KB) is included in the time reported.
// Unprotect runs over a batch of packets protected beforehand with increasing sequence numbers;
// when the batch is used up a fresh inbound session is created outside the timed region, since
// a second pass would be rejected as replays.

#include <benchmark/benchmark.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "dtls/srtp_session.hpp"

namespace {

using rrtc::dtls::SrtpDirection;
using rrtc::dtls::SrtpProfile;
using rrtc::dtls::SrtpSession;

constexpr std::size_t kBatch = 2048;

std::vector<std::uint8_t> master_for(SrtpProfile profile) {
  std::vector<std::uint8_t> master(rrtc::dtls::master_key_length(profile) +
                                   rrtc::dtls::master_salt_length(profile));
  std::iota(master.begin(), master.end(), std::uint8_t{42});
  return master;
}

SrtpSession session_for(SrtpProfile profile, SrtpDirection direction) {
  return SrtpSession::create(profile, master_for(profile), direction).value();
}

// An RTP packet of `size` bytes in total (12-byte header).
std::vector<std::uint8_t> rtp_packet(std::size_t size) {
  std::vector<std::uint8_t> packet(size, 0x5a);
  const std::uint8_t header[12] = {0x80, 96, 0, 0, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
  std::memcpy(packet.data(), header, sizeof(header));
  return packet;
}

void set_sequence(std::vector<std::uint8_t>& packet, std::uint16_t sequence) {
  packet[2] = static_cast<std::uint8_t>(sequence >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence);
}

// An RTCP packet of `size` bytes (a multiple of 4): one APP-like packet with a valid length.
std::vector<std::uint8_t> rtcp_packet(std::size_t size) {
  std::vector<std::uint8_t> packet(size, 0x33);
  const std::size_t words = size / 4 - 1;
  const std::uint8_t header[8] = {0x80,
                                  204,
                                  static_cast<std::uint8_t>(words >> 8),
                                  static_cast<std::uint8_t>(words),
                                  0x11,
                                  0x22,
                                  0x33,
                                  0x44};
  std::memcpy(packet.data(), header, sizeof(header));
  return packet;
}

void finish(benchmark::State& state, std::size_t size) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void protect_rtp(benchmark::State& state, SrtpProfile profile) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto session = session_for(profile, SrtpDirection::Outbound);
  auto plain = rtp_packet(size);
  std::vector<std::uint8_t> buffer(size + rrtc::dtls::kMaxSrtpOverhead);
  std::uint16_t sequence = 0;
  for (auto _ : state) {
    set_sequence(plain, sequence++);
    std::memcpy(buffer.data(), plain.data(), size);
    auto length = session.protect_rtp(buffer, size);
    if (!length) state.SkipWithError("protect failed");
    benchmark::DoNotOptimize(length);
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

// Protected copies of `count` consecutive packets made by `make` and `protect`.
template <typename Make, typename Protect>
std::vector<std::vector<std::uint8_t>> protected_batch(Make make, Protect protect) {
  std::vector<std::vector<std::uint8_t>> batch;
  for (std::size_t i = 0; i < kBatch; ++i) {
    auto packet = make(i);
    const std::size_t plain_size = packet.size();
    packet.resize(plain_size + rrtc::dtls::kMaxSrtcpOverhead);
    packet.resize(protect(packet, plain_size));
    batch.push_back(std::move(packet));
  }
  return batch;
}

template <typename Unprotect>
void unprotect_loop(benchmark::State& state, SrtpProfile profile,
                    const std::vector<std::vector<std::uint8_t>>& batch, Unprotect unprotect) {
  auto session = session_for(profile, SrtpDirection::Inbound);
  std::vector<std::uint8_t> buffer(batch.front().size());
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      session = session_for(profile, SrtpDirection::Inbound);
      next = 0;
      state.ResumeTiming();
    }
    const auto& packet = batch[next++];
    std::memcpy(buffer.data(), packet.data(), packet.size());
    auto length = unprotect(session, buffer, packet.size());
    if (!length) state.SkipWithError("unprotect failed");
    benchmark::DoNotOptimize(length);
    benchmark::ClobberMemory();
  }
}

void unprotect_rtp(benchmark::State& state, SrtpProfile profile) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto sender = session_for(profile, SrtpDirection::Outbound);
  const auto batch = protected_batch(
      [&](std::size_t i) {
        auto packet = rtp_packet(size);
        set_sequence(packet, static_cast<std::uint16_t>(i));
        return packet;
      },
      [&](std::vector<std::uint8_t>& packet, std::size_t length) {
        return sender.protect_rtp(packet, length).value();
      });
  unprotect_loop(state, profile, batch,
                 [](SrtpSession& session, std::vector<std::uint8_t>& buffer, std::size_t length) {
                   return session.unprotect_rtp(buffer, length);
                 });
  finish(state, size);
}

void protect_rtcp(benchmark::State& state, SrtpProfile profile) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto session = session_for(profile, SrtpDirection::Outbound);
  const auto plain = rtcp_packet(size);
  std::vector<std::uint8_t> buffer(size + rrtc::dtls::kMaxSrtcpOverhead);
  for (auto _ : state) {
    std::memcpy(buffer.data(), plain.data(), size);
    auto length = session.protect_rtcp(buffer, size);  // libsrtp2 advances the SRTCP index itself
    if (!length) state.SkipWithError("protect failed");
    benchmark::DoNotOptimize(length);
    benchmark::ClobberMemory();
  }
  finish(state, size);
}

void unprotect_rtcp(benchmark::State& state, SrtpProfile profile) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto sender = session_for(profile, SrtpDirection::Outbound);
  const auto batch = protected_batch([&](std::size_t) { return rtcp_packet(size); },
                                     [&](std::vector<std::uint8_t>& packet, std::size_t length) {
                                       return sender.protect_rtcp(packet, length).value();
                                     });
  unprotect_loop(state, profile, batch,
                 [](SrtpSession& session, std::vector<std::uint8_t>& buffer, std::size_t length) {
                   return session.unprotect_rtcp(buffer, length);
                 });
  finish(state, size);
}

constexpr auto kGcm = SrtpProfile::AeadAes128Gcm;
constexpr auto kCm = SrtpProfile::AesCm128HmacSha1_80;

BENCHMARK_CAPTURE(protect_rtp, aead_aes_128_gcm, kGcm)->Arg(1200);
BENCHMARK_CAPTURE(protect_rtp, aes_cm_128_hmac_sha1_80, kCm)->Arg(1200);
BENCHMARK_CAPTURE(unprotect_rtp, aead_aes_128_gcm, kGcm)->Arg(1200);
BENCHMARK_CAPTURE(unprotect_rtp, aes_cm_128_hmac_sha1_80, kCm)->Arg(1200);
BENCHMARK_CAPTURE(protect_rtcp, aead_aes_128_gcm, kGcm)->Arg(100)->Arg(1200);
BENCHMARK_CAPTURE(protect_rtcp, aes_cm_128_hmac_sha1_80, kCm)->Arg(100)->Arg(1200);
BENCHMARK_CAPTURE(unprotect_rtcp, aead_aes_128_gcm, kGcm)->Arg(100)->Arg(1200);
BENCHMARK_CAPTURE(unprotect_rtcp, aes_cm_128_hmac_sha1_80, kCm)->Arg(100)->Arg(1200);

}  // namespace

BENCHMARK_MAIN();
