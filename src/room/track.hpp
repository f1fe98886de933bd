#pragma once
// What the Router knows about the tracks of a room: a published track (one m-line a client
// sends on, with the client's payload types and extension ids) and a subscription (one of the
// server's m-lines to a subscriber, with what the subscriber's answer kept).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "room/media_backend.hpp"
#include "rtp/keyframe.hpp"
#include "rtp/packet.hpp"

namespace rrtc::room {

inline constexpr std::uint8_t kNoPayloadType = 0xFF;

// One payload type a publisher sends on a track.
struct PublishedCodec {
  std::uint8_t payload_type = 0;
  std::optional<std::uint8_t> rtx_payload_type;
  std::uint32_t clock_rate = 90000;
  std::optional<rtp::VideoCodec> video_codec;  // for key-frame detection; nullopt for audio
  bool nack = false;                           // rtcp-fb nack negotiated
  bool pli = false;                            // rtcp-fb nack pli
  bool fir = false;                            // rtcp-fb ccm fir
};

struct PublishedTrack {
  std::string key;  // "<participant>/<mid>": unique in the room, stable while published
  std::string mid;
  TrackType type = TrackType::camera;
  bool video = true;
  std::vector<PublishedCodec> codecs;  // first = preferred
  std::uint32_t ssrc = 0;              // 0: learned from the first packet carrying the mid
  std::uint32_t rtx_ssrc = 0;          // 0: none signalled
  std::uint8_t mid_extension_id = 0;   // the publisher's id for the sdes:mid extension, 0: none
  // The publisher's id for ssrc-audio-level (RFC 6464) on an audio track, 0: none; the Router
  // reads every packet's level for active-speaker detection.
  std::uint8_t audio_level_extension_id = 0;
  bool remb = false;                   // the publisher negotiated goog-remb
};

// One forwarded track on a subscriber's PeerConnection.
struct Subscription {
  std::string track_key;  // PublishedTrack::key
  std::uint32_t ssrc = 0;  // the server's SSRC towards this subscriber
  // Publisher payload type -> subscriber payload type; kNoPayloadType: not forwarded.
  std::array<std::uint8_t, 128> payload_types{};
  // Publisher extension id -> subscriber id; 0 removes the element.
  rtp::ExtensionIdMap extension_ids{};
  std::uint32_t clock_rate = 90000;
  bool video = true;
  // The subscriber negotiated generic NACK for this track, so its DownTrack keeps copies to
  // resend; without it (browsers' audio) the 384 KB ring is not allocated. subscription_for()
  // sets it from the answer.
  bool nack = true;
};

}  // namespace rrtc::room
