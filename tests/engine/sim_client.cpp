#include "sim_client.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "dtls/certificate.hpp"
#include "rtcp/compound.hpp"
#include "rtcp/nack.hpp"
#include "rtp/keyframe.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::engine::test {
namespace {

constexpr std::size_t kKeptPackets = 512;
constexpr auto kNackRetry = std::chrono::milliseconds(50);
constexpr int kNackTries = 3;
constexpr std::size_t kPayloadBytes = 200;

// VP8 payload descriptor (S=1, PID=0) and frame tag; a key frame adds the start code and size.
std::vector<std::uint8_t> vp8_payload(bool keyframe, bool first,
                                      std::size_t bytes = kPayloadBytes) {
  std::vector<std::uint8_t> payload(std::max<std::size_t>(bytes, 16), 0x5a);
  payload[0] = first ? 0x10 : 0x00;
  if (first) {
    payload[1] = keyframe ? 0x10 : 0x11;  // P=0: key frame; show_frame
    payload[2] = 0x00;
    payload[3] = 0x00;
    if (keyframe) {
      const std::array<std::uint8_t, 7> start{0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01};
      std::copy(start.begin(), start.end(), payload.begin() + 4);
    }
  }
  return payload;
}

// Forward distance from `from` to `to` in 16-bit sequence space (negative: `to` is older).
int seq_distance(std::uint16_t from, std::uint16_t to) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(to - from));
}

}  // namespace

SimClient::SimClient(io::SimLoop& loop, std::string id, std::unique_ptr<ice::IceTransport> ice,
                     bool publishes, loadgen::SubscriberOffer receive_only)
    : loop_(loop),
      id_(std::move(id)),
      timer_(loop),
      publishes_(publishes),
      receive_only_(receive_only) {
  create_peer(std::move(ice));
  identity_.session_id = "4242";
  identity_.cname = id_;
  published_.participant_id = id_;
  published_.audio = publishes;
  published_.video = publishes;
  // Fixed per id, so a run repeats exactly.
  std::uint32_t seed = 2166136261u;
  for (const unsigned char c : id_) seed = (seed ^ c) * 16777619u;
  published_.audio_ssrc = seed | 1u;
  published_.video_ssrc = (seed * 31u) | 2u;
}

SimClient::SimClient(io::SimLoop& loop, std::string id, IceSource source)
    : SimClient(loop, std::move(id), nullptr, false) {
  ice_source_ = std::move(source);
}

void SimClient::create_peer(std::unique_ptr<ice::IceTransport> ice) {
  if (ice == nullptr) return;  // a viewer: the first server offer brings it
  transport::PeerListener& listener = *this;
  peer_ = std::make_unique<transport::Peer>(std::move(ice), dtls::Certificate::generate(), timer_,
                                            listener);
  timer_.set_peer(peer_.get());
  const auto credentials = peer_->local_credentials();
  identity_.ice_ufrag = credentials.ufrag;
  identity_.ice_pwd = credentials.pwd;
  identity_.fingerprint = {"sha-256", peer_->local_fingerprint().value()};
}

SimClient::~SimClient() {
  nack_timer_.cancel();
  peer_.reset();
  timer_.set_peer(nullptr);
}

std::string SimClient::offer() {
  const auto sdp = publishes_ ? loadgen::publisher_offer(identity_, published_, ++sdp_version_)
                              : loadgen::subscriber_offer(identity_, ++sdp_version_, receive_only_);
  return sdp::serialize(sdp);
}

std::string SimClient::on_answer(const std::string& text) {
  auto answer = sdp::parse(text);
  if (!answer) return "unparsable answer: " + answer.error().message();
  if (started_) return "";  // a renegotiation of ours: the transport stays
  const auto remote = loadgen::remote_transport(*answer);
  if (!remote) return "answer without ICE credentials or fingerprint";
  return start(*remote, true);
}

std::string SimClient::start(const loadgen::RemoteTransportInfo& remote, bool data_channels) {
  if (const auto started = peer_->start(loadgen::client_peer_config(remote));
      started != transport::StartResult::Started) {
    return std::string("could not start the peer: ") + transport::to_string(started);
  }
  started_ = true;
  // Both sides use a=sctp-port 5000 (the load generator's SDP and rrtc's).
  if (data_channels) peer_->enable_data_channels(transport::DataChannelConfig{});
  for (const auto& candidate : remote.candidates) peer_->add_remote_candidate(candidate);
  for (const auto& candidate : early_candidates_) peer_->add_remote_candidate(candidate);
  early_candidates_.clear();
  return "";
}

