#include "sctp/association.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "sctp/packet_check.hpp"
#include "sctp/usrsctp_stack.hpp"

namespace rrtc::sctp {
namespace {

using detail::Stack;

// usrsctp's path MTU for an AF_CONN address counts everything but the 12-byte common header.
constexpr std::uint32_t kPathMtu = static_cast<std::uint32_t>(kMaxSctpPacketSize) - 12;
// One DTLS record carries one SCTP packet; anything larger is not ours.
constexpr std::size_t kMaxPacket = std::size_t{16} * 1024 + 256u;
// usrsctp's socket buffers: the send buffer must hold the largest message we send whole
// (usrsctp refuses a bigger one with EMSGSIZE); the receive buffer is the advertised window.
constexpr std::size_t kMinSocketBuffer = std::size_t{1024} * 1024;

// usrsctp wants a void* address; ours is an id that is never dereferenced.
// NOLINTNEXTLINE(performance-no-int-to-ptr)
void* as_address(std::uintptr_t id) noexcept { return reinterpret_cast<void*>(id); }

struct sockaddr_conn conn_address(std::uintptr_t id, std::uint16_t port) noexcept {
  struct sockaddr_conn address {};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = as_address(id);
  return address;
}

template <typename T>
bool set_option(struct socket* socket, int level, int name, const T& value) noexcept {
  return usrsctp_setsockopt(socket, level, name, &value, static_cast<socklen_t>(sizeof(T))) == 0;
}

}  // namespace

const char* to_string(AssociationState state) noexcept {
  switch (state) {
    case AssociationState::New:
      return "new";
    case AssociationState::Connecting:
      return "connecting";
    case AssociationState::Up:
      return "up";
    case AssociationState::Closed:
      return "closed";
    case AssociationState::Failed:
      return "failed";
  }
  return "unknown";
}

Association::Association(const AssociationConfig& config, AssociationListener& listener)
    : config_(config), listener_(listener), mailbox_(std::make_unique<detail::Mailbox>()) {
  config_.max_message_size =
      std::clamp<std::size_t>(config_.max_message_size, 1, kUnlimitedMessageSize);
  config_.remote_max_message_size =
      std::clamp<std::size_t>(config_.remote_max_message_size, 1, kUnlimitedMessageSize);
  config_.max_streams = std::max<std::uint16_t>(config_.max_streams, 2);

  const Stack::Lock lock;
  address_ = Stack::instance().add(*mailbox_);
  usrsctp_register_address(as_address(address_));
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &Stack::on_receive, nullptr, 0,
                           as_address(address_));
  if (socket_ == nullptr) {
    state_ = AssociationState::Failed;
    reason_ = "usrsctp_socket failed";
    return;
  }
  configure_socket();
}

Association::~Association() { release(false); }

std::size_t Association::live_count() {
  const Stack::Lock lock;
  return Stack::instance().live_associations();
}

void Association::configure_socket() {
  // Called with the stack mutex held. A failed option leaves the usrsctp default, which still
  // works; only bind decides.
  usrsctp_set_non_blocking(socket_, 1);
  const int on = 1;
  set_option(socket_, IPPROTO_SCTP, SCTP_NODELAY, on);
  set_option(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on);
  struct sctp_assoc_value reset {};
  reset.assoc_id = SCTP_FUTURE_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  set_option(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset);
  for (const std::uint16_t type :
       {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_SHUTDOWN_EVENT,
        SCTP_REMOTE_ERROR}) {
    struct sctp_event event {};
    event.se_assoc_id = SCTP_FUTURE_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    set_option(socket_, IPPROTO_SCTP, SCTP_EVENT, event);
  }
  struct sctp_initmsg init {};
  init.sinit_num_ostreams = config_.max_streams;
  init.sinit_max_instreams = config_.max_streams;
  set_option(socket_, IPPROTO_SCTP, SCTP_INITMSG, init);
  const int send_buffer = static_cast<int>(
      std::max(kMinSocketBuffer, config_.remote_max_message_size + std::size_t{64} * 1024));
  const int receive_buffer = static_cast<int>(kMinSocketBuffer);
  set_option(socket_, SOL_SOCKET, SO_SNDBUF, send_buffer);
  set_option(socket_, SOL_SOCKET, SO_RCVBUF, receive_buffer);
  struct sctp_paddrparams path {};
  path.spp_assoc_id = SCTP_FUTURE_ASSOC;
  path.spp_flags = SPP_PMTUD_DISABLE;
  path.spp_pathmtu = kPathMtu;
  set_option(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path);
  struct sockaddr_conn local = conn_address(address_, config_.local_port);
  if (usrsctp_bind(socket_, reinterpret_cast<struct sockaddr*>(&local), sizeof(local)) != 0) {
    state_ = AssociationState::Failed;
    reason_ = "usrsctp_bind failed";
  }
}

void Association::start(time::Timestamp now) {
  if (started_ || address_ == 0 || state_ != AssociationState::New) return;
  started_ = true;
  last_tick_ = now;
  {
    const Stack::Lock lock;
    Stack::instance().advance(now);
    struct sockaddr_conn remote = conn_address(address_, config_.remote_port);
    const int rc =
        usrsctp_connect(socket_, reinterpret_cast<struct sockaddr*>(&remote), sizeof(remote));
    if (rc != 0 && errno != EINPROGRESS) {
      state_ = AssociationState::Failed;
      reason_ = "usrsctp_connect failed";
      return;
    }
  }
  if (state_ == AssociationState::New) state_ = AssociationState::Connecting;
  drain(false);
}

