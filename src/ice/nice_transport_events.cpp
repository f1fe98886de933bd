// The libnice side of NiceTransport: signal and receive trampolines, and the deferred delivery
// of what they record to the listener.

#include <nice/agent.h>
#include <sys/socket.h>
#include <time.h>

#include <exception>
#include <tuple>
#include <utility>

#include "ice/candidate_line.hpp"
#include "ice/nice_transport.hpp"
#include "io/glib_loop.hpp"
#include "log/log.hpp"

namespace rrtc::ice {
namespace {

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("ice");
  return instance;
}

std::string without_attribute_prefix(gchar* sdp) {
  std::string line = sdp != nullptr ? std::string(strip_attribute_prefix(sdp)) : std::string();
  g_free(sdp);
  return line;
}

}  // namespace

void NiceTransport::record(Event event) noexcept {
  events_.push_back(std::move(event));
  if (dispatch_source_ == nullptr) {
    dispatch_source_ = g_idle_source_new();
    g_source_set_priority(dispatch_source_, G_PRIORITY_DEFAULT);
    g_source_set_callback(dispatch_source_, &NiceTransport::on_dispatch, this, nullptr);
    g_source_attach(dispatch_source_, loop_.context());
  }
}

int NiceTransport::on_dispatch(void* self) noexcept {
  auto* transport = static_cast<NiceTransport*>(self);
  g_source_unref(transport->dispatch_source_);
  transport->dispatch_source_ = nullptr;
  transport->dispatch_events_guarded();
  return G_SOURCE_REMOVE;
}

void NiceTransport::dispatch_events_guarded() noexcept {
  // Nothing may throw through libnice or GLib.
  try {
    dispatch_events();
  } catch (const std::exception& e) {
    logger().error("ice: listener threw: {}", e.what());
  } catch (...) {
    logger().error("ice: listener threw");
  }
}

void NiceTransport::dispatch_events() {
  std::vector<Event> events;
  events.swap(events_);
  bool was_closed = closed_;
  for (Event& event : events) {
    // A listener that closed us from an earlier callback gets nothing more but Closed itself.
    if (listener_ == nullptr || (closed_ && !was_closed)) {
      return;
    }
    if (auto* candidate = std::get_if<LocalCandidate>(&event)) {
      listener_->on_local_candidate(std::move(candidate->line));
    } else if (auto* change = std::get_if<StateChange>(&event)) {
      listener_->on_state(change->state);
    } else if (std::holds_alternative<ChecksFailed>(event)) {
      if (on_checks_failed()) {
        listener_->on_state(IceState::Failed);
      }
    } else {
      listener_->on_gathering_done();
    }
  }
}

void NiceTransport::on_new_candidate(NiceAgent* agent, NiceCandidate* candidate,
                                     void* self) noexcept {
  auto* transport = static_cast<NiceTransport*>(self);
  if (transport->closed_) {
    return;
  }
  if (candidate->type == NICE_CANDIDATE_TYPE_HOST && !transport->public_ip_.empty()) {
    NiceCandidate* announced = nice_candidate_copy(candidate);
    guint port = nice_address_get_port(&candidate->addr);
    if (nice_address_set_from_string(&announced->addr, transport->public_ip_.c_str())) {
      nice_address_set_port(&announced->addr, port);
    }
    transport->record(LocalCandidate{
        without_attribute_prefix(nice_agent_generate_local_candidate_sdp(agent, announced))});
    nice_candidate_free(announced);
    return;
  }
  transport->record(LocalCandidate{
      without_attribute_prefix(nice_agent_generate_local_candidate_sdp(agent, candidate))});
}

void NiceTransport::on_gathering_done(NiceAgent* /*agent*/, unsigned /*stream*/,
                                      void* self) noexcept {
  auto* transport = static_cast<NiceTransport*>(self);
  if (!transport->closed_) {
    transport->record(GatheringDone{});
  }
}

