// transport::detail::DataChannels (peer_data_channels.hpp), then the Peer methods that use it.
#include "transport/peer_data_channels.hpp"

#include <algorithm>
#include <utility>

#include "transport/peer.hpp"

namespace rrtc::transport::detail {
namespace {

static_assert(kUnlimitedMessageSize == sctp::kUnlimitedMessageSize);

sctp::AssociationConfig association_config(const DataChannelConfig& config, dtls::Role role) {
  sctp::AssociationConfig out;
  // RFC 8832 section 6: the stream parity follows the DTLS role.
  out.role = role == dtls::Role::Passive ? sctp::Role::DtlsServer : sctp::Role::DtlsClient;
  out.local_port = config.local_port;
  out.remote_port = config.remote_port;
  out.max_message_size = config.max_message_size;
  out.remote_max_message_size =
      config.remote_max_message_size == 0 ? kUnlimitedMessageSize : config.remote_max_message_size;
  out.max_channels = config.max_channels;
  out.max_buffered_bytes = config.max_buffered_bytes;
  return out;
}

sctp::Reliability to_sctp(DataReliability reliability) noexcept {
  switch (reliability) {
    case DataReliability::MaxRetransmits:
      return sctp::Reliability::MaxRetransmits;
    case DataReliability::MaxPacketLifetime:
      return sctp::Reliability::MaxPacketLifetime;
    case DataReliability::Reliable:
      break;
  }
  return sctp::Reliability::Reliable;
}

DataReliability from_sctp(sctp::Reliability reliability) noexcept {
  switch (reliability) {
    case sctp::Reliability::MaxRetransmits:
      return DataReliability::MaxRetransmits;
    case sctp::Reliability::MaxPacketLifetime:
      return DataReliability::MaxPacketLifetime;
    case sctp::Reliability::Reliable:
      break;
  }
  return DataReliability::Reliable;
}

sctp::ChannelParameters to_sctp(const DataChannelParameters& p) noexcept {
  return {p.ordered, to_sctp(p.reliability), p.reliability_parameter, p.priority};
}

DataChannelParameters from_sctp(const sctp::ChannelParameters& p) noexcept {
  return {p.ordered, from_sctp(p.reliability), p.reliability_parameter, p.priority};
}

DataChannelError from_sctp(sctp::ChannelError error) noexcept {
  switch (error) {
    case sctp::ChannelError::NotUp:
      return DataChannelError::NotUp;
    case sctp::ChannelError::NoFreeStream:
      return DataChannelError::NoFreeStream;
    case sctp::ChannelError::TooLong:
      return DataChannelError::TooLong;
    case sctp::ChannelError::SendFailed:
      break;
  }
  return DataChannelError::SendFailed;
}

DataSendResult from_sctp(sctp::SendResult result) noexcept {
  switch (result) {
    case sctp::SendResult::Sent:
      return DataSendResult::Sent;
    case sctp::SendResult::NotOpen:
      return DataSendResult::NotOpen;
    case sctp::SendResult::TooLarge:
      return DataSendResult::TooLarge;
    case sctp::SendResult::BufferFull:
      return DataSendResult::BufferFull;
    case sctp::SendResult::Failed:
      break;
  }
  return DataSendResult::Failed;
}

}  // namespace

DataChannels::DataChannels(const DataChannelConfig& config, dtls::Role role, PacketOut send,
                           PeerListener& listener, PeerCounters& counters)
    : send_(std::move(send)),
      listener_(listener),
      counters_(counters),
      association_(association_config(config, role), *this) {}

DataChannels::~DataChannels() = default;

bool DataChannels::failed() const noexcept {
  return association_.state() == sctp::AssociationState::Failed;
}

const std::string& DataChannels::reason() const noexcept { return association_.reason(); }

bool DataChannels::up() const noexcept {
  return association_.state() == sctp::AssociationState::Up;
}

void DataChannels::start(time::Timestamp now, bool report) {
  if (association_.state() != sctp::AssociationState::New) return;
  association_.start(now);
  // A start that fails sets the state without an event (the Association reports only what its
  // inputs cause): say it here, once.
  if (report && failed()) listener_.on_data_state(DataState::Failed, association_.reason());
}

void DataChannels::handle_packet(std::span<const std::uint8_t> packet, time::Timestamp now) {
  ++counters_.data_packets_in;
  association_.handle_packet(packet, now);
}

void DataChannels::handle_timeout(time::Timestamp now) { association_.handle_timeout(now); }

std::optional<time::Timestamp> DataChannels::next_timeout() const noexcept {
  return association_.next_timeout();
}

OpenDataResult DataChannels::open(std::string_view label, std::string_view protocol,
                                  const DataChannelParameters& parameters) {
  const sctp::OpenResult opened = association_.open_channel(
      sctp::ChannelInit{std::string(label), std::string(protocol), to_sctp(parameters)});
  if (!opened.id) return {std::nullopt, from_sctp(opened.error)};
  channels_[*opened.id] =
      DataChannelInfo{*opened.id, std::string(label), std::string(protocol), parameters, false};
  return {opened.id, DataChannelError::NotUp};
}

DataSendResult DataChannels::send(std::uint16_t id, std::span<const std::uint8_t> data,
                                  bool binary) {
  const DataSendResult result = from_sctp(association_.send(id, data, binary));
  if (result == DataSendResult::Sent) ++counters_.data_messages_out;
  return result;
}

void DataChannels::close_channel(std::uint16_t id) { association_.close_channel(id); }

void DataChannels::close() { association_.close(); }

bool DataChannels::closing(std::uint16_t id) const noexcept {
  const sctp::ChannelInfo* info = association_.channel(id);
  return info == nullptr || info->closing;
}

std::optional<std::uint16_t> DataChannels::find(std::string_view label) const noexcept {
  for (const auto& [id, info] : channels_) {
    if (info.label == label && !closing(id)) return id;
  }
  return std::nullopt;
}

const DataChannelInfo* DataChannels::channel(std::uint16_t id) const noexcept {
  const auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : &it->second;
}

void DataChannels::on_packet(std::span<const std::uint8_t> packet) { send_(packet); }

void DataChannels::on_association_state(sctp::AssociationState state, std::string_view reason) {
  switch (state) {
    case sctp::AssociationState::Up:
      listener_.on_data_state(DataState::Up, reason);
      return;
    case sctp::AssociationState::Closed:
      listener_.on_data_state(DataState::Closed, reason);
      return;
    case sctp::AssociationState::Failed:
      listener_.on_data_state(DataState::Failed, reason);
      return;
    case sctp::AssociationState::New:
    case sctp::AssociationState::Connecting:
      return;
  }
}

void DataChannels::on_channel_open(std::uint16_t id, std::string_view label,
                                   std::string_view protocol) {
  const sctp::ChannelInfo* info = association_.channel(id);
  const DataChannelParameters parameters =
      info != nullptr ? from_sctp(info->parameters) : DataChannelParameters{};
  const DataChannelInfo& stored = channels_[id] =
      DataChannelInfo{id, std::string(label), std::string(protocol), parameters, true};
  listener_.on_data_channel_open(id, stored.label, stored.protocol, stored.parameters);
}

void DataChannels::on_message(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;  // the Association only delivers on channels it reported
  ++counters_.data_messages_in;
  listener_.on_data_message(id, it->second.label, data, binary);
}

void DataChannels::on_channel_closed(std::uint16_t id) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;
  // Out of the table before the call: the listener may open a channel with the same label.
  const std::string label = std::move(it->second.label);
  channels_.erase(it);
  listener_.on_data_channel_closed(id, label);
}

}  // namespace rrtc::transport::detail

