#include "ice/nice_transport.hpp"

#include <nice/agent.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>

#include "ice/candidate_line.hpp"
#include "io/send_ring.hpp"
#include "log/log.hpp"

namespace rrtc::ice {
namespace {

constexpr guint kComponent = 1;

std::atomic<int> g_agents_alive{0};

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("ice");
  return instance;
}

NiceRelayType relay_type(RelayTransport transport) {
  switch (transport) {
    case RelayTransport::Udp:
      return NICE_RELAY_TYPE_TURN_UDP;
    case RelayTransport::Tcp:
      return NICE_RELAY_TYPE_TURN_TCP;
    case RelayTransport::Tls:
      return NICE_RELAY_TYPE_TURN_TLS;
  }
  return NICE_RELAY_TYPE_TURN_UDP;
}

// Frees the agent once libnice has released its TURN allocations (RFC 8656 section 7: a
// Refresh with lifetime 0), so relay ports are not left behind on the server. Ownership of the
// agent reference and of the RecvTarget passes to this callback.
void on_agent_closed(GObject* agent, GAsyncResult* /*result*/, gpointer data) noexcept {
  auto* target = static_cast<NiceTransport::RecvTarget*>(data);
  g_object_unref(agent);
  target->context->retire();  // runs this callback: frees itself when the iteration ends
  delete target;
  g_agents_alive.fetch_sub(1, std::memory_order_relaxed);
}

const char* candidate_type_name(NiceCandidateType type) {
  switch (type) {
    case NICE_CANDIDATE_TYPE_HOST:
      return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED:
      return "relay";
  }
  return "unknown";
}

}  // namespace

int NiceTransport::agents_alive() noexcept {
  return g_agents_alive.load(std::memory_order_relaxed);
}

std::unique_ptr<NiceTransport> NiceTransport::create(io::GlibLoop& loop, const IceConfig& config,
                                                     IceTransportListener* listener) {
  std::unique_ptr<NiceTransport> transport(new NiceTransport(loop, config, listener));
  if (!transport->setup(config)) {
    return nullptr;
  }
  return transport;
}

NiceTransport::NiceTransport(io::GlibLoop& loop, const IceConfig& config,
                             IceTransportListener* listener)
    : loop_(loop),
      libnice_(std::make_unique<io::SideContext>(loop)),
      listener_(listener),
      public_ip_(config.public_ip) {
  agent_ = nice_agent_new_full(libnice_->context(), NICE_COMPATIBILITY_RFC5245,
                               static_cast<NiceAgentOption>(NICE_AGENT_OPTION_ICE_TRICKLE |
                                                            NICE_AGENT_OPTION_CONSENT_FRESHNESS));
  recv_target_ = new RecvTarget{this};
  g_agents_alive.fetch_add(1, std::memory_order_relaxed);
}

bool NiceTransport::setup(const IceConfig& config) {
  g_object_set(agent_, "controlling-mode", config.controlling ? TRUE : FALSE, "ice-tcp", FALSE,
               "upnp", FALSE, "force-relay", config.relay_only ? TRUE : FALSE, nullptr);
  for (const std::string& ip : config.local_addresses) {
    NiceAddress address;
    nice_address_init(&address);
    if (!nice_address_set_from_string(&address, ip.c_str()) ||
        !nice_agent_add_local_address(agent_, &address)) {
      logger().warn("ice: cannot use local address {}", ip);
      return false;
    }
  }
  if (config.stun) {
    g_object_set(agent_, "stun-server", config.stun->ip.c_str(), "stun-server-port",
                 static_cast<guint>(config.stun->port), nullptr);
  }
  stream_id_ = nice_agent_add_stream(agent_, 1);
  if (stream_id_ == 0) {
    logger().warn("ice: nice_agent_add_stream failed");
    return false;
  }
  if (config.min_port != 0) {
    nice_agent_set_port_range(agent_, stream_id_, kComponent, config.min_port, config.max_port);
  }
  if (config.turn) {
    const ResolvedTurn& turn = *config.turn;
    if (!nice_agent_set_relay_info(agent_, stream_id_, kComponent, turn.server.ip.c_str(),
                                   turn.server.port, turn.username.c_str(), turn.credential.c_str(),
                                   relay_type(turn.transport))) {
      logger().warn("ice: TURN server {}:{} rejected by libnice", turn.server.ip, turn.server.port);
      return false;
    }
  }
  g_signal_connect(agent_, "new-candidate-full", G_CALLBACK(&NiceTransport::on_new_candidate),
                   this);
  g_signal_connect(agent_, "candidate-gathering-done",
                   G_CALLBACK(&NiceTransport::on_gathering_done), this);
  g_signal_connect(agent_, "component-state-changed",
                   G_CALLBACK(&NiceTransport::on_component_state), this);
  g_signal_connect(agent_, "new-selected-pair-full", G_CALLBACK(&NiceTransport::on_selected_pair),
                   this);
  nice_agent_attach_recv(agent_, stream_id_, kComponent, libnice_->context(),
                         &NiceTransport::on_receive, recv_target_);
  libnice_->poke();  // gathering arms libnice's timers and sends STUN
  if (!nice_agent_gather_candidates(agent_, stream_id_)) {
    // Typically: no port free in the configured range on some address.
    logger().warn("ice: gathering failed (port range {}-{})", config.min_port, config.max_port);
    return false;
  }
  return true;
}

