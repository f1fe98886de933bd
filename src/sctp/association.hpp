#pragma once
// One SCTP association over DTLS (RFC 8261) carrying WebRTC data channels (RFC 8831) opened with
// DCEP (RFC 8832), built on usrsctp. One per PeerConnection.
//
// Sans-IO from the owner's side: the owner feeds every DTLS application data record it receives
// to handle_packet(), calls handle_timeout() when next_timeout() says, and sends every packet the
// listener's on_packet() gets as one DTLS application data record (transport::Peer does all
// three for its data channels). The Association opens no socket and reads no clock.
//
//   DTLS app data -> handle_packet -> usrsctp -> DATA_CHANNEL_OPEN -> ACK + on_channel_open
//                                             -> user message      -> on_message (whole, <= max)
//                                             -> stream reset      -> on_channel_closed
//   open_channel / send / close_channel -> usrsctp -> on_packet -> DTLS app data
//
// Establishment (RFC 8831 section 6.2; RFC 8841): both sides send INIT once DTLS is up; call
// start() on DTLS Connected. SCTP resolves the collision. Ports come from a=sctp-port (usually
// 5000 on both sides).
//
// Stream ids (RFC 8832 section 6): the DTLS client uses even ids, the DTLS server odd ones. The
// rrtc server is DTLS passive, so its Associations are Role::DtlsServer and open odd channels.
//
// Message sizes: send() refuses a message larger than the remote's a=max-message-size
// (AssociationConfig::remote_max_message_size) with SendResult::TooLarge. A received message
// larger than our own limit (max_message_size, what our SDP advertises) is discarded whole and
// counted (counters().oversize_dropped); it is never delivered in part.
//
// Threading (the design, in full):
// - usrsctp runs as one process-wide stack initialised with usrsctp_init_nothreads: no timer
//   thread. (usrsctp 0.9.5 still starts an idle "SCTP iterator" thread that only runs address
//   management jobs, which we disable; a callback arriving on it would be dropped and counted in
//   StackCounters::foreign_thread_callbacks.) Every call into usrsctp takes one process-wide
//   mutex; its callbacks run inside those calls and only queue into a per-association mailbox
//   looked up by a never-reused integer id (no pointer to an Association is ever handed to
//   usrsctp).
// - Each Association is owned by, and only ever called on, one thread (its worker). After each
//   usrsctp call it releases the mutex, then drains its own mailbox and calls its listener, so
//   every callback runs on the owner's thread without any lock held and may call back in.
// - usrsctp's timers are global: each Association's handle_timeout(now) advances them by the
//   time elapsed since the last advance from any thread. Output a timer makes for an association
//   owned by another worker waits in that association's mailbox for its own next
//   handle_timeout(), at most one tick later (see kBusyTick). Nothing is posted across threads.
// - Teardown: close() or the destructor, under the mutex, sets SO_LINGER 0, calls usrsctp_close
//   (an ABORT goes out through on_packet for close(); dropped for the destructor), then
//   usrsctp_deregister_address and removes the id from the registry. Anything usrsctp still
//   emits for that id later (a late timer) finds no mailbox and is dropped: no use-after-free.
// The mutex is not on the media (RTP) path; it is held only for the duration of one usrsctp call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sctp/association_listener.hpp"
#include "sctp/dcep.hpp"
#include "time/media_time.hpp"

struct socket;

