#pragma once
// Per-worker media counters for /metrics. Single writer: only the owning worker's thread adds
// (relaxed load + store, no read-modify-write across threads); any thread may read them with
// relaxed loads. The sum over workers is a snapshot, each value exact at some recent instant.

#include <atomic>
#include <cstdint>
#include <span>
#include <string>

namespace rrtc::room {

// A counter with one writing thread.
class SingleWriterCounter {
 public:
  void add(std::uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void increment() noexcept { add(1); }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// The media kind an RTP packet belongs to, from its payload type and the negotiated m-lines.
enum class RtpKind : std::uint8_t { audio, video, unknown };
inline constexpr std::size_t kRtpKinds = 3;
const char* to_string(RtpKind kind) noexcept;

struct WorkerCounters {
  SingleWriterCounter peers_created;
  SingleWriterCounter peers_connected;
  SingleWriterCounter peers_failed;  // ICE or DTLS failure, or the client closed
  SingleWriterCounter peers_active;  // gauge: add on create, "sub" through peers_released
  SingleWriterCounter peers_released;
  SingleWriterCounter offers_rejected;     // unparsable or unusable SDP
  SingleWriterCounter datagrams_received;  // everything ICE delivered
  SingleWriterCounter bytes_received;
  SingleWriterCounter rtp_packets[kRtpKinds];  // received and decrypted
  SingleWriterCounter rtp_bytes[kRtpKinds];
  SingleWriterCounter rtcp_packets;  // received and decrypted
  SingleWriterCounter decrypt_failures;
  SingleWriterCounter replays;
  SingleWriterCounter packets_sent;  // SRTP + SRTCP handed to ICE
  SingleWriterCounter send_failures;
};

// Appends the Prometheus text exposition (# HELP, # TYPE, samples) of the sum over `workers`.
void append_metrics(std::span<const WorkerCounters* const> workers, std::string& out);

}  // namespace rrtc::room