namespace {

// The selected pair's socket gets large kernel buffers: a burst (a key frame, an SCTP window of
// messages) that arrives while the worker is busy would otherwise overflow the default ~200 KB
// and be lost. SO_*BUFFORCE needs CAP_NET_ADMIN; without it the kernel caps the size at
// net.core.rmem_max / wmem_max (README, Deployment). TURN-over-TCP pairs have no UDP socket.
void enlarge_socket_buffers(NiceAgent* agent, unsigned stream, unsigned component) {
  constexpr int kReceiveBuffer = 4 * 1024 * 1024;
  constexpr int kSendBuffer = 2 * 1024 * 1024;
  GSocket* socket = nice_agent_get_selected_socket(agent, stream, component);
  if (socket == nullptr) return;
  const int fd = g_socket_get_fd(socket);
  for (const auto& [forced, plain, size] : {std::tuple{SO_RCVBUFFORCE, SO_RCVBUF, kReceiveBuffer},
                                            std::tuple{SO_SNDBUFFORCE, SO_SNDBUF, kSendBuffer}}) {
    if (setsockopt(fd, SOL_SOCKET, forced, &size, sizeof(size)) != 0) {
      setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size));
    }
  }
  g_object_unref(socket);
}

}  // namespace

void NiceTransport::on_component_state(NiceAgent* agent, unsigned stream, unsigned component,
                                       unsigned state, void* self) noexcept {
  auto* transport = static_cast<NiceTransport*>(self);
  if (transport->rearming_) {
    return;  // CONNECTING, CONNECTED, READY of our own re-arm: nothing changed for the Peer
  }
  if (transport->state_ == IceState::Connected && !transport->closed_) {
    if (state == NICE_COMPONENT_STATE_FAILED) {
      // Consent checks unanswered for libnice's 10 s, a 403, or a check list without a
      // nominated pair: on_checks_failed tells, and ConsentFreshness decides, from the loop.
      // Media keeps flowing meanwhile.
      transport->record(ChecksFailed{});
      return;
    }
    if (state == NICE_COMPONENT_STATE_CONNECTING) {
      // libnice re-checking after Connected (FAILED -> CONNECTING when a triggered check
      // starts): the selected pair still carries the media; new-selected-pair moves it.
      return;
    }
  }
  IceState mapped;
  switch (state) {
    case NICE_COMPONENT_STATE_CONNECTING:
      mapped = IceState::Checking;
      break;
    case NICE_COMPONENT_STATE_CONNECTED:
    case NICE_COMPONENT_STATE_READY:
      mapped = IceState::Connected;
      break;
    case NICE_COMPONENT_STATE_FAILED:
      mapped = IceState::Failed;
      break;
    default:
      return;  // DISCONNECTED, GATHERING: nothing the Peer acts on
  }
  if (transport->closed_ || transport->state_ == IceState::Failed || transport->state_ == mapped) {
    return;
  }
  transport->state_ = mapped;
  transport->nice_connected_ = mapped == IceState::Connected;
  if (mapped == IceState::Connected) {
    transport->consent_.start(io::now());
    transport->last_inbound_ = {};
    enlarge_socket_buffers(agent, stream, component);
    transport->refresh_direct_path();
  } else {
    transport->clear_direct_path();
  }
  transport->record(StateChange{mapped});
}

void NiceTransport::on_selected_pair(NiceAgent* /*agent*/, unsigned /*stream*/,
                                     unsigned /*component*/, NiceCandidate* /*local*/,
                                     NiceCandidate* /*remote*/, void* self) noexcept {
  // Nominating another pair after Connected (RFC 8445 section 8.1.1) moves the media there.
  auto* transport = static_cast<NiceTransport*>(self);
  if (transport->nice_connected_) {
    transport->refresh_direct_path();
  }
}

void NiceTransport::on_receive(NiceAgent* /*agent*/, unsigned /*stream*/, unsigned /*component*/,
                               unsigned length, char* buffer, void* target) noexcept {
  NiceTransport* transport = static_cast<RecvTarget*>(target)->owner;
  if (transport == nullptr) {
    return;  // destroyed; the agent is releasing its TURN allocations
  }
  if (!transport->nice_connected_) {
    ++transport->dropped_before_connected_;
    return;
  }
  timespec coarse{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &coarse);
  transport->last_inbound_ = time::Timestamp(
      time::Duration(static_cast<int64_t>(coarse.tv_sec) * 1'000'000 + coarse.tv_nsec / 1'000));
  // Deliver a pending Connected before the first datagram, so the Peer sees them in order.
  if (!transport->events_.empty()) {
    transport->dispatch_events_guarded();
    if (transport->closed_) {
      return;
    }
  }
  if (transport->listener_ != nullptr) {
    transport->listener_->on_datagram(
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(buffer), length));
  }
}

}  // namespace rrtc::ice
