#include "sim_room.hpp"

namespace rrtc::engine::test {

void SimSignaling::send_answer(std::string /*room*/, std::string participant, std::string sdp) {
  ++room_.answers[participant];
  room_.to_client([this, participant, sdp] {
    if (auto* client = room_.client(participant)) {
      EXPECT_EQ(client->on_answer(sdp), "") << participant;
    }
  });
}

void SimSignaling::send_offer(std::string /*room*/, std::string participant, std::string sdp) {
  ++room_.server_offers[participant];
  room_.last_server_offer[participant] = sdp;
  room_.to_client([this, participant, sdp] {
    auto* client = room_.client(participant);
    if (client == nullptr || room_.hold_answers) return;
    auto answer = client->on_offer(sdp);
    ASSERT_TRUE(answer.has_value()) << participant << " cannot answer:\n" << sdp;
    room_.to_server(participant, room::request::Answer{*answer});
  });
}

void SimSignaling::send_candidate(std::string /*room*/, std::string participant,
                                  room::IceCandidate candidate) {
  room_.to_client([this, participant, line = candidate.candidate] {
    if (auto* client = room_.client(participant)) client->on_candidate(line);
  });
}

void SimSignaling::reject_sdp(std::string /*room*/, std::string participant, std::string message) {
  room_.rejections.push_back(participant + ": " + message);
}

void SimSignaling::remove_participant(std::string /*room*/, std::string participant,
                                      std::string reason) {
  room_.removals.push_back({participant, reason});
  room_.to_server(participant, room::request::Leave{});
}

void SimSignaling::send_error(std::string /*room*/, std::string participant, int code,
                              std::string message, bool remove) {
  room_.errors.push_back({participant, code, message, remove, room_.loop().now()});
  // As the Hub's leave_room would: the media stack then hears the participant left.
  if (remove) room_.to_server(participant, room::request::Leave{});
}

void SimSignaling::send_stream_state(std::string /*room*/, std::string participant,
                                     room::StreamState state) {
  room_.stream_states.push_back({std::move(participant), std::move(state), room_.loop().now()});
}

void SimSignaling::send_publish_layers(std::string /*room*/, std::string participant,
                                       std::string mid, std::vector<std::string> active) {
  room_.publish_layers.push_back(
      {std::move(participant), std::move(mid), std::move(active), room_.loop().now()});
}

void SimRoomTest::publish_for(time::Duration duration, time::Duration step) {
  const auto end = loop_.now() + duration;
  while (loop_.now() < end) {
    const bool video = (video_phase_++ % 2) == 0;
    for (auto& [id, client] : clients_) {
      if (!client->publishes() || !client->connected()) continue;
      client->send_audio();
      if (video) client->send_video_frame(client->take_keyframe_request());
    }
    loop_.advance(step);
  }
}

}  // namespace rrtc::engine::test