std::optional<std::string> SimClient::on_offer(const std::string& text) {
  auto offer = sdp::parse(text);
  if (!offer) return std::nullopt;
  const auto remote = loadgen::remote_transport(*offer);
  if (peer_ == nullptr) {
    if (!remote || !ice_source_) return std::nullopt;
    create_peer(ice_source_(remote->ice_ufrag));
    if (peer_ == nullptr) return std::nullopt;
  }
  auto answer = loadgen::answer_server_offer(*offer, identity_, publishes_ ? &published_ : nullptr,
                                             ++sdp_version_);
  if (!answer) return std::nullopt;
  if (!started_) {
    // A viewer: the server's offer started this PeerConnection.
    if (!remote) return std::nullopt;
    const bool data = std::any_of(answer->answer.media.begin(), answer->answer.media.end(),
                                  [](const sdp::MediaSection& m) {
                                    return m.kind() == sdp::MediaKind::application && m.port != 0;
                                  });
    if (!start(*remote, data).empty()) return std::nullopt;
  }
  tracks_ = answer->tracks;
  last_answer_ = answer->answer;
  return sdp::serialize(answer->answer);
}

std::string SimClient::start_publishing() {
  sdp::SessionDescription offer = last_answer_.value_or(sdp::SessionDescription{});
  offer.origin.session_version = std::to_string(++sdp_version_);
  for (auto& media : offer.media) {
    if (media.port != 0) media.setup = sdp::Setup::actpass;
  }
  publishes_ = true;
  published_.audio = true;
  published_.video = true;
  const auto own = loadgen::publisher_offer(identity_, published_, sdp_version_);
  sdp::Group bundle{"BUNDLE", {}};
  for (const auto& media : offer.media) {
    if (media.port != 0) bundle.mids.push_back(media.mid);
  }
  for (auto media : own.media) {
    if (media.kind() != sdp::MediaKind::audio && media.kind() != sdp::MediaKind::video) continue;
    media.mid = media.kind() == sdp::MediaKind::audio ? "pa" : "pv";
    bundle.mids.push_back(media.mid);
    offer.media.push_back(std::move(media));
  }
  offer.groups = {bundle};
  return sdp::serialize(offer);
}

void SimClient::on_candidate(const std::string& candidate) {
  if (!started_) {
    early_candidates_.push_back(candidate);
    return;
  }
  peer_->add_remote_candidate(candidate);
}

void SimClient::send(std::uint32_t ssrc, std::uint8_t payload_type, std::uint16_t sequence,
                     std::uint32_t timestamp, bool marker, std::span<const std::uint8_t> payload) {
  rtp::PacketBuilder builder;
  builder.set_ssrc(ssrc)
      .set_payload_type(payload_type)
      .set_sequence_number(sequence)
      .set_timestamp(timestamp)
      .set_marker(marker)
      .set_payload(payload);
  // The builder keeps a view of the value until write_to().
  const std::array<std::uint8_t, 2> transport_seq{static_cast<std::uint8_t>(transport_seq_ >> 8),
                                                  static_cast<std::uint8_t>(transport_seq_)};
  if (transport_cc_id_ != 0) {
    builder.add_extension(transport_cc_id_, transport_seq);
    ++transport_seq_;
  }
  std::vector<std::uint8_t> buffer(builder.serialized_size() + transport::kRtpSendOverhead);
  const auto length = builder.write_to(buffer);
  if (ssrc == published_.video_ssrc) {
    if (sent_.size() == kKeptPackets) sent_.erase(sent_.begin());
    sent_.push_back(
        Sent{sequence, std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + length)});
  }
  peer_->send_rtp(buffer, length);
}

void SimClient::send_audio() { send_audio(80); }

void SimClient::send_audio(std::size_t payload_bytes) {
  const std::vector<std::uint8_t> payload(payload_bytes, 0x33);
  send(published_.audio_ssrc, loadgen::kOpusPayloadType, audio_sequence_++, audio_timestamp_, false,
       payload);
  audio_timestamp_ += 960;
  ++audio_sent_;
}

void SimClient::send_video_frame(bool keyframe, int packets) {
  send_video_frame(keyframe, packets, kPayloadBytes);
}

void SimClient::send_video_frame(bool keyframe, int packets, std::size_t payload_bytes) {
  for (int i = 0; i < packets; ++i) {
    const auto payload = vp8_payload(keyframe, i == 0, payload_bytes);
    send(published_.video_ssrc, loadgen::kVp8PayloadType, video_sequence_++, video_timestamp_,
         i == packets - 1, payload);
    ++video_sent_;
  }
  video_timestamp_ += 3000;  // 30 fps at 90 kHz
}

bool SimClient::take_keyframe_request() { return std::exchange(keyframe_requested_, false); }

void SimClient::resend(std::uint32_t ssrc, std::uint16_t sequence) {
  if (ssrc != published_.video_ssrc) return;
  for (const auto& sent : sent_) {
    if (sent.sequence != sequence) continue;
    std::vector<std::uint8_t> buffer(sent.bytes.size() + transport::kRtpSendOverhead);
    std::copy(sent.bytes.begin(), sent.bytes.end(), buffer.begin());
    peer_->send_rtp(buffer, sent.bytes.size());
    ++resends_;
    return;
  }
}

