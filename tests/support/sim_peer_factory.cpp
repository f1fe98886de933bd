#include "support/sim_peer_factory.hpp"

#include <utility>

namespace rrtc::test {

SimPeerFactory::SimPeerFactory(ice::SimNetwork& network,
                               std::shared_ptr<const dtls::Certificate> certificate)
    : network_(network), certificate_(std::move(certificate)) {}

void SimPeerFactory::set_links(const Links& links) {
  chooser_ = [links](std::size_t) { return links; };
}

std::unique_ptr<transport::Peer> SimPeerFactory::create(transport::PeerTimer& timer,
                                                        transport::PeerListener& listener) {
  if (refuse_ > 0) {
    --refuse_;
    ++refused_;
    return nullptr;
  }
  const std::size_t index = created_.size();
  ice::SimPair pair = [&] {
    if (prepared_.empty()) {
      const Links links = chooser_ ? chooser_(index) : Links{};
      return network_.create_pair(links.down, links.up);
    }
    ice::SimPair next = std::move(prepared_.front());
    prepared_.pop_front();
    return next;
  }();
  Created created{index, pair.a->local_credentials().ufrag, pair.path, std::move(pair.b)};
  created_.push_back(std::move(created));
  return std::make_unique<transport::Peer>(std::move(pair.a), certificate_, timer, listener);
}

SimPeerFactory::Prepared SimPeerFactory::prepare(const Links& links) {
  ice::SimPair pair = network_.create_pair(links.down, links.up);
  Prepared prepared{pair.path, std::move(pair.b)};
  prepared_.push_back(std::move(pair));
  return prepared;
}

const SimPeerFactory::Created* SimPeerFactory::find(std::string_view server_ufrag) const {
  for (const Created& created : created_) {
    if (created.server_ufrag == server_ufrag) return &created;
  }
  return nullptr;
}

std::unique_ptr<ice::IceTransport> SimPeerFactory::take_client_end(std::string_view server_ufrag) {
  const Created* created = find(server_ufrag);
  return created == nullptr ? nullptr : take_client_end(created->index);
}

std::unique_ptr<ice::IceTransport> SimPeerFactory::take_client_end(std::size_t index) {
  if (index >= created_.size()) return nullptr;
  return std::move(created_[index].client_end);
}

std::optional<ice::SimPath> SimPeerFactory::path(std::string_view server_ufrag) const {
  const Created* created = find(server_ufrag);
  if (created == nullptr) return std::nullopt;
  return created->path;
}

std::optional<ice::SimPath> SimPeerFactory::path(std::size_t index) const {
  if (index >= created_.size()) return std::nullopt;
  return created_[index].path;
}

}  // namespace rrtc::test
