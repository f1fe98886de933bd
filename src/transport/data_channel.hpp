#pragma once
// Data channels (RFC 8831) as the Peer's owner sees them: the parameters of the SCTP association
// the Peer runs over DTLS (RFC 8261), what a channel is opened with (DCEP, RFC 8832), and what
// the Peer's data channel methods answer. The SCTP stack itself stays inside src/transport
// (peer_data_channels.hpp): nothing here names sctp:: types, so the engine never does either.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rrtc::transport {

// Largest message size any side may use, whatever the SDP says (bounds reassembly memory); an
// a=max-message-size of 0 ("no limit", RFC 8841 section 6) means this.
inline constexpr std::size_t kUnlimitedMessageSize = std::size_t{16} * 1024 * 1024;

// From the negotiated application m-line (see data_channel_config_from() in
// peer_config_from_sdp.hpp). The Peer's DTLS role decides the SCTP stream parity (RFC 8832
// section 6: the DTLS client opens even streams, the server odd ones).
struct DataChannelConfig {
  std::uint16_t local_port = 5000;   // our a=sctp-port
  std::uint16_t remote_port = 5000;  // the remote's a=sctp-port
  // Largest message we accept (our a=max-message-size); larger ones are discarded whole, never
  // delivered in part.
  std::size_t max_message_size = std::size_t{256} * 1024;
  // Largest message the remote accepts (its a=max-message-size; RFC 8841 says 64 KiB when the
  // attribute is absent); 0 means no limit (kUnlimitedMessageSize). send_data() refuses larger
  // messages with DataSendResult::TooLarge.
  std::size_t remote_max_message_size = std::size_t{64} * 1024;
  // Channels the remote may have open at once; further opens are refused (their stream reset).
  // The remote's parity's share of the association's 256 streams (sctp/association.hpp).
  std::size_t max_channels = 128;
  // Bytes send_data() may queue beyond what SCTP's send buffer takes before BufferFull.
  std::size_t max_buffered_bytes = std::size_t{8} * 1024 * 1024;
};

// How a channel delivers (RFC 8832 section 5.1 channel types).
enum class DataReliability : std::uint8_t {
  Reliable,           // retransmit until acknowledged
  MaxRetransmits,     // give up after `reliability_parameter` retransmissions
  MaxPacketLifetime,  // give up after `reliability_parameter` milliseconds
};

struct DataChannelParameters {
  bool ordered = true;
  DataReliability reliability = DataReliability::Reliable;
  // Retransmissions or milliseconds, as `reliability` says; ignored for Reliable.
  std::uint32_t reliability_parameter = 0;
  std::uint16_t priority = 256;  // RFC 8832 section 5.1: "normal"

  friend bool operator==(const DataChannelParameters&, const DataChannelParameters&) = default;
};

// The association's life, as PeerListener::on_data_state() reports it.
enum class DataState {
  Up,      // channels can be opened and messages flow
  Closed,  // the remote shut the association down
  Failed,  // it could not be established, or was lost (abort, retransmission limit)
};
const char* to_string(DataState state) noexcept;

enum class EnableDataResult {
  Enabled,
  NotStarted,      // start() first: the DTLS role decides the SCTP stream ids
  AlreadyEnabled,  // once per Peer
  PeerClosed,      // the Peer is closed or failed
  SetupFailed,     // the SCTP stack could not create or start the association
};
const char* to_string(EnableDataResult result) noexcept;

enum class DataChannelError {
  NotEnabled,    // enable_data_channels() was not called
  NotUp,         // the association is not up (yet, or any more)
  NoFreeStream,  // every stream id of our parity is in use
  TooLong,       // label or protocol over 65,535 bytes
  SendFailed,    // SCTP refused the DATA_CHANNEL_OPEN
};
const char* to_string(DataChannelError error) noexcept;

struct OpenDataResult {
  std::optional<std::uint16_t> id;                   // the channel's SCTP stream id
  DataChannelError error = DataChannelError::NotUp;  // meaningful only without an id
};

enum class DataSendResult {
  Sent,        // handed to SCTP (or queued behind earlier messages, within max_buffered_bytes)
  NotOpen,     // no such channel, it is closing, or data channels are not up
  TooLarge,    // larger than the remote's max-message-size
  BufferFull,  // more than max_buffered_bytes already waiting
  Failed,      // SCTP refused it for another reason
};
const char* to_string(DataSendResult result) noexcept;

// One open channel, whoever opened it.
struct DataChannelInfo {
  std::uint16_t id = 0;
  std::string label;
  std::string protocol;
  DataChannelParameters parameters;
  bool remote_opened = false;  // the remote sent the DATA_CHANNEL_OPEN
};

// SCTP packets dropped in this process, for /metrics (usrsctp's stack is process-wide, so these
// are not per Peer): by usrsctp itself (CRC32c mismatch, wrong verification tag, out of the blue:
// no association, which includes a forged COOKIE-ECHO) or before it (malformed: a chunk or
// parameter length outside its packet, a zero-length chunk, an empty or oversize packet).
struct SctpDropCounters {
  std::uint64_t checksum = 0;
  std::uint64_t verification_tag = 0;
  std::uint64_t out_of_the_blue = 0;
  std::uint64_t malformed = 0;
};
SctpDropCounters sctp_drop_counters();

}  // namespace rrtc::transport
