#pragma once
// A transport::PeerFactory for deterministic tests of the engine: every Peer it creates sits on
// side A of a fresh ice::SimNetwork pair, and side B (an IceTransport) waits for the test, which
// attaches its own client to it (a transport::Peer in the DTLS Active role, standing in for a
// browser). The test chooses each pair's links (A -> B is "down", server to client) and may
// change them at run time through the pair's SimPath.
//
// DTLS on the simulated clock: connect on loss-free links, then switch loss on (see
// ice/sim_network.hpp).
//
// Threading: the SimLoop's thread only. The factory and its network must outlive the Peers and
// client ends it hands out.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dtls/certificate.hpp"
#include "ice/sim_network.hpp"
#include "transport/peer_factory.hpp"

namespace rrtc::test {

class SimPeerFactory final : public transport::PeerFactory {
 public:
  struct Links {
    ice::LinkConfig down;  // server -> client (A -> B)
    ice::LinkConfig up;    // client -> server (B -> A)
  };
  // The links of the index-th Peer (0, 1, ... in creation order).
  using LinkChooser = std::function<Links(std::size_t index)>;

  // One created Peer's pair: its path (links, counters, fail()) and the client's end.
  struct Created {
    std::size_t index = 0;
    std::string server_ufrag;
    ice::SimPath path;
    std::unique_ptr<ice::IceTransport> client_end;  // null once taken
  };

  SimPeerFactory(ice::SimNetwork& network, std::shared_ptr<const dtls::Certificate> certificate =
                                               dtls::Certificate::shared());

  std::unique_ptr<transport::Peer> create(transport::PeerTimer& timer,
                                          transport::PeerListener& listener) override;

  // A client that needs its ICE agent before the server has a Peer (a browser offering first):
  // the pair is made now, its side B and path returned, and side A waits for the next create()
  // (prepared pairs go first, in the order prepared; create() then ignores the links chooser).
  struct Prepared {
    ice::SimPath path;
    std::unique_ptr<ice::IceTransport> client_end;
  };
  Prepared prepare(const Links& links);

  // Links for every Peer created from now on (replaces a chooser).
  void set_links(const Links& links);
  void set_link_chooser(LinkChooser chooser) { chooser_ = std::move(chooser); }
  // The next `count` create() calls return nullptr, as a refused ICE agent would.
  void refuse_next(std::size_t count) { refuse_ = count; }

  // The client end of the Peer whose local ufrag is `server_ufrag` (what the server's SDP says),
  // or of the index-th Peer; nullptr when unknown or already taken.
  std::unique_ptr<ice::IceTransport> take_client_end(std::string_view server_ufrag);
  std::unique_ptr<ice::IceTransport> take_client_end(std::size_t index);
  // The pair's path, to change its links or read their counters; nullopt when unknown.
  std::optional<ice::SimPath> path(std::string_view server_ufrag) const;
  std::optional<ice::SimPath> path(std::size_t index) const;

  std::size_t created() const noexcept { return created_.size(); }
  std::size_t refused() const noexcept { return refused_; }
  ice::SimNetwork& network() const noexcept { return network_; }
  const std::shared_ptr<const dtls::Certificate>& certificate() const noexcept {
    return certificate_;
  }

 private:
  const Created* find(std::string_view server_ufrag) const;

  ice::SimNetwork& network_;
  std::shared_ptr<const dtls::Certificate> certificate_;
  LinkChooser chooser_;
  std::vector<Created> created_;
  std::deque<ice::SimPair> prepared_;
  std::size_t refuse_ = 0;
  std::size_t refused_ = 0;
};

}  // namespace rrtc::test
