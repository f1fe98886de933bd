#include "io/send_ring.hpp"

#include <liburing.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "log/log.hpp"

namespace rrtc::io {
namespace {

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("ice");
  return instance;
}

struct Slot {
  sockaddr_storage to{};
  iovec vector{};
  msghdr message{};
  int fd = -1;
};

}  // namespace

struct SendRing::Impl {
  io_uring ring{};
  std::vector<Slot> slots;
  std::vector<std::uint8_t> bytes;
  std::size_t used = 0;  // slots queued since the last flush
  bool ready = false;    // io_uring_queue_init succeeded

  ~Impl() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

std::unique_ptr<SendRing> SendRing::create(std::size_t slots) {
  auto impl = std::make_unique<Impl>();
  const auto entries = static_cast<unsigned>(std::max<std::size_t>(slots, 8));
  // One thread submits, and it collects the completions itself: tell the kernel so (6.0+);
  // older kernels refuse the flags, so retry without them.
  unsigned flags = 0;
#if defined(IORING_SETUP_SINGLE_ISSUER) && defined(IORING_SETUP_COOP_TASKRUN)
  flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
#endif
  int error = io_uring_queue_init(entries, &impl->ring, flags);
  if (error == -EINVAL && flags != 0) error = io_uring_queue_init(entries, &impl->ring, 0);
  if (error < 0) {
    static std::once_flag once;
    std::call_once(once, [error] {
      logger().info("ice: io_uring unavailable ({}): media is sent with one sendto per packet",
                    std::strerror(-error));
    });
    return nullptr;
  }
  impl->ready = true;
  impl->slots.resize(entries);
  impl->bytes.resize(static_cast<std::size_t>(entries) * kSlotBytes);
  for (std::size_t i = 0; i < impl->slots.size(); ++i) {
    Slot& slot = impl->slots[i];
    slot.vector.iov_base = impl->bytes.data() + i * kSlotBytes;
    slot.message.msg_name = &slot.to;
    slot.message.msg_iov = &slot.vector;
    slot.message.msg_iovlen = 1;
  }
  return std::unique_ptr<SendRing>(new SendRing(std::move(impl)));
}

SendRing::SendRing(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

SendRing::~SendRing() { flush(); }

bool SendRing::make_room() noexcept {
  // A full ring submits what it holds first; a submit the kernel refused breaks the ring, and
  // the caller then sends the datagram itself rather than queueing it where it never leaves.
  if (!broken_ && impl_->used == impl_->slots.size()) flush();
  return !broken_;
}

std::span<std::uint8_t> SendRing::next_slot() noexcept {
  if (!batching() || !make_room()) return {};
  return std::span<std::uint8_t>(
      static_cast<std::uint8_t*>(impl_->slots[impl_->used].vector.iov_base), kSlotBytes);
}

bool SendRing::queue(int fd, const sockaddr* to, socklen_t to_length,
                     std::span<const std::uint8_t> datagram) noexcept {
  if (datagram.size() > kSlotBytes || to_length > sizeof(sockaddr_storage) || !make_room()) {
    return false;
  }
  Slot& slot = impl_->slots[impl_->used++];
  // Written in place (next_slot()): nothing to copy.
  if (datagram.data() != slot.vector.iov_base) {
    std::memcpy(slot.vector.iov_base, datagram.data(), datagram.size());
    ++copied_;
  }
  slot.vector.iov_len = datagram.size();
  std::memcpy(&slot.to, to, to_length);
  slot.message.msg_namelen = to_length;
  slot.fd = fd;
  return true;
}

bool SendRing::queue_external(int fd, const sockaddr* to, socklen_t to_length,
                              std::span<const std::uint8_t> datagram) noexcept {
  if (to_length > sizeof(sockaddr_storage) || !make_room()) return false;
  Slot& slot = impl_->slots[impl_->used++];
  // flush() points the slot back at its own bytes once this datagram has left.
  slot.vector.iov_base = const_cast<std::uint8_t*>(datagram.data());
  slot.vector.iov_len = datagram.size();
  std::memcpy(&slot.to, to, to_length);
  slot.message.msg_namelen = to_length;
  slot.fd = fd;
  return true;
}

void SendRing::flush() noexcept {
  const std::size_t count = impl_->used;
  if (count == 0) return;
  impl_->used = 0;
  io_uring* ring = &impl_->ring;
  for (std::size_t i = 0; i < count; ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);  // never null: as many entries as slots
    Slot& slot = impl_->slots[i];
    io_uring_prep_sendmsg(sqe, slot.fd, &slot.message, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  ++submits_;
  // With MSG_DONTWAIT a UDP send completes during the submit itself (-EAGAIN when the socket
  // buffer is full), so waiting for every completion does not block; the slots are free again
  // once all are in.
  int result = io_uring_submit_and_wait(ring, static_cast<unsigned>(count));
  if (result < 0 && io_uring_sq_ready(ring) > 0) {
    result = io_uring_submit_and_wait(ring, static_cast<unsigned>(count));
  }
  const unsigned unsubmitted = io_uring_sq_ready(ring);
  if (unsubmitted > 0) {
    // The kernel refuses the ring: stop using it (queue() refuses, callers use sendto).
    broken_ = true;
    failed_ += unsubmitted;
    logger().warn("ice: io_uring submit failed ({}): back to one sendto per packet",
                  std::strerror(result < 0 ? -result : EIO));
  }
  for (std::size_t done = unsubmitted; done < count; ++done) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(ring, &cqe) < 0) {
      broken_ = true;
      failed_ += count - done;
      break;
    }
    ++(cqe->res >= 0 ? sent_ : failed_);
    io_uring_cqe_seen(ring, cqe);
  }
  // Slots queue_external() pointed elsewhere get their own bytes back (next_slot() hands them).
  for (std::size_t i = 0; i < count; ++i) {
    impl_->slots[i].vector.iov_base = impl_->bytes.data() + i * kSlotBytes;
  }
}

}  // namespace rrtc::io
