#pragma once
// What an sctp::Association reports to its owner (the participant's PeerConnection).
//
// Threading: every callback runs on the thread that called the Association method it came from,
// which is the owner's worker thread (see association.hpp). No lock is held during a callback.
//
// Re-entrancy: on_packet may come from any Association method that makes SCTP output
// (handle_packet, handle_timeout, start, open_channel, send, close_channel, close). Every other
// callback comes only from handle_packet() and handle_timeout(). A listener may call any
// Association method from inside a callback (send on the same or another association, open or
// close a channel, close()), but must not destroy the Association there: close() it and free it
// later in the loop iteration.

#include <cstdint>
#include <span>
#include <string_view>

namespace rrtc::sctp {

enum class AssociationState {
  New,         // constructed; start() not called yet
  Connecting,  // INIT sent (or awaited), handshake not finished
  Up,          // established: channels can be opened and messages flow
  Closed,      // SHUTDOWN completed, the peer went away in order, or close() was called
  Failed,      // could not establish, or lost (peer ABORT, retransmission limit, bad peer)
};

const char* to_string(AssociationState state) noexcept;

class AssociationListener {
 public:
  // One SCTP packet to send as one DTLS application data record (RFC 8261); valid only during
  // the call.
  virtual void on_packet(std::span<const std::uint8_t> packet) = 0;
  // Up, then at most one of Closed / Failed (with a reason), each reported once. Not reported
  // for a close() the owner called.
  virtual void on_association_state(AssociationState state, std::string_view reason) = 0;
  // The remote opened a channel (DATA_CHANNEL_OPEN, RFC 8832); we have already acknowledged it
  // and it is ready for send(). Channels we open ourselves are not reported here: they are open
  // from open_channel()'s return.
  virtual void on_channel_open(std::uint16_t id, std::string_view label,
                               std::string_view protocol) = 0;
  // One whole message on an open channel; `data` is valid only during the call.
  virtual void on_message(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) = 0;
  // The channel is closed both ways (stream reset, RFC 8831 section 6.7), whoever started it, or
  // the association went down; its id may be reused afterwards.
  virtual void on_channel_closed(std::uint16_t id) = 0;

 protected:
  ~AssociationListener() = default;
};

}  // namespace rrtc::sctp
