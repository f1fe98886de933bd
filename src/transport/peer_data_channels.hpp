#pragma once
// Internal to src/transport (only peer.cpp includes it): the Peer's SCTP association
// (sctp::Association over usrsctp) behind the transport-level data channel types of
// data_channel.hpp, with the id <-> label table the owner works with.
//
// The Peer feeds it DTLS application data (handle_packet), fires its timers (handle_timeout) and
// sends every SCTP packet it produces (the PacketOut given at construction) as one DTLS
// application data record. Its events go straight to the PeerListener, and only ever from
// handle_packet() and handle_timeout() (and start(), for a start that fails), which the Peer
// calls only from its two doors (see peer_listener.hpp). Threading: the Peer's thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dtls/endpoint.hpp"
#include "sctp/association.hpp"
#include "time/media_time.hpp"
#include "transport/data_channel.hpp"
#include "transport/peer_config.hpp"
#include "transport/peer_listener.hpp"

namespace rrtc::transport::detail {

class DataChannels final : private sctp::AssociationListener {
 public:
  // Sends one SCTP packet as one DTLS application data record; never calls back in.
  using PacketOut = std::function<void(std::span<const std::uint8_t>)>;

  // Creates the association (no packet leaves before start()). `role` is the Peer's DTLS role.
  // `listener` and `counters` must outlive this object.
  DataChannels(const DataChannelConfig& config, dtls::Role role, PacketOut send,
               PeerListener& listener, PeerCounters& counters);
  DataChannels(const DataChannels&) = delete;
  DataChannels& operator=(const DataChannels&) = delete;
  ~DataChannels();

  // The SCTP stack could not create or start the association; reason() says why.
  bool failed() const noexcept;
  const std::string& reason() const noexcept;
  bool up() const noexcept;

  // DTLS is connected: INIT goes out. Once. `report`: tell the listener if starting fails
  // (false when called from a Peer method, which must not call the listener).
  void start(time::Timestamp now, bool report);
  void handle_packet(std::span<const std::uint8_t> packet, time::Timestamp now);
  void handle_timeout(time::Timestamp now);
  std::optional<time::Timestamp> next_timeout() const noexcept;

  OpenDataResult open(std::string_view label, std::string_view protocol,
                      const DataChannelParameters& parameters);
  DataSendResult send(std::uint16_t id, std::span<const std::uint8_t> data, bool binary);
  void close_channel(std::uint16_t id);
  // Aborts the association (the ABORT goes out through PacketOut); no event follows.
  void close();

  // Open channels (a channel we are closing is left out).
  std::optional<std::uint16_t> find(std::string_view label) const noexcept;
  const DataChannelInfo* channel(std::uint16_t id) const noexcept;
  std::size_t channel_count() const noexcept { return channels_.size(); }

 private:
  // sctp::AssociationListener
  void on_packet(std::span<const std::uint8_t> packet) override;
  void on_association_state(sctp::AssociationState state, std::string_view reason) override;
  void on_channel_open(std::uint16_t id, std::string_view label,
                       std::string_view protocol) override;
  void on_message(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) override;
  void on_channel_closed(std::uint16_t id) override;

  bool closing(std::uint16_t id) const noexcept;

  PacketOut send_;
  PeerListener& listener_;
  PeerCounters& counters_;
  std::map<std::uint16_t, DataChannelInfo> channels_;
  // Last: destroyed first, so nothing it does on the way out finds the table gone.
  sctp::Association association_;
};

}  // namespace rrtc::transport::detail
