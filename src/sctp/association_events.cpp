// The receive half of Association: what usrsctp delivered (user data, DCEP, notifications),
// handled on the owner's thread after the stack mutex is released.

#include <arpa/inet.h>

#include <cstring>
#include <utility>

#include "sctp/association.hpp"
#include "sctp/usrsctp_stack.hpp"

namespace rrtc::sctp {

void Association::handle_delivery(detail::Delivery& delivery) {
  const std::span<const std::uint8_t> bytes(delivery.data.get(), delivery.length);
  if (delivery.notification) {
    handle_notification(bytes);
    return;
  }
  const auto found = reassembly_.find(delivery.stream);
  if (found == reassembly_.end() && delivery.end_of_record) {
    // The common case: a whole message in one delivery, handled without a copy.
    if (bytes.size() > config_.max_message_size) {
      ++counters_.oversize_dropped;
      return;
    }
    handle_message(delivery.stream, delivery.ppid, bytes);
    return;
  }
  // A fragment (usrsctp's partial delivery of a large message): collect up to our limit.
  ++counters_.fragments_in;
  Reassembly& partial = found != reassembly_.end() ? found->second : reassembly_[delivery.stream];
  if (!partial.discarding) {
    if (partial.data.size() + bytes.size() > config_.max_message_size) {
      partial.discarding = true;
      partial.data = {};
      ++counters_.oversize_dropped;
    } else {
      partial.data.insert(partial.data.end(), bytes.begin(), bytes.end());
    }
  }
  if (!delivery.end_of_record) return;
  const auto it = reassembly_.find(delivery.stream);
  const bool discarded = it->second.discarding;
  std::vector<std::uint8_t> message = std::move(it->second.data);
  reassembly_.erase(it);
  if (!discarded) handle_message(delivery.stream, delivery.ppid, message);
}

void Association::handle_message(std::uint16_t stream, std::uint32_t ppid,
                                 std::span<const std::uint8_t> data) {
  if (ppid == static_cast<std::uint32_t>(Ppid::Dcep)) {
    handle_dcep(stream, data);
    return;
  }
  const bool text = ppid == static_cast<std::uint32_t>(Ppid::String) ||
                    ppid == static_cast<std::uint32_t>(Ppid::StringPartial) ||
                    ppid == static_cast<std::uint32_t>(Ppid::StringEmpty);
  const bool binary = ppid == static_cast<std::uint32_t>(Ppid::Binary) ||
                      ppid == static_cast<std::uint32_t>(Ppid::BinaryPartial) ||
                      ppid == static_cast<std::uint32_t>(Ppid::BinaryEmpty);
  if (!text && !binary) {
    ++counters_.unknown_ppid;
    return;
  }
  const auto it = channels_.find(stream);
  if (it == channels_.end() || it->second.closing) {
    ++counters_.unknown_channel;
    return;
  }
  // RFC 8831 section 6.6: an empty message travels as one byte with PPID 56 or 57.
  if (ppid == static_cast<std::uint32_t>(Ppid::StringEmpty) ||
      ppid == static_cast<std::uint32_t>(Ppid::BinaryEmpty)) {
    data = {};
  }
  ++counters_.messages_in;
  counters_.bytes_in += data.size();
  listener_.on_message(stream, data, binary);
}

void Association::handle_dcep(std::uint16_t stream, std::span<const std::uint8_t> data) {
  DcepParseResult parsed = parse_dcep(data);
  if (!parsed.message) {
    ++counters_.dcep_errors;
    return;
  }
  if (std::holds_alternative<DcepAck>(*parsed.message)) {
    const auto it = channels_.find(stream);
    if (it == channels_.end() || it->second.remote_opened) {
      ++counters_.dcep_errors;
      return;
    }
    it->second.acknowledged = true;
    return;
  }
  DcepOpen& open = std::get<DcepOpen>(*parsed.message);
  std::size_t remote_channels = 0;
  for (const auto& [id, info] : channels_) remote_channels += info.remote_opened ? 1 : 0;
  // RFC 8832 section 6 gives each side a parity, but python3-aiortc 1.4 opens its channels on
  // odd streams from the DTLS client side: any stream not in use is accepted (ours skip the
  // streams the remote uses).
  if (channels_.contains(stream)) {
    ++counters_.channels_refused;
    return;
  }
  if (remote_channels >= config_.max_channels) {
    ++counters_.channels_refused;
    request_reset(stream);
    return;
  }
  ChannelInfo info;
  info.id = stream;
  info.label = std::move(open.label);
  info.protocol = std::move(open.protocol);
  info.parameters = open.parameters;
  info.remote_opened = true;
  info.acknowledged = true;
  const auto& stored = channels_.emplace(stream, std::move(info)).first->second;
  static constexpr std::uint8_t kAck[1] = {kDcepAckType};
  const auto ppid = static_cast<std::uint32_t>(Ppid::Dcep);
  switch (pending_.empty() ? submit(stream, ppid, kAck) : Submit::WouldBlock) {
    case Submit::Done:
      break;
    case Submit::WouldBlock:
      pending_bytes_ += 1;
      pending_.push_back({stream, ppid, {kDcepAckType}});
      break;
    case Submit::Failed:
      ++counters_.send_failed;
      break;
  }
  flush_packets();
  listener_.on_channel_open(stream, stored.label, stored.protocol);
}

void Association::handle_notification(std::span<const std::uint8_t> bytes) {
  union sctp_notification notification {};
  if (bytes.size() < sizeof(notification.sn_header)) return;
  std::memcpy(&notification, bytes.data(), std::min(bytes.size(), sizeof(notification)));
  switch (notification.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      if (bytes.size() < sizeof(struct sctp_assoc_change)) return;
      const struct sctp_assoc_change& change = notification.sn_assoc_change;
      switch (change.sac_state) {
        case SCTP_COMM_UP:
        case SCTP_RESTART:
          streams_ = std::min(change.sac_outbound_streams, change.sac_inbound_streams);
          set_state(AssociationState::Up, {});
          break;
        case SCTP_COMM_LOST:
          set_state(AssociationState::Failed,
                    "association lost (peer abort or retransmission limit)");
          break;
        case SCTP_CANT_STR_ASSOC:
          set_state(AssociationState::Failed, "could not establish the association");
          break;
        case SCTP_SHUTDOWN_COMP:
          set_state(AssociationState::Closed, "the peer shut the association down");
          break;
        default:
          break;
      }
      return;
    }
    case SCTP_SHUTDOWN_EVENT:
      set_state(AssociationState::Closed, "the peer shut the association down");
      return;
    case SCTP_SEND_FAILED_EVENT:
      ++counters_.send_failed;
      return;
    case SCTP_STREAM_RESET_EVENT: {
      const std::size_t header = offsetof(struct sctp_stream_reset_event, strreset_stream_list);
      if (bytes.size() < header) return;
      const std::size_t count = (bytes.size() - header) / sizeof(std::uint16_t);
      std::vector<std::uint16_t> streams(count);
      if (count != 0)
        std::memcpy(streams.data(), bytes.data() + header, count * sizeof(std::uint16_t));
      handle_stream_reset(notification.sn_strreset_event.strreset_flags, streams);
      return;
    }
    default:
      return;
  }
}

