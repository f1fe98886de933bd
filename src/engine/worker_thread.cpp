#include "engine/worker_thread.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "log/log.hpp"

namespace rrtc::engine {
namespace {

// Peer counters (datagrams, decrypt failures, sends) are folded into the worker's counters at
// this period and when a participant is freed; decrypted RTP is counted per packet.
constexpr std::chrono::milliseconds kCollectPeriod{1000};
// How often shutdown checks whether libnice released its agents.
constexpr std::chrono::milliseconds kAgentsPoll{10};

}  // namespace

WorkerThread::WorkerThread(std::size_t index, const transport::IceConfig& ice,
                           const MediaLimits& limits, bool io_uring, std::size_t max_queued,
                           EgressOffload* egress)
    : index_(index),
      ice_(ice),
      io_uring_(io_uring),
      max_queued_(max_queued),
      peers_(loop_, ice_),
      egress_(egress != nullptr ? std::make_unique<EgressPort>(*egress, index) : nullptr),
      worker_(std::make_unique<Worker>(loop_, peers_, limits)),
      stopped_future_(stopped_.get_future().share()) {
  worker_->set_egress(egress_.get());
}

WorkerThread::~WorkerThread() {
  if (started_ && !shutdown_begun_) {
    begin_shutdown().wait_for(std::chrono::seconds(5));
  }
  loop_.stop();
  // The loop is stopped: whatever the shutdown closure did not free goes here, with no
  // libnice event left to deliver.
  worker_.reset();
  // Its eventfd source leaves the context before the loop frees it; its lanes' retires go to
  // the rings, which the engine's EgressOffload frees after every worker stopped.
  egress_.reset();
}

void WorkerThread::start() {
  started_ = true;
  loop_.start("rrtc-media-" + std::to_string(index_));
  // Created on the worker's thread, its only submitter; before any participant (posted first).
  if (io_uring_) {
    post([this] {
      send_ring_ = io::SendRing::create();
      has_send_ring_ = send_ring_ != nullptr;
      peers_.set_send_ring(send_ring_.get());
      worker_->set_send_ring(send_ring_.get());
      if (egress_ != nullptr) egress_->set_send_ring(send_ring_.get());
      // Each wake-up's sends leave together (io/glib_loop.hpp).
      loop_.set_send_ring(send_ring_.get());
    });
  }
  // After the send ring: what other workers hand over is queued on it.
  if (egress_ != nullptr) post([this] { egress_->attach(loop_.context()); });
  post([this] { collect_counters(); });
}

bool WorkerThread::submit(room::MediaRequest request) {
  const bool leave = std::holds_alternative<room::request::Leave>(request.command);
  if (!leave && queued_.load(std::memory_order_relaxed) >= max_queued_) {
    // The submitting thread is this counter's only writer, and the log limit's only user.
    worker_->refused_requests().increment();
    if (refusal_log_.allow(io::now())) {
      rrtc::log::get("room").warn(
          "media worker {}: {} requests queued, refusing requests with error 503 ({} more since "
          "the last line)",
          index_, queued_.load(std::memory_order_relaxed), refusal_log_.suppressed());
    }
    if (channel_ != nullptr) {
      const bool join = std::holds_alternative<room::request::Join>(request.command);
      channel_->send_error(std::move(request.room), std::move(request.participant), 503,
                           "server busy: the media worker's queue is full, try again", join);
    }
    return false;
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
  post([this, request = std::move(request)]() mutable {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    if (!shutting_down_) worker_->handle(std::move(request));
  });
  return true;
}

namespace {

// Calls `done` once: with the answer, or empty when destroyed without one.
class StatsReply {
 public:
  explicit StatsReply(room::MediaBackend::StatsCallback done) : done_(std::move(done)) {}
  ~StatsReply() {
    if (done_) done_({});
  }
  StatsReply(const StatsReply&) = delete;
  StatsReply& operator=(const StatsReply&) = delete;
  void answer(std::vector<room::ParticipantStats> stats) {
    if (done_) std::exchange(done_, nullptr)(std::move(stats));
  }

 private:
  room::MediaBackend::StatsCallback done_;
};

}  // namespace

void WorkerThread::query_room(std::string room, room::MediaBackend::StatsCallback done) {
  auto reply = std::make_shared<StatsReply>(std::move(done));
  if (queued_.load(std::memory_order_relaxed) >= max_queued_) {
    reply->answer({});
    return;
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
  post([this, room = std::move(room), reply] {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    if (!shutting_down_) reply->answer(worker_->room_stats(room));
  });
}

void WorkerThread::set_channel(std::shared_ptr<room::SignalingChannel> channel) {
  channel_ = channel;
  post(
      [this, channel = std::move(channel)]() mutable { worker_->set_channel(std::move(channel)); });
}

void WorkerThread::collect_counters() {
  worker_->collect_counters();
  if (!shutting_down_) {
    collect_timer_ = loop_.add_timer(loop_.now() + kCollectPeriod, [this] { collect_counters(); });
  }
}

std::shared_future<void> WorkerThread::begin_shutdown() {
  if (!shutdown_begun_) {
    shutdown_begun_ = true;
    post([this] {
      shutting_down_ = true;
      collect_timer_.cancel();
      worker_->close_all();
      wait_for_agents();
    });
  }
  return stopped_future_;
}

void WorkerThread::wait_for_agents() {
  if (transport::NicePeerFactory::agents_alive() == 0) {
    stopped_.set_value();
    return;
  }
  agents_timer_ = loop_.add_timer(loop_.now() + kAgentsPoll, [this] { wait_for_agents(); });
}

}  // namespace rrtc::engine
