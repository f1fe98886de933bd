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

// One spatial layer of a simulcast track (RFC 8853): the encoding a `rid` names. Chromium sends
// no a=ssrc for rid simulcast, so a layer's SSRCs are learned from the first packet carrying its
// rid (RFC 8852 rtp-stream-id) or, for RTX, repaired-rtp-stream-id. Layers are listed as the
// offer's a=simulcast lists them; which one is the lowest is decided from what they carry
// (resolution, bitrate), never from their position: Chromium and Firefox order them differently.
struct PublishedLayer {
  std::string rid;             // empty for the layers of the legacy a=ssrc-group:SIM form
  std::uint32_t ssrc = 0;      // 0: learned from the rid extension
  std::uint32_t rtx_ssrc = 0;  // 0: learned from repaired-rid, or none
  // a=rid restrictions (RFC 8851 section 5), 0: not given.
  std::uint32_t max_width = 0;
  std::uint32_t max_height = 0;
};

// Most spatial layers a published video track may have; an offer with more gets error 400.
inline constexpr std::size_t kMaxSpatialLayers = 3;

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
  // Simulcast (issue 17): two or three layers; empty for a single-stream track, which uses
  // `ssrc` / `rtx_ssrc` above. With layers, `ssrc` and `rtx_ssrc` are 0.
  std::vector<PublishedLayer> layers;
  std::uint8_t rid_extension_id = 0;           // rtp-stream-id, 0: none
  std::uint8_t repaired_rid_extension_id = 0;  // repaired-rtp-stream-id, 0: none
  // The publisher's transport-wide-cc id (its uplink feedback is built from it), 0: none.
  std::uint8_t transport_cc_extension_id = 0;
  // The publisher negotiated rtcp-fb transport-cc: the server sends it transport-cc feedback.
  bool transport_cc = false;
};

// One forwarded track on a subscriber's PeerConnection.
struct Subscription {
  std::string track_key;  // PublishedTrack::key
  // The track id the subscriber knows it by (a=msid, "<participant>-<type>[-N]"): what its
  // track_settings and stream_state name.
  std::string track_id;
  TrackType type = TrackType::camera;
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
  // The subscriber's id for transport-wide-cc on this m-line, 0: not negotiated. When set,
  // `extension_ids` maps the publisher's transport-wide-cc id to it, so the forwarded copy keeps
  // a 2-byte slot the Router stamps with the subscriber's own transport-wide sequence number.
  std::uint8_t transport_cc_extension_id = 0;
  // The subscriber negotiated rtcp-fb transport-cc (else its REMB is the estimate).
  bool transport_cc = false;
};

// What a subscriber asked of one received video track (PROTOCOL.md v1.1 track_settings);
// 0: no limit.
struct TrackSettings {
  bool paused = false;
  std::uint32_t max_width = 0;
  std::uint32_t max_height = 0;
  std::uint32_t max_fps = 0;
  friend bool operator==(const TrackSettings&, const TrackSettings&) = default;
};

}  // namespace rrtc::room