NiceTransport::~NiceTransport() {
  close();
  if (dispatch_source_ != nullptr) {
    g_source_destroy(dispatch_source_);
    g_source_unref(dispatch_source_);
  }
  for (NiceCandidate* candidate : pending_remote_) {
    nice_candidate_free(candidate);
  }
  recv_target_->owner = nullptr;
  clear_direct_path();
  cancel_consent_timer();
  // close_async completes on the thread-default context of the caller: make it the agent's, which
  // the callback then frees (it may run before close_async returns). Poked first, for that.
  GMainContext* context = libnice_->context();
  libnice_->poke();
  recv_target_->context = libnice_.release();
  g_main_context_push_thread_default(context);
  nice_agent_close_async(agent_, &on_agent_closed, recv_target_);
  g_main_context_pop_thread_default(context);
}

void NiceTransport::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  state_ = IceState::Closed;
  nice_connected_ = false;
  clear_direct_path();
  cancel_consent_timer();
  g_signal_handlers_disconnect_by_data(agent_, this);
  if (stream_id_ != 0) {
    // RFC 7675: revoke consent. The agent stops sending and answers the peer's next consent
    // check with 403, so a peer still checking fails within one consent interval (~5 s) rather
    // than after the full timeout. Sockets stay open until destruction, for TURN deallocation.
    nice_agent_consent_lost(agent_, stream_id_, kComponent);
    libnice_->poke();
  }
  events_.clear();
  record(StateChange{IceState::Closed});
}

bool NiceTransport::send(std::span<const uint8_t> datagram) {
  if (!nice_connected_ || datagram.empty()) {
    return false;
  }
  if (direct_.fd >= 0 && !g_socket_is_closed(direct_.socket)) {
    if (ring_ != nullptr && ring_->batching() &&
        ring_->queue(direct_.fd, reinterpret_cast<const sockaddr*>(&direct_.to),
                     direct_.to_length, datagram)) {
      return true;  // sent when the batch closes; a kernel drop then is counted by the ring
    }
    // A full socket buffer drops the datagram, as libnice's non-blocking send would.
    const ssize_t sent =
        ::sendto(direct_.fd, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&direct_.to), direct_.to_length);
    return sent == static_cast<ssize_t>(datagram.size());
  }
  gint sent = nice_agent_send(agent_, stream_id_, kComponent, static_cast<guint>(datagram.size()),
                              reinterpret_cast<const gchar*>(datagram.data()));
  libnice_->poke();  // a TCP or TURN socket may queue what it could not write, behind a source
  return sent == static_cast<gint>(datagram.size());
}

std::optional<IceTransport::DirectRoute> NiceTransport::direct_route() const noexcept {
  // The same conditions under which send() writes with sendto.
  if (!nice_connected_ || direct_.fd < 0 || g_socket_is_closed(direct_.socket)) return std::nullopt;
  return DirectRoute{direct_.fd, reinterpret_cast<const sockaddr*>(&direct_.to),
                     direct_.to_length};
}