namespace rrtc::sctp {

namespace detail {
struct Mailbox;
struct Delivery;
}  // namespace detail

// The DTLS role of this side; it picks the stream id parity (RFC 8832 section 6).
enum class Role { DtlsClient, DtlsServer };

struct AssociationConfig {
  Role role = Role::DtlsServer;
  std::uint16_t local_port = 5000;   // our a=sctp-port
  std::uint16_t remote_port = 5000;  // the remote's a=sctp-port
  // Largest message we accept (our a=max-message-size); bigger ones are discarded.
  std::size_t max_message_size = std::size_t{256} * 1024;
  // Largest message the remote accepts (its a=max-message-size; RFC 8841 says 64 KiB when the
  // attribute is absent and "0" means no limit: pass kUnlimitedMessageSize for that).
  std::size_t remote_max_message_size = std::size_t{64} * 1024;
  // Streams we ask for in each direction (the peer may grant fewer); channel ids stay below, so
  // each side may number 128 channels (RFC 8832's parity). usrsctp keeps about 56 bytes of state
  // per stream per association, resident for every subscriber: 1024 cost 43 KB more per
  // subscriber than 256 (bench/results/rss/2026-12-07-streams). A room relays 16 labels
  // (docs/protocol.md), so a participant needs far fewer.
  std::uint16_t max_streams = 256;
  // Bytes send() may queue beyond what usrsctp's send buffer holds before it says BufferFull.
  std::size_t max_buffered_bytes = std::size_t{8} * 1024 * 1024;
  // Channels the remote may have open at once; further DATA_CHANNEL_OPENs are refused (their
  // stream is reset) and counted. Its parity's share of max_streams.
  std::size_t max_channels = 128;
};

// Timer cadence. usrsctp 0.9.5 keeps one timer wheel for the whole process and cannot say when
// its next timer is due, so next_timeout() asks for a tick: every kBusyTick while SCTP has
// something to time (DATA sent and not yet acknowledged, or received and not yet delivered; sends
// queued here; a channel closing; or any packet in or out within kBusyHold, which covers the
// 20 ms delayed SACK and every step of a handshake in progress), every kHandshakeTick while the
// association is not up yet and waits for a retransmission, and every kQuietTick otherwise, when
// only heartbeats (every 30 s) can be due. An idle association therefore wakes its owner once a
// second, not 100 times, and at whole multiples of the cadence on the media clock, so a worker's
// associations share their wake-ups.
inline constexpr time::Duration kBusyTick = std::chrono::milliseconds(10);
// Not up yet and nothing moved for kBusyHold: only the INIT / COOKIE-ECHO retransmission timer
// (at least rto_min, 400 ms) can be due, so a coarser tick (a peer that never answers SCTP costs
// 10 wake-ups a second, not 100).
inline constexpr time::Duration kHandshakeTick = std::chrono::milliseconds(100);
inline constexpr time::Duration kQuietTick = std::chrono::seconds(1);
inline constexpr time::Duration kBusyHold = std::chrono::milliseconds(200);

// Largest SCTP packet we send: one DTLS record of it must cross a 1280-byte IPv6 path (RFC 8831
// section 5): 1280 - 40 (IPv6) - 8 (UDP) - 64 (DTLS record header, explicit IV/nonce, MAC/tag,
// padding) = 1168.
inline constexpr std::size_t kMaxSctpPacketSize = 1168;

// Largest message size we ever allow, whatever the SDP says (bounds reassembly memory).
inline constexpr std::size_t kUnlimitedMessageSize = std::size_t{16} * 1024 * 1024;

// What open_channel() asks for. `reliability_parameter` is max retransmissions or the maximum
// packet lifetime in milliseconds, as `reliability` says.
struct ChannelInit {
  std::string label;
  std::string protocol;
  ChannelParameters parameters;
};

enum class ChannelError {
  NotUp,         // the association is not Up
  NoFreeStream,  // every stream id of our parity below the negotiated count is in use
  TooLong,       // label or protocol over 65,535 bytes
  SendFailed,    // usrsctp refused the DATA_CHANNEL_OPEN
};
const char* to_string(ChannelError error) noexcept;

struct OpenResult {
  std::optional<std::uint16_t> id;
  ChannelError error = ChannelError::NotUp;  // meaningful only without an id
};

enum class SendResult {
  Sent,        // handed to SCTP (or queued behind earlier messages, within max_buffered_bytes)
  NotOpen,     // no such channel, it is closing, or the association is not Up
  TooLarge,    // larger than the remote's max-message-size
  BufferFull,  // more than max_buffered_bytes already waiting
  Failed,      // usrsctp refused it for another reason
};
const char* to_string(SendResult result) noexcept;

struct ChannelInfo {
  std::uint16_t id = 0;
  std::string label;
  std::string protocol;
  ChannelParameters parameters;
  bool remote_opened = false;  // the remote sent DATA_CHANNEL_OPEN
  bool acknowledged = false;   // ours: DATA_CHANNEL_ACK received; theirs: always
  bool closing = false;        // we reset our outgoing stream; waiting for the remote's reset
};

struct AssociationCounters {
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t packets_dropped = 0;  // input refused before usrsctp (empty, oversize, after close)
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t fragments_in = 0;      // partial deliveries reassembled (large messages)
  std::uint64_t oversize_dropped = 0;  // received messages over max_message_size
  std::uint64_t dcep_errors = 0;       // malformed or unexpected DCEP messages
  std::uint64_t unknown_channel = 0;   // data on a stream with no open channel
  std::uint64_t unknown_ppid = 0;
  std::uint64_t channels_refused = 0;  // remote OPENs refused (wrong parity, in use, too many)
  std::uint64_t mailbox_dropped = 0;   // usrsctp output or deliveries dropped at the mailbox bound
  std::uint64_t send_failed = 0;       // messages usrsctp gave up on (PR-SCTP, abort)
};

// Input usrsctp itself refused. usrsctp counts these for the whole process, not per
// association: a packet with a bad checksum or verification tag never reaches one.
struct StackCounters {
  std::uint64_t checksum_errors = 0;  // CRC32c mismatch
  std::uint64_t header_drops = 0;     // shorter than the SCTP common header
  std::uint64_t bad_verification_tag = 0;
  std::uint64_t out_of_the_blue = 0;  // no association for it
  std::uint64_t bad_stream_id = 0;    // DATA on a stream beyond the negotiated count
  std::uint64_t packets = 0;          // every packet usrsctp took
  // usrsctp callbacks that arrived on a thread of its own instead of inside one of our calls
  // (dropped; expected to stay 0, see the threading notes above).
  std::uint64_t foreign_thread_callbacks = 0;
  // Packets refused by an Association before usrsctp saw them (empty, oversize, malformed:
  // well_formed_packet()), summed over every association: packets_dropped of all of them.
  std::uint64_t refused_before_stack = 0;
};
StackCounters stack_counters();

class Association {
 public:
  // `listener` must outlive the Association. Creates the usrsctp socket; nothing is sent before
  // start().
  Association(const AssociationConfig& config, AssociationListener& listener);
  ~Association();
  Association(const Association&) = delete;
  Association& operator=(const Association&) = delete;

