#pragma once
// Batched UDP sends through io_uring: the copies of one forwarded packet go to their
// subscribers' sockets (one per peer, as libnice makes them) in one io_uring_enter(2), where
// sendto(2) would take one system call each. sendmmsg(2) cannot do this: it takes one socket.
// Measured with rrtc-floor (bench/README.md): 0.5-0.9 µs less kernel CPU per packet than
// sendto, about what a single-socket sendmmsg saves.
//
// Use: a Batch scope around a burst of sends (MediaRoom wraps each packet's fan-out);
// NiceTransport::send queues into the ring while a batch is open and sends at once otherwise.
// Queued datagrams are copied into the ring's own slots, so callers may reuse their buffers
// (or written there in the first place: next_slot(), the forwarded copies' one write); they go
// out when the outermost Batch closes, or earlier when the slots run out. Sends use
// MSG_DONTWAIT: a full socket buffer drops the datagram (as sendto would) instead of stalling
// the worker.
//
// io_uring may be missing (old kernel, kernel.io_uring_disabled, a seccomp profile such as
// Docker's default): create() then returns nullptr and callers send with sendto.
//
// Threading: one ring per media worker, created and used on the worker's thread only.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace rrtc::io {

class SendRing {
 public:
  static constexpr std::size_t kDefaultSlots = 1024;
  static constexpr std::size_t kSlotBytes = 1500;  // larger datagrams are sent at once

  // nullptr when io_uring is unavailable (logged once per process).
  static std::unique_ptr<SendRing> create(std::size_t slots = kDefaultSlots);
  ~SendRing();
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  class Batch {
   public:
    explicit Batch(SendRing* ring) noexcept : ring_(ring) {
      if (ring_ != nullptr) ++ring_->depth_;
    }
    ~Batch() {
      if (ring_ != nullptr && --ring_->depth_ == 0) {
        ring_->flush();
        if (ring_->batch_end_ != nullptr) ring_->batch_end_(ring_->batch_end_arg_);
      }
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    SendRing* ring_;
  };

  // A Batch is open and the ring works: sends should be queued.
  bool batching() const noexcept { return depth_ > 0 && !broken_; }

  // The slot the next queue() fills (kSlotBytes), for writing a datagram straight into it: a
  // queue() of bytes that start there takes them without copying. Empty when no Batch is open
  // or the ring stopped working. Nothing is reserved: a slot never queued is simply reused.
  std::span<std::uint8_t> next_slot() noexcept;
  // Queues `datagram` for `fd` to `to`, copied into a slot unless it was written into the one
  // next_slot() gave. False (nothing queued) when it is larger than a slot or the ring stopped
  // working; the caller then sends it itself.
  bool queue(int fd, const sockaddr* to, socklen_t to_length,
             std::span<const std::uint8_t> datagram) noexcept;
  // Like queue(), but the slot points at `datagram` instead of copying it: the caller keeps
  // those bytes unchanged until the next flush() returns (call it explicitly before releasing
  // them). For a worker that sends datagrams another worker wrote (engine/egress_offload.hpp).
  bool queue_external(int fd, const sockaddr* to, socklen_t to_length,
                      std::span<const std::uint8_t> datagram) noexcept;
  // Submits what is queued and collects the results.
  void flush() noexcept;
  // Called (on the ring's thread) each time the outermost Batch closes, after its flush: once
  // per worker wake-up. One hook; nullptr removes it.
  void set_batch_end(void (*hook)(void*) noexcept, void* arg) noexcept {
    batch_end_ = hook;
    batch_end_arg_ = arg;
  }

  std::uint64_t sent() const noexcept { return sent_; }
  std::uint64_t failed() const noexcept { return failed_; }  // dropped by the kernel
  std::uint64_t submits() const noexcept { return submits_; }
  std::uint64_t copied() const noexcept { return copied_; }  // queued from another buffer

 private:
  struct Impl;
  explicit SendRing(std::unique_ptr<Impl> impl) noexcept;
  // A free slot for the next datagram (flushing a full ring); false once the ring is broken.
  bool make_room() noexcept;

  std::unique_ptr<Impl> impl_;
  unsigned depth_ = 0;
  bool broken_ = false;  // the kernel refused a submit: never used again
  void (*batch_end_)(void*) noexcept = nullptr;
  void* batch_end_arg_ = nullptr;
  std::uint64_t sent_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t submits_ = 0;
  std::uint64_t copied_ = 0;
};

}  // namespace rrtc::io
