// The sending half of Association: channels we open and close, messages out, the queue of
// messages usrsctp's send buffer could not take yet, and stream resets.

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sctp/association.hpp"
#include "sctp/usrsctp_stack.hpp"

namespace rrtc::sctp {

using detail::Stack;

const char* to_string(ChannelError error) noexcept {
  switch (error) {
    case ChannelError::NotUp:
      return "the SCTP association is not up";
    case ChannelError::NoFreeStream:
      return "no free SCTP stream for a new channel";
    case ChannelError::TooLong:
      return "channel label or protocol longer than 65535 bytes";
    case ChannelError::SendFailed:
      return "SCTP refused the DATA_CHANNEL_OPEN";
  }
  return "unknown channel error";
}

const char* to_string(SendResult result) noexcept {
  switch (result) {
    case SendResult::Sent:
      return "sent";
    case SendResult::NotOpen:
      return "channel not open";
    case SendResult::TooLarge:
      return "message larger than the remote's max-message-size";
    case SendResult::BufferFull:
      return "send buffer full";
    case SendResult::Failed:
      return "SCTP refused the message";
  }
  return "unknown send result";
}

const ChannelInfo* Association::channel(std::uint16_t id) const {
  const auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : &it->second;
}

OpenResult Association::open_channel(const ChannelInit& init) {
  if (state_ != AssociationState::Up || address_ == 0) return {std::nullopt, ChannelError::NotUp};
  if (init.label.size() > 0xFFFF || init.protocol.size() > 0xFFFF) {
    return {std::nullopt, ChannelError::TooLong};
  }
  // Our parity (RFC 8832 section 6), taken from the highest stream down: python3-aiortc 1.4 opens
  // its own channels from stream 1 upwards whatever its DTLS role, so both sides opening at once
  // would otherwise collide on stream 1.
  std::optional<std::uint16_t> id;
  const std::uint32_t parity = config_.role == Role::DtlsClient ? 0 : 1;
  if (streams_ > parity) {
    std::uint32_t top = streams_ - 1;
    if (top % 2 != parity) --top;
    for (std::int64_t candidate = top; candidate >= 0; candidate -= 2) {
      const auto stream = static_cast<std::uint16_t>(candidate);
      if (!channels_.contains(stream)) {
        id = stream;
        break;
      }
    }
  }
  if (!id) return {std::nullopt, ChannelError::NoFreeStream};
  DcepOpen open{init.parameters, init.label, init.protocol};
  std::vector<std::uint8_t> bytes(serialized_size(open));
  write_to(open, bytes);
  ChannelInfo info;
  info.id = *id;
  info.label = init.label;
  info.protocol = init.protocol;
  info.parameters = init.parameters;
  channels_.emplace(*id, std::move(info));
  const auto ppid = static_cast<std::uint32_t>(Ppid::Dcep);
  switch (pending_.empty() ? submit(*id, ppid, bytes) : Submit::WouldBlock) {
    case Submit::Done:
      break;
    case Submit::WouldBlock:
      pending_bytes_ += bytes.size();
      pending_.push_back({*id, ppid, std::move(bytes)});
      break;
    case Submit::Failed:
      channels_.erase(*id);
      return {std::nullopt, ChannelError::SendFailed};
  }
  drain(false);
  return {id, ChannelError::NotUp};
}

SendResult Association::send(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
  if (state_ != AssociationState::Up || address_ == 0) return SendResult::NotOpen;
  const auto it = channels_.find(id);
  if (it == channels_.end() || it->second.closing) return SendResult::NotOpen;
  if (data.size() > config_.remote_max_message_size) return SendResult::TooLarge;
  static constexpr std::uint8_t kEmptyPayload[1] = {0};
  std::uint32_t ppid = 0;
  if (data.empty()) {
    ppid = static_cast<std::uint32_t>(binary ? Ppid::BinaryEmpty : Ppid::StringEmpty);
    data = kEmptyPayload;
  } else {
    ppid = static_cast<std::uint32_t>(binary ? Ppid::Binary : Ppid::String);
  }
  if (pending_.empty()) {
    switch (submit(id, ppid, data)) {
      case Submit::Done:
        ++counters_.messages_out;
        counters_.bytes_out += data.size();
        drain(false);
        return SendResult::Sent;
      case Submit::Failed:
        return SendResult::Failed;
      case Submit::WouldBlock:
        break;
    }
  }
  if (pending_bytes_ + data.size() > config_.max_buffered_bytes) return SendResult::BufferFull;
  pending_bytes_ += data.size();
  pending_.push_back({id, ppid, std::vector<std::uint8_t>(data.begin(), data.end())});
  return SendResult::Sent;
}

Association::Submit Association::submit(std::uint16_t id, std::uint32_t ppid,
                                        std::span<const std::uint8_t> data) {
  struct sctp_sendv_spa spa {};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = id;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  const ChannelInfo* info = channel(id);
  // DCEP messages go ordered and reliable; user messages on an unordered channel go ordered
  // until the remote's ACK (RFC 8832 section 6), so they cannot overtake the OPEN.
  if (ppid != static_cast<std::uint32_t>(Ppid::Dcep) && info != nullptr) {
    const ChannelParameters& p = info->parameters;
    if (!p.ordered && info->acknowledged) spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
    if (p.reliability == Reliability::MaxRetransmits) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
      spa.sendv_prinfo.pr_value = p.reliability_parameter;
    } else if (p.reliability == Reliability::MaxPacketLifetime) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
      spa.sendv_prinfo.pr_value = p.reliability_parameter;
    }
  }
  ssize_t sent = 0;
  int error = 0;
  {
    const Stack::Lock lock;
    sent = usrsctp_sendv(socket_, data.data(), data.size(), nullptr, 0, &spa,
                         static_cast<socklen_t>(sizeof(spa)), SCTP_SENDV_SPA, 0);
    error = errno;
  }
  if (sent >= 0) return Submit::Done;
  if (error == EWOULDBLOCK || error == EAGAIN) return Submit::WouldBlock;
  return Submit::Failed;
}

