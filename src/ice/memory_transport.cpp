#include "ice/memory_transport.hpp"

#include <array>
#include <cassert>
#include <utility>

#include "ice/candidate_line.hpp"

namespace rrtc::ice {
namespace {

constexpr std::size_t kMaxRemoteCandidates = 64;

std::size_t index(Side side) { return side == Side::A ? 0 : 1; }
Side other(Side side) { return side == Side::A ? Side::B : Side::A; }

}  // namespace

// The shared medium: the event queue, the two endpoints (null once destroyed) and counters.
class MemoryLink : public std::enable_shared_from_this<MemoryLink> {
 public:
  explicit MemoryLink(MemoryTransportPair::Scheduler scheduler)
      : scheduler_(std::move(scheduler)) {}

  // Queues `fn(endpoint)` for `to`; it is skipped if that endpoint is gone by then.
  template <typename Fn>
  void schedule(Side to, Fn fn) {
    std::weak_ptr<MemoryLink> weak = weak_from_this();
    std::function<void()> event = [weak, to, fn = std::move(fn)]() mutable {
      if (auto link = weak.lock()) {
        if (MemoryTransport* endpoint = link->endpoints_[index(to)]) {
          fn(*endpoint);
        }
      }
    };
    if (scheduler_) {
      scheduler_(std::move(event));
    } else {
      queue_.push_back(std::move(event));
    }
  }

  std::size_t flush(std::size_t max_events) {
    std::size_t ran = 0;
    while (!queue_.empty() && ran < max_events) {
      std::function<void()> event = std::move(queue_.front());
      queue_.pop_front();
      event();
      ++ran;
    }
    return ran;
  }

  void attach(Side side, MemoryTransport* endpoint) { endpoints_[index(side)] = endpoint; }
  MemoryTransport* endpoint(Side side) const { return endpoints_[index(side)]; }

  void transmit(Side from, std::span<const uint8_t> datagram) {
    ++sent_[index(from)];
    if (drop_ && drop_(from, datagram)) {
      ++dropped_[index(from)];
      return;
    }
    schedule(other(from), [bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())](
                              MemoryTransport& to) mutable { to.deliver_datagram(bytes); });
  }

  // Runs the "checks" once both sides know each other's credentials.
  void maybe_check() {
    MemoryTransport* a = endpoints_[0];
    MemoryTransport* b = endpoints_[1];
    if (checked_ || a == nullptr || b == nullptr || !a->has_remote_credentials() ||
        !b->has_remote_credentials()) {
      return;
    }
    checked_ = true;
    bool ok = a->remote_credentials_match() && b->remote_credentials_match();
    for (Side side : {Side::A, Side::B}) {
      schedule(side, [](MemoryTransport& t) { t.deliver_state(IceState::Checking); });
      IceState result = ok ? IceState::Connected : IceState::Failed;
      schedule(side, [result](MemoryTransport& t) { t.deliver_state(result); });
    }
  }

  MemoryTransportPair::DropHook drop_;
  std::array<std::size_t, 2> sent_{};
  std::array<std::size_t, 2> dropped_{};

 private:
  MemoryTransportPair::Scheduler scheduler_;
  std::deque<std::function<void()>> queue_;
  std::array<MemoryTransport*, 2> endpoints_{};
  bool checked_ = false;
};

MemoryTransport::MemoryTransport(std::shared_ptr<MemoryLink> link, Side side,
                                 IceCredentials credentials)
    : link_(std::move(link)), side_(side), local_(std::move(credentials)) {
  link_->attach(side_, this);
  std::string candidate = side_ == Side::A ? "candidate:1 1 udp 2130706431 192.0.2.1 9 typ host"
                                           : "candidate:1 1 udp 2130706431 192.0.2.2 9 typ host";
  link_->schedule(side_, [candidate](MemoryTransport& t) { t.deliver_candidate(candidate); });
  link_->schedule(side_, [](MemoryTransport& t) { t.deliver_gathering_done(); });
}

MemoryTransport::~MemoryTransport() {
  close();
  link_->attach(side_, nullptr);
}

bool MemoryTransport::send(std::span<const uint8_t> datagram) {
  if (state_ != IceState::Connected) {
    return false;
  }
  link_->transmit(side_, datagram);
  return true;
}