CandidateResult NiceTransport::add_remote_candidate(std::string_view candidate) {
  if (closed_) {
    return CandidateResult::Closed;
  }
  std::string_view line = strip_attribute_prefix(candidate);
  if (line.empty()) {
    remote_end_of_candidates_ = true;
    if (has_remote_credentials_) {
      nice_agent_peer_candidate_gathering_done(agent_, stream_id_);
      libnice_->poke();
    }
    return CandidateResult::EndOfCandidates;
  }
  CandidateLineError error = CandidateLineError::None;
  std::optional<CandidateLine> parsed = parse_candidate_line(line, &error);
  if (!parsed) {
    logger().debug("ice: rejected remote candidate: {}", to_string(error));
    return CandidateResult::Malformed;
  }
  if (parsed->component != kComponent) {
    return CandidateResult::WrongComponent;
  }
  if (remote_candidates_ >= kMaxRemoteCandidates) {
    return CandidateResult::TooMany;
  }
  // libnice's parser wants the attribute form.
  std::string sdp = "a=" + std::string(line);
  NiceCandidate* nice = nice_agent_parse_remote_candidate_sdp(agent_, stream_id_, sdp.c_str());
  if (nice == nullptr) {
    return CandidateResult::Malformed;  // e.g. an mDNS hostname: libnice needs an IP literal
  }
  ++remote_candidates_;
  pending_remote_.push_back(nice);
  if (has_remote_credentials_) {
    apply_remote_candidates();
  }
  return CandidateResult::Added;
}

void NiceTransport::apply_remote_candidates() {
  GSList* list = nullptr;
  for (NiceCandidate* candidate : pending_remote_) {
    list = g_slist_append(list, candidate);
  }
  if (list != nullptr) {
    nice_agent_set_remote_candidates(agent_, stream_id_, kComponent, list);
    g_slist_free(list);
    libnice_->poke();  // new pairs: the check timer
  }
  for (NiceCandidate* candidate : pending_remote_) {
    nice_candidate_free(candidate);
  }
  pending_remote_.clear();
}

bool NiceTransport::set_remote_credentials(const IceCredentials& credentials) {
  if (closed_ || !valid_credentials(credentials)) {
    return false;
  }
  if (!nice_agent_set_remote_credentials(agent_, stream_id_, credentials.ufrag.c_str(),
                                         credentials.pwd.c_str())) {
    return false;
  }
  has_remote_credentials_ = true;
  libnice_->poke();
  apply_remote_candidates();
  if (remote_end_of_candidates_) {
    nice_agent_peer_candidate_gathering_done(agent_, stream_id_);
  }
  return true;
}

IceCredentials NiceTransport::local_credentials() const {
  IceCredentials credentials;
  gchar* ufrag = nullptr;
  gchar* pwd = nullptr;
  if (!closed_ && nice_agent_get_local_credentials(agent_, stream_id_, &ufrag, &pwd)) {
    credentials.ufrag = ufrag;
    credentials.pwd = pwd;
  }
  g_free(ufrag);
  g_free(pwd);
  return credentials;
}

void NiceTransport::refresh_direct_path() noexcept {
  release_direct_socket();
  NiceCandidate* local = nullptr;
  NiceCandidate* remote = nullptr;
  GSocket* socket = nullptr;
  if (!closed_ && nice_agent_get_selected_pair(agent_, stream_id_, kComponent, &local, &remote)) {
    // nullptr for relayed or TCP pairs: libnice frames what it sends and reads
    socket = nice_agent_get_selected_socket(agent_, stream_id_, kComponent);
  }
  if (socket != nullptr) {
    nice_address_copy_to_sockaddr(&remote->addr, reinterpret_cast<sockaddr*>(&direct_.to));
    direct_.to_length =
        direct_.to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    direct_.socket = socket;
    direct_.fd = g_socket_get_fd(socket);
  }
  sync_media_socket();
}

void NiceTransport::release_direct_socket() noexcept {
  if (direct_.socket != nullptr) {
    g_object_unref(direct_.socket);
  }
  direct_ = DirectPath{};
}

void NiceTransport::clear_direct_path() noexcept {
  release_direct_socket();
  close_media_socket();
}

std::optional<NiceTransport::SelectedPair> NiceTransport::selected_pair() const {
  NiceCandidate* local = nullptr;
  NiceCandidate* remote = nullptr;
  if (closed_ || !nice_connected_ ||
      !nice_agent_get_selected_pair(agent_, stream_id_, kComponent, &local, &remote)) {
    return std::nullopt;
  }
  SelectedPair pair;
  std::array<gchar, NICE_ADDRESS_STRING_LEN> text{};
  pair.local_type = candidate_type_name(local->type);
  nice_address_to_string(&local->addr, text.data());
  pair.local_ip = text.data();
  pair.local_port = static_cast<uint16_t>(nice_address_get_port(&local->addr));
  pair.remote_type = candidate_type_name(remote->type);
  nice_address_to_string(&remote->addr, text.data());
  pair.remote_ip = text.data();
  pair.remote_port = static_cast<uint16_t>(nice_address_get_port(&remote->addr));
  return pair;
}

}  // namespace rrtc::ice