const ReceivedStream* SimClient::stream_of(const std::string& track_id) const {
  for (const auto& track : tracks_) {
    if (track.track_id != track_id) continue;
    const auto it = received_.find(track.ssrc);
    return it == received_.end() ? nullptr : &it->second;
  }
  return nullptr;
}

void SimClient::on_state(transport::PeerState state, std::string_view reason) {
  state_ = state;
  reason_ = std::string(reason);
}

void SimClient::on_rtp(std::span<std::uint8_t> bytes) noexcept {
  if (rtp_observer_) rtp_observer_(bytes);
  auto packet = rtp::Packet::parse(bytes);
  if (!packet) return;
  auto& stream = received_[packet->ssrc()];
  stream.ssrc = packet->ssrc();
  stream.payload_type = packet->payload_type();
  const auto sequence = packet->sequence_number();
  const bool video = packet->payload_type() == loadgen::kVp8PayloadType;
  if (!stream.sequence.empty()) {
    const auto highest =
        *std::max_element(stream.sequence.begin(), stream.sequence.end(),
                          [](std::uint16_t a, std::uint16_t b) { return seq_distance(a, b) > 0; });
    const int gap = seq_distance(highest, sequence);
    for (int i = 1; i < gap && gap < 1000; ++i) {
      stream.missing.insert(static_cast<std::uint16_t>(highest + i));
    }
    stream.missing.erase(sequence);
  }
  stream.sequence.push_back(sequence);
  stream.timestamp.push_back(packet->timestamp());
  stream.keyframe.push_back(video && rtp::is_keyframe(rtp::VideoCodec::kVp8, packet->payload()));
  stream.padding.push_back(packet->payload().empty());
  const auto vp8 = video ? rtp::parse_vp8_descriptor(packet->payload()) : std::nullopt;
  stream.picture_id.push_back(vp8 && vp8->picture_id ? *vp8->picture_id : -1);
  if (!stream.missing.empty()) {
    nack(stream);
    nack_tries_ = 0;
    arm_nack_retry();
  }
}

void SimClient::nack(ReceivedStream& stream) {
  const std::vector<std::uint16_t> lost(stream.missing.begin(), stream.missing.end());
  std::array<rtcp::NackItem, 64> items{};
  const auto count = rtcp::pack_nack_items(lost, items);
  rtcp::Nack message;
  message.sender_ssrc = published_.audio_ssrc;
  message.media_ssrc = stream.ssrc;
  message.items = std::span<const rtcp::NackItem>(items.data(), count);
  std::array<std::uint8_t, 1200> buffer{};
  const auto length = message.write_to(std::span(buffer).first(buffer.size() - 32));
  if (length == 0) return;
  stream.nacked += lost.size();
  peer_->send_rtcp(buffer, length);
}

void SimClient::arm_nack_retry() {
  if (nack_timer_.pending()) return;
  nack_timer_ = loop_.add_timer(loop_.now() + kNackRetry, [this] {
    if (++nack_tries_ >= kNackTries) return;
    bool any = false;
    for (auto& [ssrc, stream] : received_) {
      if (stream.missing.empty()) continue;
      nack(stream);
      any = true;
    }
    if (any) arm_nack_retry();
  });
}

void SimClient::on_rtcp(std::span<std::uint8_t> bytes) noexcept {
  ++rtcp_received_;
  if (rtcp_observer_) rtcp_observer_(bytes);
  rtcp::CompoundReader reader(bytes);
  while (auto message = reader.next()) {
    if (const auto* nack = std::get_if<rtcp::Nack>(&*message)) {
      nack->for_each_lost([&](std::uint16_t sequence) { resend(nack->media_ssrc, sequence); });
    } else if (std::holds_alternative<rtcp::Pli>(*message) ||
               std::holds_alternative<rtcp::Fir>(*message)) {
      keyframe_requested_ = true;
      ++keyframe_requests_;
    }
  }
}

void SimClient::on_local_candidate(std::string candidate) {
  if (candidate_sink_) candidate_sink_(candidate);
}

void SimClient::on_gathering_done() {
  if (candidate_sink_) candidate_sink_("");
}

bool SimClient::open_channel(const std::string& label) {
  return peer_ != nullptr && peer_->open_data_channel(label, "").id.has_value();
}

bool SimClient::send_text(const std::string& label, const std::string& text) {
  if (peer_ == nullptr) return false;
  const auto id = peer_->data_channel_id(label);
  if (!id) return false;
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  return peer_->send_data(*id, bytes, false) == transport::DataSendResult::Sent;
}

void SimClient::on_data_message(std::uint16_t /*id*/, std::string_view label,
                                std::span<const std::uint8_t> data, bool /*binary*/) {
  messages_.push_back(std::string(label) + ": " +
                      std::string(reinterpret_cast<const char*>(data.data()), data.size()));
}

}  // namespace rrtc::engine::test
