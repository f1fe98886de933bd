#include "sdp/model.hpp"

#include <algorithm>

namespace rrtc::sdp {

MediaKind MediaSection::kind() const {
  if (media == "audio") return MediaKind::audio;
  if (media == "video") return MediaKind::video;
  if (media == "application") return MediaKind::application;
  return MediaKind::other;
}

Codec* MediaSection::find_codec(std::uint8_t payload_type) {
  auto it = std::find_if(codecs.begin(), codecs.end(),
                         [&](const Codec& codec) { return codec.payload_type == payload_type; });
  return it == codecs.end() ? nullptr : &*it;
}

const Codec* MediaSection::find_codec(std::uint8_t payload_type) const {
  return const_cast<MediaSection*>(this)->find_codec(payload_type);
}

const Group* SessionDescription::bundle_group() const {
  auto it = std::find_if(groups.begin(), groups.end(),
                         [](const Group& group) { return group.semantics == "BUNDLE"; });
  return it == groups.end() ? nullptr : &*it;
}

MediaSection* SessionDescription::find_media(std::string_view mid) {
  auto it = std::find_if(media.begin(), media.end(),
                         [&](const MediaSection& section) { return section.mid == mid; });
  return it == media.end() ? nullptr : &*it;
}

const MediaSection* SessionDescription::find_media(std::string_view mid) const {
  return const_cast<SessionDescription*>(this)->find_media(mid);
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "inactive";
}

std::string_view to_string(Setup setup) {
  switch (setup) {
    case Setup::actpass:
      return "actpass";
    case Setup::active:
      return "active";
    case Setup::passive:
      return "passive";
    case Setup::holdconn:
      return "holdconn";
  }
  return "actpass";
}

Direction reverse(Direction direction) {
  switch (direction) {
    case Direction::sendonly:
      return Direction::recvonly;
    case Direction::recvonly:
      return Direction::sendonly;
    default:
      return direction;
  }
}

}  // namespace rrtc::sdp
