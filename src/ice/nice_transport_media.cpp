// NiceTransport's media socket: the selected pair's RTP and RTCP read many per recvmmsg beside
// libnice (ice/media_socket.hpp says how STUN still reaches libnice), and delivered to the
// listener as libnice's receive callback would: only from the selected remote, only while
// connected, with the consent clock updated and a pending Connected delivered first.

#include <nice/agent.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "ice/nice_transport.hpp"

namespace rrtc::ice {
namespace {

// A wake-up reads at most this many batches, so one busy socket cannot starve the others; the
// rest waits for the next poll (the source is level-triggered).
constexpr guint kComponent = 1;  // RTP and RTCP are muxed: the stream's one component
constexpr int kMaxBatchesPerWakeup = 8;
// An unknown source is looked up among libnice's remote candidates at most this often.
constexpr time::Duration kRemoteLookupInterval{100'000};

time::Timestamp coarse_now() noexcept {
  timespec coarse{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &coarse);
  return time::Timestamp(
      time::Duration(static_cast<int64_t>(coarse.tv_sec) * 1'000'000 + coarse.tv_nsec / 1'000));
}

bool rtp_or_rtcp(std::span<const uint8_t> datagram) noexcept {
  return !datagram.empty() && datagram[0] >= 128 && datagram[0] <= 191;
}

// RRTC_BATCHED_RECEIVE=0 leaves every datagram to libnice's receive path (for comparison runs,
// and as a way out should a kernel or a peer misbehave with the media socket).
bool media_socket_enabled() noexcept {
  const char* value = std::getenv("RRTC_BATCHED_RECEIVE");
  return value == nullptr || std::string_view(value) != "0";
}

}  // namespace

void NiceTransport::sync_media_socket() noexcept {
  if (direct_.fd < 0 || closed_ || !media_socket_enabled()) {
    close_media_socket();
    return;
  }
  if (media_ != nullptr && media_->shared_fd() == direct_.fd) {
    return;  // same local socket: only the remote (direct_.to) may have moved
  }
  close_media_socket();
  media_ = MediaSocket::join(direct_.fd);
  if (media_ == nullptr) {
    return;
  }
  ++media_generation_;
  // Read on every media packet, through the worker's one set of media sockets: GLib polls and
  // walks one source for all of them (io/readable_set.hpp says why).
  media_watch_ = io::ReadableWatch::watch(loop_.context(), media_->fd(), &on_media_readable, this);
  if (!media_watch_.active()) {
    close_media_socket();  // the kernel refused: libnice's socket gets everything, as before
  }
}

void NiceTransport::close_media_socket() noexcept {
  media_watch_.reset();
  if (media_ != nullptr) {
    media_.reset();
    ++media_generation_;
  }
}

void NiceTransport::on_media_readable(void* self) noexcept {
  static_cast<NiceTransport*>(self)->read_media();
}

void NiceTransport::read_media() noexcept {
  MediaSocket::ReceiveBuffers& buffers = MediaSocket::buffers();
  if (buffers.in_use) {
    return;  // a read inside a listener callback: the next wake-up reads it
  }
  buffers.in_use = true;
  const uint64_t generation = media_generation_;
  for (int batch = 0; batch < kMaxBatchesPerWakeup; ++batch) {
    const std::size_t count = media_->receive(buffers);
    if (count == 0) {
      break;
    }
    ++media_reads_.calls;
    media_reads_.datagrams += count;
    bool heard = false;
    for (std::size_t i = 0; i < count; ++i) {
      std::span<uint8_t> datagram = buffers.datagram(i);
      // Heard from the selected pair's remote or another remote candidate of this stream (the
      // peer may send on another valid pair: Chromium's media came from another port than the
      // pair libnice selected); anything else is dropped, as libnice does.
      if (buffers.truncated(i) || !rtp_or_rtcp(datagram) || !known_remote(buffers.from[i])) {
        ++media_reads_.dropped;
        continue;
      }
      if (!nice_connected_) {
        ++dropped_before_connected_;
        continue;
      }
      if (!heard) {
        heard = true;
        last_inbound_ = coarse_now();
        // Deliver a pending Connected before the first datagram, so the Peer sees them in order.
        if (!events_.empty()) {
          dispatch_events_guarded();
          if (closed_ || generation != media_generation_) {
            break;
          }
        }
      }
      if (listener_ != nullptr) {
        listener_->on_datagram(datagram);
      }
      // The listener closed us, or the pair moved: what is left belongs to no one now.
      if (closed_ || generation != media_generation_) {
        break;
      }
    }
    if (closed_ || generation != media_generation_ || count < MediaSocket::kBatch) {
      break;
    }
  }
  buffers.in_use = false;
}

bool NiceTransport::known_remote(const sockaddr_storage& from) noexcept {
  if (same_endpoint(from, direct_.to)) return true;
  for (std::size_t i = 0; i < other_remotes_count_; ++i) {
    if (same_endpoint(from, other_remotes_[i])) return true;
  }
  const time::Timestamp now = coarse_now();
  if (now - last_remote_lookup_ < kRemoteLookupInterval) return false;
  last_remote_lookup_ = now;
  bool found = false;
  GSList* candidates = nice_agent_get_remote_candidates(agent_, stream_id_, kComponent);
  for (GSList* item = candidates; item != nullptr; item = item->next) {
    auto* candidate = static_cast<NiceCandidate*>(item->data);
    sockaddr_storage address{};
    nice_address_copy_to_sockaddr(&candidate->addr, reinterpret_cast<sockaddr*>(&address));
    found = found || same_endpoint(from, address);
    nice_candidate_free(candidate);
  }
  g_slist_free(candidates);
  if (found) {
    other_remotes_[other_remotes_count_ % other_remotes_.size()] = from;
    other_remotes_count_ = std::min(other_remotes_count_ + 1, other_remotes_.size());
  }
  return found;
}

}  // namespace rrtc::ice
