#pragma once
// The sender side: one publisher's packets fanned out to N subscribers on the calling thread,
// the way an SFU's media worker does it, in one of the variants of options.hpp.
//
// Threading: construct and run on the sender thread (SRTP sessions belong to one thread).

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "srtp/session.hpp"
#include "options.hpp"
#include "receivers.hpp"
#include "thread_cpu.hpp"
#include "udp_socket.hpp"

namespace rrtc::floor_bench {

struct Measurement {
  Variant variant = Variant::copy;
  unsigned subscribers = 0;
  std::uint64_t packets = 0;  // copies handled; for variants that send, copies the kernel took
  std::uint64_t send_errors = 0;
  std::uint64_t protect_errors = 0;
  double wall_s = 0;
  ThreadCpu cpu;               // the sender thread's, over the timed loop only
  double softirq_s = -1;       // charged to softirq on the sender's core meanwhile; < 0: unknown
  double ksoftirqd_s = -1;     // ksoftirqd on the sender's core meanwhile; < 0: unknown
  std::uint64_t received = 0;  // by the receivers, after the drain (variants that send)
};

class FanOut {
 public:
  // Creates every subscriber's outbound SRTP session; throws if one cannot be created.
  FanOut(const Options& options, const Receivers& receivers);

  // Runs `variant` for options.seconds, then waits for the receivers to drain.
  Measurement run(Variant variant);

 private:
  struct Subscriber {
    srtp::SrtpSession srtp;
    std::uint32_t ssrc;
    std::uint16_t sequence;
    std::uint32_t timestamp_offset;
    sockaddr_in destination;
  };
  struct Counts {
    std::uint64_t packets = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t protect_errors = 0;
  };

  std::size_t rewrite(const std::vector<std::uint8_t>& incoming, Subscriber& subscriber,
                      std::uint8_t* egress) noexcept;
  // Rewrites and protects into `egress`; returns the protected length, 0 if protect failed.
  std::size_t protect(const std::vector<std::uint8_t>& incoming, Subscriber& subscriber,
                      std::uint8_t* egress, Counts& counts) noexcept;
  void open_sockets(Variant variant);
  // This variant's sockets and egress buffers, outside the timed loop.
  void prepare(Variant variant);
  Counts fan_out(Variant variant);
  template <Variant kVariant>
  Counts fan_out();
  // Subscriber `index`'s copy of `incoming`, as `kVariant` makes and sends it.
  template <Variant kVariant>
  void copy_once(std::size_t index, const std::vector<std::uint8_t>& incoming,
                 Counts& counts) noexcept;
  template <typename PerCopy, typename PerIncoming>
  void loop(PerCopy per_copy, PerIncoming per_incoming);
  void send_batch(std::size_t count, Counts& counts) noexcept;
  void submit_ring(std::size_t count, Counts& counts) noexcept;

  const Options& options_;
  const Receivers& receivers_;
  std::vector<std::vector<std::uint8_t>> incoming_;  // the publisher's packets, reused in turn
  std::vector<Subscriber> subscribers_;
  std::size_t stride_;                // one egress buffer: header + payload + SRTP tag
  std::vector<std::uint8_t> egress_;  // one buffer, or one per subscriber for sendmmsg
  std::vector<UdpSocket> sockets_;    // this variant's: one per subscriber, or one shared
  std::vector<iovec> iovecs_;         // sendmmsg-shared only
  std::vector<mmsghdr> messages_;     // sendmmsg-shared and io-uring
  struct Ring;
  struct RingExit {
    void operator()(Ring* ring) const noexcept;
  };
  std::unique_ptr<Ring, RingExit> ring_;  // io-uring only
  std::vector<int> batch_fds_;            // io-uring: each batched message's socket
  std::size_t batched_ = 0;           // messages_ filled for the current incoming packet
};

}  // namespace rrtc::floor_bench
