#pragma once
// One participant of the abuse driver: the load generator's Participant (signaling, Peer, client
// SDP, MediaSender when it publishes, MediaReceiver always) with a TapTransport put between its
// Peer and libnice through ParticipantHooks, and what the rows inspect on top of a load
// generator participant: the server's candidates, the SSRCs the server forwards each publisher
// with, per-SSRC arrivals, and the gaps between arrivals per forwarded publisher (the "no media
// gap over 200 ms" criterion).
//
// Threading: constructed anywhere; everything else on the loop's thread (the driver posts).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "participant.hpp"
#include "tap_transport.hpp"

namespace rrtc::abuse {

using Phase = loadgen::ParticipantPhase;

// Arrivals of one publisher's packets at a subscriber.
struct GapStats {
  std::uint64_t packets = 0;
  std::int64_t last_ns = 0;
  std::int64_t max_gap_ns = 0;
};

class Client {
 public:
  Client(loadgen::LoopContext& context, boost::asio::io_context& ioc, const loadgen::WsUrl& url,
         loadgen::ParticipantSpec spec);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // A scenario may set adjust_config and on_started before start(); the Client owns the others.
  loadgen::ParticipantHooks& hooks() { return participant_.hooks(); }
  void start() { participant_.start(); }
  void stop() { participant_.stop(); }

  Phase phase() const { return participant_.phase(); }
  transport::Peer* peer() { return participant_.peer(); }
  TapTransport* tap() { return tap_; }
  loadgen::MediaSender* sender() { return participant_.sender(); }
  const loadgen::PublishedStreams& published() const { return participant_.published(); }
  // The server's candidates, from its answer and trickled ("candidate:..." lines).
  const std::vector<std::string>& server_candidates() const { return server_candidates_; }

  // Gap measurement over the packets forwarded from each publisher (by participant id).
  void start_measuring();
  // Per publisher: packets received since start_measuring() and the longest silence, the time
  // since the last packet included.
  std::map<std::string, GapStats> measured() const;
  // The SSRC the server forwards `publisher`'s audio or video with (0: not offered yet).
  std::uint32_t forwarded_ssrc(const std::string& publisher, bool video) const;
  // Every RTP packet received per SSRC, and the last sequence number.
  std::uint64_t received(std::uint32_t ssrc) const {
    const auto it = received_.find(ssrc);
    return it == received_.end() ? 0 : it->second;
  }
  std::uint16_t last_seq_in(std::uint32_t ssrc) const {
    const auto it = last_seq_in_.find(ssrc);
    return it == last_seq_in_.end() ? 0 : it->second;
  }

 private:
  void on_tracks(const std::vector<loadgen::ForwardedTrack>& tracks);
  void on_rtp(std::span<const std::uint8_t> packet);

  TapTransport* tap_ = nullptr;  // owned by the Peer
  std::vector<std::string> server_candidates_;
  bool measuring_ = false;
  std::map<std::uint32_t, std::string> publisher_of_;  // forwarded SSRC -> participant id
  std::map<std::string, GapStats> gaps_;
  std::vector<loadgen::ForwardedTrack> tracks_;
  std::map<std::uint32_t, std::uint64_t> received_;
  std::map<std::uint32_t, std::uint16_t> last_seq_in_;
  // Last: its hooks write into the members above, so it goes first.
  loadgen::Participant participant_;
};

}  // namespace rrtc::abuse