void Association::flush_pending() {
  bool any = false;
  while (!pending_.empty() && address_ != 0 && state_ == AssociationState::Up) {
    Pending& front = pending_.front();
    const Submit result = submit(front.id, front.ppid, front.data);
    if (result == Submit::WouldBlock) break;
    if (result == Submit::Done) {
      if (front.ppid != static_cast<std::uint32_t>(Ppid::Dcep)) {
        ++counters_.messages_out;
        counters_.bytes_out += front.data.size();
      }
    } else {
      ++counters_.send_failed;
    }
    pending_bytes_ -= front.data.size();
    pending_.pop_front();
    any = true;
  }
  if (any) drain(false);
}

void Association::close_channel(std::uint16_t id) {
  const auto it = channels_.find(id);
  if (it == channels_.end() || it->second.closing) return;
  it->second.closing = true;
  std::erase_if(pending_, [&](const Pending& p) {
    if (p.id != id) return false;
    pending_bytes_ -= p.data.size();
    return true;
  });
  if (address_ == 0 || state_ != AssociationState::Up) return;
  request_reset(id);
  drain(false);
}

void Association::request_reset(std::uint16_t id) {
  if (reset_stream(id) == ResetRequest::Busy) resets_to_retry_.push_back(id);
}

Association::ResetRequest Association::reset_stream(std::uint16_t id) {
  // struct sctp_reset_streams ends in a flexible array: one stream.
  alignas(struct sctp_reset_streams)
      std::uint8_t buffer[sizeof(struct sctp_reset_streams) + sizeof(std::uint16_t)] = {};
  auto* request = reinterpret_cast<struct sctp_reset_streams*>(buffer);
  request->srs_assoc_id = SCTP_ALL_ASSOC;
  request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  request->srs_number_streams = 1;
  std::memcpy(buffer + sizeof(struct sctp_reset_streams), &id, sizeof(id));
  int rc = 0;
  int error = 0;
  {
    const Stack::Lock lock;
    rc = usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer,
                            static_cast<socklen_t>(sizeof(buffer)));
    error = errno;
  }
  if (rc == 0) return ResetRequest::Sent;
  // One reset request may be outstanding at a time (RFC 6525 section 5.1.1): try again later.
  if (error == EALREADY || error == EBUSY || error == EAGAIN || error == EINPROGRESS) {
    return ResetRequest::Busy;
  }
  return ResetRequest::Failed;
}

void Association::retry_resets() {
  if (resets_to_retry_.empty() || address_ == 0 || state_ != AssociationState::Up) return;
  // usrsctp allows one outstanding reset request; the others wait for the next tick.
  std::vector<std::uint16_t> waiting;
  waiting.swap(resets_to_retry_);
  for (const std::uint16_t id : waiting) {
    request_reset(id);
  }
  drain(false);
}

}  // namespace rrtc::sctp
