#pragma once
// One room's fan-out spread over every media worker (issue 18). A room lives on one worker,
// which receives, decrypts and routes its packets and rewrites every subscriber's copy
// (DownTrack: cheap). Past a few hundred subscribers what costs is what follows per copy: SRTP
// protect and the send system call. So a subscriber that connects on a direct UDP pair while its
// room has at least `MediaLimits::spread_min_subscribers` participants is given an egress
// worker, in turns over all workers: its room's own once (those stay on the ordinary path),
// each other one twice (kOtherWorkerTurns), since a copy costs the worker that sends it more
// than the room's worker that hands it off. The room's worker then writes that subscriber's
// copies straight into an entry of a single-producer single-consumer ring towards the egress
// worker (EgressSeat::slot()), stamps transport-cc and commits {lane, length, socket,
// destination}; the egress worker protects the copy with the subscriber's own Outbound SRTP
// session for RTP (its "lane", made from the same keying material: the room's worker keeps
// protecting RTCP with the Peer's session, so no SRTP state is shared between threads), queues
// it on its own io_uring SendRing without copying, flushes, and gives the entries back.
//
//   room worker: Router -> DownTrack rewrite in the ring entry -> stamp transport-cc -> commit
//                   | (eventfd: once per room-worker wake-up per target, or every kWakeEvery)
//   egress worker: protect in place (lane's session) -> SendRing (queue_external) -> flush
//                  -> release the entries
//
// Nothing per packet allocates, locks or blocks: a full ring drops the copy and counts it
// (rrtc_egress_dropped_total), as a full socket buffer would.
//
// Lifetime: a lane is created by the room's worker and, from its first entry on, belongs to the
// egress worker; it is retired through the same ring (a Retire entry after the subscriber's last
// packet), and the consumer frees it there, so no entry in flight points at freed memory. A
// retire that finds the ring full waits in the producer's backlog until the next wake-up.
// EgressOffload outlives every worker thread; its destructor frees lanes still in the rings.
//
// The socket descriptor travels by value: it belongs to the subscriber's libnice agent on the
// room's worker. Entries are sent within a wake-up of the egress worker, while a Peer is freed
// in a sweep after it closed; a datagram that still meets a closed descriptor fails with EBADF
// and is counted as a send failure.
//
// Threading: EgressOffload is built and destroyed on the engine owner's thread. An EgressPort
// belongs to one worker: its producer side (EgressSeat, batch_end) and its consumer side
// (drain) both run on that worker's thread. The counters are single-writer, read anywhere.

#include <glib.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/send_ring.hpp"
#include "io/spsc_ring.hpp"
#include "room/forward_counters.hpp"
#include "transport/peer.hpp"  // also srtp::SrtpSession, ice::IceTransport::DirectRoute

namespace rrtc::engine {

// One offloaded subscriber's RTP protection, used only by its egress worker once handed over.
struct EgressLane {
  srtp::SrtpSession rtp;
};

// One ring entry. Trivially default-constructible, so a ring's untouched entries cost no
// resident memory (io/spsc_ring.hpp).
struct EgressEntry {
  enum class Kind : std::uint8_t { Packet, Retire };
  EgressLane* lane;
  Kind kind;
  std::uint16_t length;  // plain RTP bytes; protect appends the tag in place
  int fd;
  socklen_t to_length;
  sockaddr_storage to;
  alignas(16) std::uint8_t bytes[io::SendRing::kSlotBytes];
};

using EgressRing = io::SpscRing<EgressEntry>;

// Per worker (single writer each: the worker's own thread).
struct EgressCounters {
  room::SingleWriterCounter handed_off;       // copies its rooms handed to another worker
  room::SingleWriterCounter dropped;          // copies dropped at hand-off: the ring was full
  room::SingleWriterCounter sent_for_others;  // copies it protected and sent for other workers
  room::SingleWriterCounter send_failures;    // of those: protect failed or the kernel refused
  room::SingleWriterCounter lanes_opened;     // subscribers given to another worker
};

class EgressPort;

// The rings between every pair of workers (from -> to, from != to) and one eventfd per worker.
class EgressOffload {
 public:
  static constexpr std::size_t kRingEntries = 4096;

  EgressOffload(std::size_t workers, std::size_t ring_entries = kRingEntries);
  ~EgressOffload();  // every worker thread has stopped: frees the lanes still in the rings
  EgressOffload(const EgressOffload&) = delete;
  EgressOffload& operator=(const EgressOffload&) = delete;

