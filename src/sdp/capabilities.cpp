#include "sdp/capabilities.hpp"

namespace rrtc::sdp {
namespace {

std::vector<RtcpFeedback> video_feedback() {
  return {{"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
}

CodecCapability video(std::string name, std::uint8_t pt, std::uint8_t rtx_pt,
                      std::vector<FmtpParam> fmtp) {
  CodecCapability codec;
  codec.kind = MediaKind::video;
  codec.name = std::move(name);
  codec.payload_type = pt;
  codec.rtx_payload_type = rtx_pt;
  codec.fmtp = std::move(fmtp);
  codec.feedback = video_feedback();
  return codec;
}

}  // namespace

Capabilities default_capabilities() {
  Capabilities caps;
  CodecCapability opus;
  opus.kind = MediaKind::audio;
  opus.name = "opus";
  opus.clock_rate = 48000;
  opus.channels = 2;
  opus.payload_type = 111;
  opus.fmtp = {{"minptime", "10"}, {"useinbandfec", "1"}};
  opus.feedback = {{"transport-cc", ""}, {"nack", ""}};
  caps.codecs.push_back(opus);
  // Chrome's payload type numbers, so a Chrome publisher needs no rewriting.
  caps.codecs.push_back(video("VP8", 96, 97, {}));
  caps.codecs.push_back(video("VP9", 98, 99, {{"profile-id", "0"}}));
  caps.codecs.push_back(video("VP9", 100, 101, {{"profile-id", "2"}}));
  caps.codecs.push_back(video("H264", 102, 103,
                              {{"level-asymmetry-allowed", "1"},
                               {"packetization-mode", "1"},
                               {"profile-level-id", "42e01f"}}));
  caps.codecs.push_back(video("H264", 104, 107,
                              {{"level-asymmetry-allowed", "1"},
                               {"packetization-mode", "0"},
                               {"profile-level-id", "42e01f"}}));
  caps.codecs.push_back(
      video("AV1", 45, 46, {{"level-idx", "5"}, {"profile", "0"}, {"tier", "0"}}));
  caps.extensions = {
      {uri::kAudioLevel, true, false, 1},           {uri::kAbsSendTime, true, true, 2},
      {uri::kTransportWideCc, true, true, 3},       {uri::kMid, true, true, 4},
      {uri::kPlayoutDelay, false, true, 5},         {uri::kRtpStreamId, false, true, 10},
      {uri::kRepairedRtpStreamId, false, true, 11}, {uri::kVideoOrientation, false, true, 13},
  };
  return caps;
}

}  // namespace rrtc::sdp
