#pragma once
// Owns the load generator's threads and participants and runs measurement windows.
//
// Threads: `threads` GLib loop threads (io::GlibLoop, each with a TimerWheel) run the
// participants' Peers and media; one io_context thread runs every WebSocket; the calling (main)
// thread orchestrates, talking to loops only through posted closures it waits for.

#include <sys/resource.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "options.hpp"
#include "participant.hpp"
#include "step_result.hpp"

namespace rrtc::loadgen {

class Runner {
 public:
  explicit Runner(const Options& options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Starts threads. False (with a message on stderr) when the URL or ICE setup is unusable.
  bool start();

  // Creates rooms [first_room, first_room + count) of `publishers` + `subscribers` people and
  // starts them, paced at the join rate; returns immediately after the last join was started.
  std::vector<std::size_t> add_rooms(unsigned first_room, unsigned count, unsigned publishers,
                                     unsigned subscribers);
  // Adds `count` receive-only participants to `room`, spread evenly over `seconds` (names are
  // unique across calls).
  std::vector<std::size_t> add_joiners(unsigned room, unsigned count, double seconds);

  // Waits until every listed participant is connected (or failed); returns how many connected.
  std::size_t wait_connected(const std::vector<std::size_t>& who, double timeout_s);
  // Waits until every connected participant receives every stream of its room's other
  // publishers; returns how many do.
  std::size_t wait_receiving(const std::vector<std::size_t>& who, double timeout_s);

  // One window of `seconds`; `during` runs on the main thread right after the window opens.
  StepResult measure(const std::string& label, double seconds,
                     const std::function<void()>& during = {});
  JoinSummary summarize_joins(const std::vector<std::size_t>& who);

  unsigned rooms() const { return rooms_; }
  std::size_t size() const { return participants_.size(); }
  // Closes every participant (leave, DTLS close_notify) and stops the threads.
  void stop();

 private:
  struct Info {
    std::string room;
    bool publishes = false;
    bool counted = false;
    ParticipantPhase phase = ParticipantPhase::idle;
    std::uint64_t sent[kStreamKinds] = {};
    std::uint64_t sent_layers[kMaxLayers] = {};
    bool simulcast_accepted = false;
    std::vector<std::uint32_t> video_publishers;  // whose video arrived in the last window
    std::size_t streams_seen = 0;
    std::int64_t join_ns = 0, connected_ns = 0, first_media_ns = 0;
    std::string failure;
  };

  LoopContext& loop_of(std::size_t index) { return *loops_[index % loops_.size()]; }
  // Runs `fn` on the loop's thread and waits for it.
  void on_loop(LoopContext& loop, const std::function<void()>& fn);
  std::vector<Info> snapshot();
  std::size_t add(ParticipantSpec spec);
  std::size_t expected_streams(const std::vector<Info>& infos, std::size_t who) const;
  // A window: every loop resets its numbers and counts packets sent in [start_ns, end_ns].
  void open_window(std::int64_t start_ns, std::int64_t end_ns);
  // Sums the loops' numbers (and pacing lateness into `r`) and closes the window.
  LoopStats close_window(StepResult& r);
  SystemSample sample_system();
  // Participants, connected, failed, receiving and expected packets into `r`.
  void count_participants(StepResult& r, const LoopStats& total);

  Options options_;
  WsUrl url_;
  std::vector<std::unique_ptr<LoopContext>> loops_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  std::vector<std::unique_ptr<Participant>> participants_;
  std::vector<LoopStats> collected_;
  unsigned rooms_ = 0;
  unsigned joiners_ = 0;  // add_joiners' participants so far, for their names
  bool stopped_ = false;
  std::optional<int> server_pid_;
};

}  // namespace rrtc::loadgen