  std::size_t workers() const noexcept { return workers_; }
  EgressRing& ring(std::size_t from, std::size_t to) noexcept {
    return *rings_[from * workers_ + to];
  }
  int wake_fd(std::size_t worker) const noexcept { return wake_fds_[worker]; }

 private:
  std::size_t workers_;
  std::vector<std::unique_ptr<EgressRing>> rings_;  // null on the diagonal
  std::vector<int> wake_fds_;
};

// A subscriber's place on an egress worker (held by its MediaParticipant). Empty: it sends
// through its own Peer. Retires its lane when destroyed.
class EgressSeat {
 public:
  EgressSeat() = default;
  EgressSeat(EgressPort* port, std::size_t target, EgressLane* lane) noexcept
      : port_(port), target_(target), lane_(lane) {}
  ~EgressSeat() { reset(); }
  EgressSeat(EgressSeat&& other) noexcept;
  EgressSeat& operator=(EgressSeat&& other) noexcept;

  bool active() const noexcept { return lane_ != nullptr; }
  std::size_t target() const noexcept { return target_; }
  // The entry the next hand_off() commits: write the copy there. Empty when the ring is full.
  std::span<std::uint8_t> slot() noexcept;
  // Commits buffer[0, length) to the egress worker (copied unless it was written into slot()).
  // False (dropped, counted) when the ring is full or the packet does not fit an entry.
  bool hand_off(std::span<const std::uint8_t> buffer, std::size_t length,
                const ice::IceTransport::DirectRoute& route) noexcept;
  // Retires the lane through the ring; the seat is empty after.
  void reset() noexcept;

 private:
  EgressPort* port_ = nullptr;
  std::size_t target_ = 0;
  EgressLane* lane_ = nullptr;
};

class EgressPort {
 public:
  // Egress for worker `index` of `offload`. `ring` is the worker's SendRing (nullable; set
  // before attach()).
  EgressPort(EgressOffload& offload, std::size_t index) noexcept;
  ~EgressPort();  // detach()es; frees backlogged retires (the worker thread has stopped)
  EgressPort(const EgressPort&) = delete;
  EgressPort& operator=(const EgressPort&) = delete;

  // Worker thread: the send ring to queue on, and to hook batch_end() into (nullable). The ring
  // must outlive the port (its destructor unhooks), or be replaced with nullptr first.
  void set_send_ring(io::SendRing* ring) noexcept;
  // Worker thread: watches this worker's eventfd on `context` (drain() when it fires).
  void attach(GMainContext* context);
  void detach() noexcept;

  // How many subscribers each other worker is given for each one this worker keeps. Measured
  // (bench/results/bigroom/2026-12-07-one-source, spread, 500 subscribers, 2 workers): the room's
  // worker spends about 2.9 µs on every copy before it leaves (route, rewrite into the ring or
  // the send slot), the worker that sends it about 4.6 µs more (protect, send). With an even
  // split the room's worker did 68-71 % of the server's work; keeping one in three, 56-62 %.
  static constexpr std::size_t kOtherWorkerTurns = 2;

  // Producer: a seat for a connected subscriber of `peer`, in turns over all workers (this one
  // once, each other kOtherWorkerTurns times); empty when the turn is this worker's own or the
  // lane could not be made.
  EgressSeat open_seat(const transport::Peer& peer);
  // The same with the lane's Outbound RTP session given (tests).
  EgressSeat open_seat(srtp::SrtpSession rtp);

  // Consumer: protects and sends everything the other workers committed to this one.
  void drain() noexcept;
  // Producer: wakes every target that got entries since its last wake-up, pushes retires that
  // waited. Called when the worker's outermost SendRing::Batch closes, or by hand in tests.
  void batch_end() noexcept;

  const EgressCounters& counters() const noexcept { return counters_; }
  std::size_t index() const noexcept { return index_; }

 private:
  friend class EgressSeat;
  // The worker the next open_seat gives a subscriber to.
  std::size_t peek_turn() const noexcept;
  void committed(std::size_t target) noexcept;
  void retire(std::size_t target, EgressLane* lane) noexcept;
  bool push_retire(std::size_t target, EgressLane* lane) noexcept;
  void wake(std::size_t target) noexcept;
  void send(EgressEntry& entry) noexcept;

  EgressOffload& offload_;
  std::size_t index_;
  io::SendRing* send_ring_ = nullptr;
  GSource* source_ = nullptr;
  std::size_t turn_ = 0;  // open_seat calls so far
  std::vector<std::uint32_t> unwoken_;  // per target: entries committed since its last wake
  struct Retire {
    std::size_t target;
    EgressLane* lane;
  };
  std::vector<Retire> backlog_;
  EgressCounters counters_;
};

}  // namespace rrtc::engine