void Association::handle_packet(std::span<const std::uint8_t> packet, time::Timestamp now) {
  if (address_ == 0 || packet.empty() || packet.size() > kMaxPacket ||
      !well_formed_packet(packet)) {
    ++counters_.packets_dropped;
    detail::Stack::on_refused_packet();
    return;
  }
  ++counters_.packets_in;
  active_ = true;
  last_active_ = now;
  // Application data only flows once DTLS is connected, so input before start() means the
  // remote's INIT beat our own DTLS "connected" event: start now, or the INIT would find a
  // socket that neither listens nor connects and be answered with an ABORT.
  if (!started_) start(now);
  {
    const Stack::Lock lock;
    usrsctp_conninput(as_address(address_), packet.data(), packet.size(), 0);
  }
  drain(true);
  flush_pending();
}

void Association::handle_timeout(time::Timestamp now) {
  if (address_ == 0) return;
  last_tick_ = now;
  {
    const Stack::Lock lock;
    Stack::instance().advance(now);
  }
  drain(true);
  flush_pending();
  retry_resets();
  if (std::exchange(active_, false)) last_active_ = now;
  in_flight_ = data_in_flight();
}

std::optional<time::Timestamp> Association::next_timeout() const noexcept {
  if (address_ == 0 || !last_tick_ || state_ == AssociationState::Closed ||
      state_ == AssociationState::Failed) {
    return std::nullopt;
  }
  // The next point of the cadence's grid on the media clock, not last tick + cadence: every
  // association of a worker then ticks at the same instants, so one loop wake-up serves them all
  // (100 idle participants cost one wake-up a second, not 100).
  const time::Duration period = busy()                           ? kBusyTick
                                : state_ != AssociationState::Up ? kHandshakeTick
                                                                 : kQuietTick;
  const auto since = last_tick_->time_since_epoch();
  return time::Timestamp(since - since % period + period);
}

bool Association::busy() const noexcept {
  if (active_ || in_flight_ || !pending_.empty() || !resets_to_retry_.empty()) {
    return true;
  }
  if (last_active_ && *last_tick_ - *last_active_ < kBusyHold) return true;
  return std::any_of(channels_.begin(), channels_.end(),
                     [](const auto& channel) { return channel.second.closing; });
}

bool Association::data_in_flight() const noexcept {
  if (address_ == 0 || socket_ == nullptr) return false;
  struct sctp_status status {};
  auto length = static_cast<socklen_t>(sizeof(status));
  int rc = 0;
  {
    const Stack::Lock lock;
    rc = usrsctp_getsockopt(socket_, IPPROTO_SCTP, SCTP_STATUS, &status, &length);
  }
  // Unknown counts as in flight: a tick too many costs little, a late retransmission more.
  return rc != 0 || status.sstat_unackdata != 0 || status.sstat_penddata != 0;
}

void Association::close() {
  if (address_ == 0) return;
  release(true);
  if (state_ != AssociationState::Failed) state_ = AssociationState::Closed;
  if (reason_.empty()) reason_ = "closed locally";
}

void Association::release(bool emit) {
  if (address_ == 0) return;
  {
    const Stack::Lock lock;
    if (socket_ != nullptr) {
      // Abort instead of a graceful SHUTDOWN: nothing of this association may outlive it in
      // usrsctp's timers.
      struct linger linger {};
      linger.l_onoff = 1;
      linger.l_linger = 0;
      set_option(socket_, SOL_SOCKET, SO_LINGER, linger);
      usrsctp_close(socket_);
      socket_ = nullptr;
    }
    usrsctp_deregister_address(as_address(address_));
    Stack::instance().remove(address_);
    address_ = 0;
  }
  // The mailbox is ours alone now.
  if (emit) {
    for (const auto& packet : mailbox_->packets) {
      ++counters_.packets_out;
      listener_.on_packet(packet);
    }
  }
  mailbox_->packets.clear();
  mailbox_->deliveries.clear();
  mailbox_->queued_bytes = 0;
  pending_.clear();
  pending_bytes_ = 0;
  reassembly_.clear();
}

void Association::flush_packets() {
  std::vector<std::vector<std::uint8_t>> packets;
  if (address_ == 0) return;
  {
    const Stack::Lock lock;
    packets.swap(mailbox_->packets);
    for (const auto& packet : packets) mailbox_->queued_bytes -= packet.size();
  }
  if (!packets.empty()) active_ = true;
  for (const auto& packet : packets) {
    ++counters_.packets_out;
    listener_.on_packet(packet);
  }
}

void Association::drain(bool deliver) {
  flush_packets();
  // A listener callback that calls back in (send, open_channel) only flushes its packets; the
  // outer drain delivers whatever arrives meanwhile.
  if (!deliver || draining_) return;
  draining_ = true;
  while (address_ != 0) {
    std::vector<detail::Delivery> deliveries;
    bool end_of_file = false;
    {
      const Stack::Lock lock;
      deliveries.swap(mailbox_->deliveries);
      for (const auto& d : deliveries) mailbox_->queued_bytes -= d.length;
      end_of_file = std::exchange(mailbox_->end_of_file, false);
      counters_.mailbox_dropped += std::exchange(mailbox_->dropped, 0);
    }
    if (deliveries.empty() && !end_of_file) break;
    for (auto& delivery : deliveries) {
      if (address_ == 0) break;  // the listener closed us
      handle_delivery(delivery);
      flush_packets();
    }
    if (end_of_file && address_ != 0 &&
        (state_ == AssociationState::Up || state_ == AssociationState::Connecting)) {
      set_state(AssociationState::Closed, "the peer closed the association");
    }
  }
  draining_ = false;
}

}  // namespace rrtc::sctp