  // DTLS is connected: send INIT (usrsctp_connect). Once; later calls do nothing.
  void start(time::Timestamp now);
  // One DTLS application data record from the remote. Input before start() calls start() first
  // (the remote's INIT may beat our DTLS Connected event). Never throws; bad input is dropped and
  // counted (usrsctp answers or ignores bad SCTP itself: see stack_counters()).
  void handle_packet(std::span<const std::uint8_t> packet, time::Timestamp now);
  // Runs SCTP timers (retransmissions, delayed SACK, heartbeats) and flushes queued sends.
  void handle_timeout(time::Timestamp now);
  // When to call handle_timeout() next: the last tick + kBusyTick or kQuietTick (see there); may
  // be in the past right after activity. nullopt once Closed or Failed (or before start()).
  std::optional<time::Timestamp> next_timeout() const noexcept;

  // Opens a channel with a stream id of our parity and sends DATA_CHANNEL_OPEN. The channel is
  // usable at once (messages before the ACK go ordered, as RFC 8832 section 6 requires).
  OpenResult open_channel(const ChannelInit& init);
  // One message: text (PPID 51, or 56 when empty) or binary (53, or 57 when empty).
  SendResult send(std::uint16_t id, std::span<const std::uint8_t> data, bool binary);
  SendResult send_text(std::uint16_t id, std::string_view text) {
    return send(id, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, false);
  }
  // Resets our outgoing stream (RFC 8831 section 6.7); on_channel_closed follows when the remote
  // resets its own. Queued messages for the channel are dropped. Unknown ids are ignored.
  void close_channel(std::uint16_t id);
  // Aborts the association (an ABORT goes out through on_packet) and releases it from usrsctp.
  // Idempotent; not reported through the listener.
  void close();