void Association::handle_stream_reset(std::uint16_t flags, std::span<const std::uint16_t> streams) {
  if ((flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0) {
    // The peer refused to reset: it will never close its side, so stop waiting for it.
    for (const std::uint16_t id : streams) {
      const auto it = channels_.find(id);
      if (it == channels_.end() || !it->second.closing) continue;
      channels_.erase(it);
      listener_.on_channel_closed(id);
      if (address_ == 0) return;
    }
    return;
  }
  if ((flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0) return;  // our own outgoing reset done
  // The remote reset its outgoing stream: the channel is closed in its direction. Close ours
  // (unless we started it) and report the channel closed (RFC 8831 section 6.7).
  for (const std::uint16_t id : streams) {
    reassembly_.erase(id);
    const auto it = channels_.find(id);
    if (it == channels_.end()) continue;
    if (!it->second.closing && state_ == AssociationState::Up) {
      std::erase_if(pending_, [&](const Pending& p) {
        if (p.id != id) return false;
        pending_bytes_ -= p.data.size();
        return true;
      });
      request_reset(id);
    }
    channels_.erase(it);
    flush_packets();
    listener_.on_channel_closed(id);
    if (address_ == 0) return;
  }
}

void Association::set_state(AssociationState state, std::string reason) {
  if (state == state_) return;
  const bool terminal_now =
      state_ == AssociationState::Closed || state_ == AssociationState::Failed;
  if (terminal_now) return;
  state_ = state;
  reason_ = std::move(reason);
  if (state == AssociationState::Closed || state == AssociationState::Failed) {
    // Every channel dies with the association.
    std::vector<std::uint16_t> ids;
    for (const auto& [id, info] : channels_) ids.push_back(id);
    channels_.clear();
    pending_.clear();
    pending_bytes_ = 0;
    reassembly_.clear();
    for (const std::uint16_t id : ids) listener_.on_channel_closed(id);
  }
  listener_.on_association_state(state_, reason_);
}

}  // namespace rrtc::sctp
