// The egress offload's cost per forwarded copy (engine/egress_offload.hpp), 1012-byte RTP
// packets (AES-CM-128-HMAC-SHA1-80), sent to a 127.0.0.1 UDP socket nobody reads (the kernel
// drops them at its full receive buffer, after the send did all its work):
//
//   BM_ProtectAndSend      today's per-copy work after the rewrite, on one thread: SRTP protect
//                          in place + sendto(2)
//   BM_HandOff             what the room's worker does instead for an offloaded subscriber:
//                          write the copy into the ring entry, commit (inside a SendRing Batch
//                          as on a worker: the wake-up's one eventfd write is amortised over a
//                          batch of 64 copies; allocating a Batch per 64 copies is included)
//   BM_DrainProtectSend    the egress worker: eventfd read, protect in place, sendto (or
//                          io_uring with /ring), release; over batches of 64 copies
//
// Both sides run on the benchmark's thread, one after the other, so each is timed alone (the
// other side's work in PauseTiming). The room worker's saving per offloaded copy is
// BM_ProtectAndSend - BM_HandOff.

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "engine/egress_offload.hpp"
#include "io/send_ring.hpp"

namespace {

using rrtc::engine::EgressOffload;
using rrtc::engine::EgressPort;
using rrtc::engine::EgressSeat;
using rrtc::srtp::SrtpDirection;
using rrtc::srtp::SrtpProfile;
using rrtc::srtp::SrtpSession;

constexpr std::size_t kBatch = 64;
constexpr std::size_t kPacket = 1012;

SrtpSession outbound() {
  const std::vector<std::uint8_t> master(30, 0x42);
  return SrtpSession::create(SrtpProfile::AesCm128HmacSha1_80, master, SrtpDirection::Outbound)
      .value();
}

std::vector<std::uint8_t> rtp_packet() {
  std::vector<std::uint8_t> packet(kPacket, 0x5a);
  const std::uint8_t header[12] = {0x80, 96, 0, 0, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
  std::memcpy(packet.data(), header, sizeof(header));
  return packet;
}

struct Udp {
  Udp() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  }
  ~Udp() { ::close(fd); }
  int fd;
  sockaddr_in address{};
};

void set_sequence(std::uint8_t* packet, std::uint16_t seq) {
  packet[2] = static_cast<std::uint8_t>(seq >> 8);
  packet[3] = static_cast<std::uint8_t>(seq);
}

void BM_ProtectAndSend(benchmark::State& state) {
  auto session = outbound();
  const auto packet = rtp_packet();
  std::vector<std::uint8_t> buffer(1500);
  Udp from;
  Udp to;
  std::uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), packet.data(), packet.size());
    set_sequence(buffer.data(), seq++);
    const auto length = session.protect_rtp(buffer, packet.size()).value();
    benchmark::DoNotOptimize(::sendto(from.fd, buffer.data(), length, MSG_DONTWAIT,
                                      reinterpret_cast<const sockaddr*>(&to.address),
                                      sizeof(to.address)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProtectAndSend);

struct Pair {
  explicit Pair(bool with_ring)
      : ring(with_ring ? rrtc::io::SendRing::create(256) : nullptr),
        producer_ring(rrtc::io::SendRing::create(8)),
        offload(2, 4096),
        producer(offload, 0),
        consumer(offload, 1) {
    consumer.set_send_ring(ring.get());
    // As on a media worker: the wake-up's Batch is open while the room hands copies off, and
    // the eventfd is written when it closes (without io_uring: at every commit).
    producer.set_send_ring(producer_ring.get());
    (void)producer.open_seat(outbound());  // worker 0's own turn
    seat = producer.open_seat(outbound());
    route = {from.fd, reinterpret_cast<const sockaddr*>(&to.address), sizeof(to.address)};
  }
  // One copy written into the ring as the Router does, and committed.
  void hand_off(const std::vector<std::uint8_t>& packet, std::uint16_t seq) {
    const auto slot = seat.slot();
    std::memcpy(slot.data(), packet.data(), packet.size());
    set_sequence(slot.data(), seq);
    seat.hand_off(slot, packet.size(), route);
  }

  std::unique_ptr<rrtc::io::SendRing> ring;
  std::unique_ptr<rrtc::io::SendRing> producer_ring;
  EgressOffload offload;
  EgressPort producer;
  EgressPort consumer;
  EgressSeat seat;
  Udp from;
  Udp to;
  rrtc::ice::IceTransport::DirectRoute route;
};

void BM_HandOff(benchmark::State& state) {
  Pair pair(false);
  const auto packet = rtp_packet();
  std::uint16_t seq = 0;
  std::size_t queued = 0;
  auto batch = std::make_unique<rrtc::io::SendRing::Batch>(pair.producer_ring.get());
  for (auto _ : state) {
    pair.hand_off(packet, seq++);
    if (++queued == kBatch) {
      batch.reset();  // the wake-up ends: one eventfd write (batch_end)
      state.PauseTiming();
      pair.consumer.drain();
      state.ResumeTiming();
      batch = std::make_unique<rrtc::io::SendRing::Batch>(pair.producer_ring.get());
      queued = 0;
    }
  }
  batch.reset();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandOff);

void BM_DrainProtectSend(benchmark::State& state) {
  Pair pair(state.range(0) != 0);
  if (state.range(0) != 0 && pair.ring == nullptr) {
    state.SkipWithError("io_uring unavailable");
    return;
  }
  const auto packet = rtp_packet();
  std::uint16_t seq = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t i = 0; i < kBatch; ++i) pair.hand_off(packet, seq++);
    pair.producer.batch_end();
    state.ResumeTiming();
    pair.consumer.drain();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_DrainProtectSend)->ArgName("ring")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
