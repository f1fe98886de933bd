#include "ice/memory_transport.hpp"

#include <cassert>
#include <deque>
#include <utility>

#include "ice/candidate_line.hpp"

namespace rrtc::ice {
namespace {

constexpr std::size_t kMaxMemoryCandidates = 64;

}  // namespace

// ---- MemoryMedium: the ICE rules --------------------------------------------------------------

void MemoryMedium::deliver(Side to, time::Duration delay,
                           std::function<void(MemoryTransport&)> fn) {
  std::weak_ptr<MemoryMedium> weak = weak_from_this();
  defer(delay, [weak, to, fn = std::move(fn)] {
    if (auto medium = weak.lock()) {
      if (MemoryTransport* endpoint = medium->endpoint(to)) fn(*endpoint);
    }
  });
}

void MemoryMedium::gather(Side side, std::string candidate) {
  deliver(side, {}, [candidate = std::move(candidate)](MemoryTransport& t) {
    t.deliver_candidate(candidate);
  });
  deliver(side, {}, [](MemoryTransport& t) { t.deliver_gathering_done(); });
}

void MemoryMedium::credentials_set() {
  MemoryTransport* a = endpoint(Side::A);
  MemoryTransport* b = endpoint(Side::B);
  if (checked_ || a == nullptr || b == nullptr || !a->has_remote_credentials() ||
      !b->has_remote_credentials()) {
    return;
  }
  checked_ = true;
  const IceState result = a->remote_credentials_match() && b->remote_credentials_match()
                              ? IceState::Connected
                              : IceState::Failed;
  for (Side side : {Side::A, Side::B}) {
    deliver(side, {}, [](MemoryTransport& t) { t.deliver_state(IceState::Checking); });
  }
  for (Side side : {Side::A, Side::B}) {
    deliver(side, check_duration(), [result](MemoryTransport& t) { t.deliver_state(result); });
  }
}

void MemoryMedium::closed(Side side, bool was_live) {
  if (was_live) {
    // The peer stops getting consent responses and fails, as a real agent would.
    deliver(other_side(side), consent_timeout(),
            [](MemoryTransport& t) { t.deliver_state(IceState::Failed); });
  }
  deliver(side, {}, [](MemoryTransport& t) { t.deliver_closed(); });
}

void MemoryMedium::fail() {
  for (Side side : {Side::A, Side::B}) {
    deliver(side, {}, [](MemoryTransport& t) { t.deliver_state(IceState::Failed); });
  }
}

// ---- MemoryTransport --------------------------------------------------------------------------

MemoryTransport::MemoryTransport(std::shared_ptr<MemoryMedium> medium, Side side,
                                 IceCredentials credentials, std::string candidate)
    : medium_(std::move(medium)), side_(side), local_(std::move(credentials)) {
  medium_->attach(side_, this);
  medium_->gather(side_, std::move(candidate));
}

MemoryTransport::~MemoryTransport() {
  close();
  medium_->attach(side_, nullptr);
}

bool MemoryTransport::send(std::span<const uint8_t> datagram) {
  if (state_ != IceState::Connected) {
    return false;
  }
  medium_->transmit(side_, datagram);
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
  if (remote_candidates_ >= kMaxMemoryCandidates) {
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
  medium_->credentials_set();
  return true;
}

bool MemoryTransport::remote_credentials_match() const {
  MemoryTransport* peer = medium_->endpoint(other_side(side_));
  return peer != nullptr && has_remote_ && remote_.ufrag == peer->local_.ufrag &&
         remote_.pwd == peer->local_.pwd;
}

void MemoryTransport::close() {
  if (state_ == IceState::Closed) {
    return;
  }
  const bool was_live = state_ != IceState::Failed;
  state_ = IceState::Closed;
  medium_->closed(side_, was_live);
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

void MemoryTransport::deliver_closed() {
  if (listener_ != nullptr) {
    listener_->on_state(IceState::Closed);
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

// ---- MemoryTransportPair: events in order, no time --------------------------------------------

class MemoryLink final : public MemoryMedium {
 public:
  explicit MemoryLink(MemoryTransportPair::Scheduler scheduler)
      : scheduler_(std::move(scheduler)) {}

  void transmit(Side from, std::span<const uint8_t> datagram) override {
    ++sent_[side_index(from)];
    if (drop_ && drop_(from, datagram)) {
      ++dropped_[side_index(from)];
      return;
    }
    deliver(other_side(from), {},
            [bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())](
                MemoryTransport& to) mutable { to.deliver_datagram(bytes); });
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

  MemoryTransportPair::DropHook drop_;
  std::array<std::size_t, 2> sent_{};
  std::array<std::size_t, 2> dropped_{};

 private:
  void defer(time::Duration /*delay*/, std::function<void()> event) override {
    if (scheduler_) {
      scheduler_(std::move(event));
    } else {
      queue_.push_back(std::move(event));
    }
  }

  MemoryTransportPair::Scheduler scheduler_;
  std::deque<std::function<void()>> queue_;
};

MemoryTransportPair::MemoryTransportPair() : MemoryTransportPair(Scheduler{}) {}

MemoryTransportPair::MemoryTransportPair(Scheduler scheduler)
    : link_(std::make_shared<MemoryLink>(std::move(scheduler))),
      a_(std::make_unique<MemoryTransport>(link_, Side::A,
                                           IceCredentials{"ufrA", "passwordA0123456789abcd"},
                                           "candidate:1 1 udp 2130706431 192.0.2.1 9 typ host")),
      b_(std::make_unique<MemoryTransport>(link_, Side::B,
                                           IceCredentials{"ufrB", "passwordB0123456789abcd"},
                                           "candidate:1 1 udp 2130706431 192.0.2.2 9 typ host")) {}

MemoryTransportPair::~MemoryTransportPair() = default;

std::unique_ptr<MemoryTransport> MemoryTransportPair::take(Side side) {
  std::unique_ptr<MemoryTransport>& slot = side == Side::A ? a_ : b_;
  assert(slot != nullptr && "each side is taken once");
  return std::move(slot);
}

std::size_t MemoryTransportPair::flush(std::size_t max_events) { return link_->flush(max_events); }

void MemoryTransportPair::set_drop_hook(DropHook hook) { link_->drop_ = std::move(hook); }

void MemoryTransportPair::fail() { link_->fail(); }

std::size_t MemoryTransportPair::datagrams_sent(Side from) const {
  return link_->sent_[side_index(from)];
}

std::size_t MemoryTransportPair::datagrams_dropped(Side from) const {
  return link_->dropped_[side_index(from)];
}

}  // namespace rrtc::ice