namespace rrtc::transport {

// The Peer's data channel methods (peer.hpp), kept beside the DataChannels they drive.

EnableDataResult Peer::enable_data_channels(const DataChannelConfig& config) {
  if (terminal()) return EnableDataResult::PeerClosed;
  if (!config_) return EnableDataResult::NotStarted;
  if (data_) return EnableDataResult::AlreadyEnabled;
  data_ = std::make_unique<detail::DataChannels>(
      config, config_->dtls.role,
      [this](std::span<const std::uint8_t> packet) { send_sctp_packet(packet); }, listener_,
      counters_);
  if (!data_->failed() && state_ == PeerState::Connected) {
    // A method: a failed start is answered here, not reported.
    data_->start(timer_.now(), false);
    update_timer();
  }
  return data_->failed() ? EnableDataResult::SetupFailed : EnableDataResult::Enabled;
}

bool Peer::data_channels_up() const noexcept { return data_ && !terminal() && data_->up(); }

OpenDataResult Peer::open_data_channel(std::string_view label, std::string_view protocol,
                                       const DataChannelParameters& parameters) {
  if (!data_) return {std::nullopt, DataChannelError::NotEnabled};
  if (!data_channels_up()) return {std::nullopt, DataChannelError::NotUp};
  const OpenDataResult opened = data_->open(label, protocol, parameters);
  update_timer();
  return opened;
}

DataSendResult Peer::send_data(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
  if (!data_channels_up()) return DataSendResult::NotOpen;
  const DataSendResult sent = data_->send(id, data, binary);
  update_timer();
  return sent;
}

void Peer::close_data_channel(std::uint16_t id) {
  if (!data_ || terminal()) return;
  data_->close_channel(id);
  update_timer();
}

std::optional<std::uint16_t> Peer::data_channel_id(std::string_view label) const noexcept {
  return data_ ? data_->find(label) : std::nullopt;
}

const DataChannelInfo* Peer::data_channel(std::uint16_t id) const noexcept {
  return data_ ? data_->channel(id) : nullptr;
}

std::size_t Peer::data_channel_count() const noexcept { return data_ ? data_->channel_count() : 0; }

void Peer::on_application_data(std::span<const std::uint8_t> data) {
  if (state_ != PeerState::Connected) return;
  if (!data_) {
    // No application m-line was negotiated: nothing here speaks SCTP.
    ++counters_.data_packets_dropped;
    return;
  }
  data_->handle_packet(data, timer_.now());
}

void Peer::send_sctp_packet(std::span<const std::uint8_t> packet) noexcept {
  // Writing a record makes only Transmit outputs; they leave now, whatever events are queued.
  if (state_ != PeerState::Connected || !endpoint_->send_application_data(packet, timer_.now())) {
    ++counters_.data_packets_unsent;
    return;
  }
  ++counters_.data_packets_out;
  flush_transmits();
}

SctpDropCounters sctp_drop_counters() {
  const sctp::StackCounters stack = sctp::stack_counters();
  return {stack.checksum_errors, stack.bad_verification_tag, stack.out_of_the_blue,
          stack.refused_before_stack};
}

}  // namespace rrtc::transport