CandidateResult MemoryTransport::add_remote_candidate(std::string_view candidate) {
  if (state_ == IceState::Closed) {
    return CandidateResult::Closed;
  }
  if (strip_attribute_prefix(candidate).empty()) {
    remote_done_ = true;
    return CandidateResult::EndOfCandidates;
  }
  std::optional<CandidateLine> line = parse_candidate_line(candidate);
  if (!line) {
    return CandidateResult::Malformed;
  }
  if (line->component != 1) {
    return CandidateResult::WrongComponent;
  }
  if (remote_candidates_ >= kMaxRemoteCandidates) {
    return CandidateResult::TooMany;
  }
  ++remote_candidates_;
  return CandidateResult::Added;
}

bool MemoryTransport::set_remote_credentials(const IceCredentials& credentials) {
  if (state_ == IceState::Closed || !valid_credentials(credentials)) {
    return false;
  }
  remote_ = credentials;
  has_remote_ = true;
  link_->maybe_check();
  return true;
}

bool MemoryTransport::remote_credentials_match() const {
  MemoryTransport* peer = link_->endpoint(other(side_));
  return peer != nullptr && has_remote_ && remote_.ufrag == peer->local_.ufrag &&
         remote_.pwd == peer->local_.pwd;
}

void MemoryTransport::close() {
  if (state_ == IceState::Closed) {
    return;
  }
  bool was_live = state_ != IceState::Failed;
  state_ = IceState::Closed;
  if (was_live) {
    // The peer stops getting consent responses and fails, as a real agent would.
    link_->schedule(other(side_), [](MemoryTransport& t) { t.deliver_state(IceState::Failed); });
  }
  link_->schedule(side_, [](MemoryTransport& t) {
    if (t.listener_ != nullptr) {
      t.listener_->on_state(IceState::Closed);
    }
  });
}

void MemoryTransport::deliver_datagram(std::vector<uint8_t>& datagram) {
  if (state_ == IceState::Connected && listener_ != nullptr) {
    listener_->on_datagram(std::span<uint8_t>(datagram));
  }
}

void MemoryTransport::deliver_state(IceState state) {
  if (state_ == IceState::Closed || state_ == IceState::Failed || state_ == state) {
    return;
  }
  state_ = state;
  if (listener_ != nullptr) {
    listener_->on_state(state);
  }
}

void MemoryTransport::deliver_candidate(const std::string& candidate) {
  if (state_ != IceState::Closed && listener_ != nullptr) {
    listener_->on_local_candidate(candidate);
  }
}

void MemoryTransport::deliver_gathering_done() {
  if (state_ != IceState::Closed && listener_ != nullptr) {
    listener_->on_gathering_done();
  }
}

MemoryTransportPair::MemoryTransportPair() : MemoryTransportPair(Scheduler{}) {}

MemoryTransportPair::MemoryTransportPair(Scheduler scheduler)
    : link_(std::make_shared<MemoryLink>(std::move(scheduler))),
      a_(std::make_unique<MemoryTransport>(link_, Side::A,
                                           IceCredentials{"ufrA", "passwordA0123456789abcd"})),
      b_(std::make_unique<MemoryTransport>(link_, Side::B,
                                           IceCredentials{"ufrB", "passwordB0123456789abcd"})) {}

MemoryTransportPair::~MemoryTransportPair() = default;

std::unique_ptr<MemoryTransport> MemoryTransportPair::take(Side side) {
  std::unique_ptr<MemoryTransport>& slot = side == Side::A ? a_ : b_;
  assert(slot != nullptr && "each side is taken once");
  return std::move(slot);
}

std::size_t MemoryTransportPair::flush(std::size_t max_events) { return link_->flush(max_events); }

void MemoryTransportPair::set_drop_hook(DropHook hook) { link_->drop_ = std::move(hook); }

void MemoryTransportPair::fail() {
  for (Side side : {Side::A, Side::B}) {
    link_->schedule(side, [](MemoryTransport& t) { t.deliver_state(IceState::Failed); });
  }
}

std::size_t MemoryTransportPair::datagrams_sent(Side from) const {
  return link_->sent_[index(from)];
}

std::size_t MemoryTransportPair::datagrams_dropped(Side from) const {
  return link_->dropped_[index(from)];
}

}  // namespace rrtc::ice