  AssociationState state() const noexcept { return state_; }
  const std::string& reason() const noexcept { return reason_; }
  const AssociationCounters& counters() const noexcept { return counters_; }
  const ChannelInfo* channel(std::uint16_t id) const;
  std::size_t channel_count() const noexcept { return channels_.size(); }
  // Bytes send() has queued that usrsctp has not yet taken.
  std::size_t buffered_bytes() const noexcept { return pending_bytes_; }
  // Streams granted in each direction (0 before Up).
  std::uint16_t negotiated_streams() const noexcept { return streams_; }

  // Associations alive in the process (tests check teardown).
  static std::size_t live_count();

 private:
  struct Pending {
    std::uint16_t id = 0;
    std::uint32_t ppid = 0;
    std::vector<std::uint8_t> data;
  };
  struct Reassembly {
    std::vector<std::uint8_t> data;
    bool discarding = false;
  };

  void configure_socket();
  // Takes what usrsctp queued: packets go out through on_packet; deliveries are handled only
  // when `deliver` (handle_packet / handle_timeout).
  void drain(bool deliver);
  void flush_packets();
  void handle_delivery(detail::Delivery& delivery);
  void handle_notification(std::span<const std::uint8_t> bytes);
  void handle_message(std::uint16_t stream, std::uint32_t ppid, std::span<const std::uint8_t> data);
  void handle_dcep(std::uint16_t stream, std::span<const std::uint8_t> data);
  void handle_stream_reset(std::uint16_t flags, std::span<const std::uint16_t> streams);
  void set_state(AssociationState state, std::string reason);
  // Hands a message to usrsctp. Returns false (errno EWOULDBLOCK) when its buffer is full.
  enum class Submit { Done, WouldBlock, Failed };
  Submit submit(std::uint16_t id, std::uint32_t ppid, std::span<const std::uint8_t> data);
  void flush_pending();
  enum class ResetRequest { Sent, Busy, Failed };
  ResetRequest reset_stream(std::uint16_t id);
  // reset_stream, retried on later ticks while another request is outstanding.
  void request_reset(std::uint16_t id);
  void retry_resets();
  void release(bool emit);
  // Timer cadence (kBusyTick / kQuietTick).
  bool busy() const noexcept;
  // usrsctp holds DATA it has sent and not had acknowledged, or received and not delivered.
  bool data_in_flight() const noexcept;

  AssociationConfig config_;
  AssociationListener& listener_;
  std::unique_ptr<detail::Mailbox> mailbox_;
  std::uintptr_t address_ = 0;  // our id in the usrsctp stack; 0 once released
  struct socket* socket_ = nullptr;
  AssociationState state_ = AssociationState::New;
  std::string reason_;
  bool started_ = false;
  std::optional<time::Timestamp> last_tick_;
  // Packets in or out: `active_` since the last tick, `last_active_` the tick (or input) that
  // last saw some. `in_flight_`: data_in_flight() at the last tick.
  bool active_ = false;
  std::optional<time::Timestamp> last_active_;
  bool in_flight_ = false;
  std::uint16_t streams_ = 0;
  std::map<std::uint16_t, ChannelInfo> channels_;
  std::map<std::uint16_t, Reassembly> reassembly_;
  std::deque<Pending> pending_;
  std::size_t pending_bytes_ = 0;
  std::vector<std::uint16_t> resets_to_retry_;
  AssociationCounters counters_;
  bool draining_ = false;
};

}  // namespace rrtc::sctp
