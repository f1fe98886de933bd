#include "transport/data_channel.hpp"

namespace rrtc::transport {

const char* to_string(DataState state) noexcept {
  switch (state) {
    case DataState::Up:
      return "up";
    case DataState::Closed:
      return "closed";
    case DataState::Failed:
      return "failed";
  }
  return "unknown";
}

const char* to_string(EnableDataResult result) noexcept {
  switch (result) {
    case EnableDataResult::Enabled:
      return "enabled";
    case EnableDataResult::NotStarted:
      return "peer not started";
    case EnableDataResult::AlreadyEnabled:
      return "data channels already enabled";
    case EnableDataResult::PeerClosed:
      return "peer closed";
    case EnableDataResult::SetupFailed:
      return "SCTP association could not be set up";
  }
  return "unknown";
}

const char* to_string(DataChannelError error) noexcept {
  switch (error) {
    case DataChannelError::NotEnabled:
      return "data channels not enabled";
    case DataChannelError::NotUp:
      return "the SCTP association is not up";
    case DataChannelError::NoFreeStream:
      return "no free SCTP stream for a new channel";
    case DataChannelError::TooLong:
      return "channel label or protocol longer than 65535 bytes";
    case DataChannelError::SendFailed:
      return "SCTP refused the DATA_CHANNEL_OPEN";
  }
  return "unknown";
}

const char* to_string(DataSendResult result) noexcept {
  switch (result) {
    case DataSendResult::Sent:
      return "sent";
    case DataSendResult::NotOpen:
      return "channel not open";
    case DataSendResult::TooLarge:
      return "message larger than the remote's max-message-size";
    case DataSendResult::BufferFull:
      return "send buffer full";
    case DataSendResult::Failed:
      return "SCTP refused the message";
  }
  return "unknown";
}

}  // namespace rrtc::transport
