#pragma once
// A deterministic run of one SendSideEstimator against a LinkModel: a paced sender of
// 1200-byte packets at the estimator's target (at a probe cluster's rate while one is being
// sent, every packet tagged with it), a receiver that sends transport-cc feedback (real RTCP
// bytes, parsed back) every 50-100 ms over an uncongested return path, and the RTT told to the
// estimator every second. Everything advances in 1 ms steps of a simulated clock.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "bwe/send_side_estimator.hpp"
#include "link_model.hpp"
#include "rtcp/transport_cc.hpp"

namespace rrtc::bwe::test {

struct SimSample {
  time::Duration at{0};  // since the start of the run
  DataRate target;
  DataRate capacity;
  EstimatorStats stats;
  time::Duration queue_delay{0};
};

struct SimConfig {
  LinkConfig link;
  EstimatorConfig estimator;
  DataRate initial_capacity = DataRate::kilobits_per_second(2500);
  std::int64_t packet_size = 1200;
  // An application-limited sender: the media never exceeds this rate, whatever the target (a
  // subscriber whose video is paused sends its audio only). Probe clusters still run at theirs.
  std::optional<DataRate> media_rate;
  // Key frames forwarded at once, as an SFU does: every `key_frame_every`, `key_frame_bytes`
  // leave in one burst of 1200-byte packets on top of the media rate (0: none).
  std::int64_t key_frame_bytes = 0;
  time::Duration key_frame_every{2'000'000};
  time::Duration sample_every{100'000};
  time::Duration min_feedback_interval{50'000};
  time::Duration max_feedback_interval{100'000};
  // The receiver's clock starts far from ours: only differences may matter.
  time::Duration receiver_clock_offset{987'654'321};
};

class EstimatorSim {
 public:
  static constexpr std::int64_t kKeyFramePacket = 1200;

  explicit EstimatorSim(const SimConfig& config);

  // Runs until `until` (since the start); `capacity_at` is asked every millisecond.
  void run(time::Duration until, const std::function<DataRate(time::Duration)>& capacity_at);

  const std::vector<SimSample>& samples() const noexcept { return samples_; }
  const SendSideEstimator& estimator() const noexcept { return estimator_; }
  const LinkModel& link() const noexcept { return link_; }
  std::int64_t probe_clusters() const noexcept { return probe_clusters_; }
  std::int64_t packets_sent() const noexcept { return next_seq_; }

 private:
  void send_packets(time::Timestamp now);
  void maybe_send_feedback(time::Timestamp now);
  void deliver_feedback(time::Timestamp now);

  SimConfig config_;
  time::Timestamp start_;
  time::Timestamp now_;
  SendSideEstimator estimator_;
  LinkModel link_;
  Random random_;

  // Sender.
  std::int64_t next_seq_ = 0;
  double budget_bytes_ = 0;
  std::optional<ProbeCluster> probe_;
  std::int64_t probe_bytes_ = 0;
  int probe_packets_ = 0;
  std::int64_t probe_clusters_ = 0;
  time::Duration next_key_frame_{1'000'000};

  // In flight to the receiver (arrival time, seq), in arrival order.
  struct InFlight {
    time::Timestamp arrival;
    std::int64_t seq;
  };
  std::vector<InFlight> in_flight_;
  // Received, not yet reported.
  std::vector<rtcp::PacketArrival> unreported_;
  time::Timestamp next_feedback_{};
  std::uint8_t feedback_count_ = 0;
  // Feedback on its way back: (delivery time, RTCP bytes).
  struct Returning {
    time::Timestamp at;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<Returning> returning_;
  time::Timestamp next_rtt_{};
  time::Duration next_sample_{0};
  std::vector<SimSample> samples_;
};

// What one capacity step's run looked like from its start to its end.
struct StepSummary {
  std::optional<time::Duration> converged_after;  // first sample within 70-100 % of capacity
  double mean_share = 0;  // mean target / capacity from convergence to the step's end
  double min_share = 0;
  double max_share = 0;
  double min_share_whole_step = 0;  // from the step's start (after the first 5 s)
  double in_band = 0;        // share of the samples after convergence within 70-100 % of capacity
  double mean_queue_ms = 0;  // the bottleneck's queuing delay over the whole step
  double max_queue_ms = 0;
};

StepSummary summarize_step(const std::vector<SimSample>& samples, time::Duration from,
                           time::Duration to);

}  // namespace rrtc::bwe::test
