#pragma once
// The SignalingChannel handed to the media backend: each call serializes its message (pure,
// safe on any thread) and posts it, with ids and values only, onto the signaling thread. The
// Hub is held weakly, so calls arriving after the server is gone are dropped. The io_context
// itself must outlive every call: the media stack stops its workers before the app destroys it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string>

#include "room/media_backend.hpp"
#include "signaling/hub.hpp"
#include "signaling/messages.hpp"

namespace rrtc::signaling {

class MediaChannel final : public room::SignalingChannel {
 public:
  MediaChannel(boost::asio::any_io_executor executor, std::weak_ptr<Hub> hub)
      : executor_(std::move(executor)), hub_(std::move(hub)) {}

  void send_answer(std::string room, std::string participant, std::string sdp) override {
    post(std::move(room), std::move(participant), "answer", sdp_json("answer", sdp));
  }
  void send_offer(std::string room, std::string participant, std::string sdp) override {
    post(std::move(room), std::move(participant), "offer", sdp_json("offer", sdp));
  }
  void send_candidate(std::string room, std::string participant,
                      room::IceCandidate candidate) override {
    post(std::move(room), std::move(participant), "candidate", candidate_json(candidate));
  }
  void reject_sdp(std::string room, std::string participant, std::string message) override {
    boost::asio::post(executor_,
                      [hub = hub_, room = std::move(room), participant = std::move(participant),
                       message = std::move(message)] {
                        if (auto h = hub.lock()) h->media_reject(room, participant, message);
                      });
  }
  void remove_participant(std::string room, std::string participant, std::string reason) override {
    boost::asio::post(executor_,
                      [hub = hub_, room = std::move(room), participant = std::move(participant),
                       reason = std::move(reason)] {
                        if (auto h = hub.lock()) h->media_remove(room, participant, reason);
                      });
  }
  // 408 and 503 from the media stack (room/media_backend.hpp).
  void send_error(std::string room, std::string participant, int code, std::string message,
                  bool remove) override {
    boost::asio::post(executor_, [hub = hub_, room = std::move(room),
                                  participant = std::move(participant), code,
                                  message = std::move(message), remove] {
      auto h = hub.lock();
      if (!h) return;
      const auto error = static_cast<ErrorCode>(code);
      if (remove) {
        h->media_remove(room, participant, message, error);
      } else {
        h->media_reject(room, participant, message, error);
      }
    });
  }
  void tracks_changed(std::string room, std::string participant,
                      std::vector<room::PublishedTrackInfo> tracks) override {
    boost::asio::post(executor_, [hub = hub_, room = std::move(room),
                                  participant = std::move(participant),
                                  tracks = std::move(tracks)]() mutable {
      if (auto h = hub.lock()) h->media_tracks(room, participant, std::move(tracks));
    });
  }
  void send_speakers(std::string room, std::vector<room::SpeakerLevel> speakers) override {
    boost::asio::post(executor_, [hub = hub_, room = std::move(room),
                                  speakers = std::move(speakers)] {
      if (auto h = hub.lock()) h->media_speakers(room, speakers);
    });
  }
  // v1.1: to the one participant, skipped if it has left by the time the post runs.
  void send_stream_state(std::string room, std::string participant,
                         room::StreamState state) override {
    post(std::move(room), std::move(participant), "stream_state", stream_state_json(state));
  }
  void send_publish_layers(std::string room, std::string participant, std::string mid,
                           std::vector<std::string> active) override {
    post(std::move(room), std::move(participant), "publish_layers",
         publish_layers_json(mid, active));
  }

 private:
  void post(std::string room, std::string participant, const char* type, std::string text) {
    boost::asio::post(
        executor_, [hub = hub_, room = std::move(room), participant = std::move(participant), type,
                    text = std::move(text)]() mutable {
          if (auto h = hub.lock()) h->media_send(room, participant, type, std::move(text));
        });
  }

  boost::asio::any_io_executor executor_;
  std::weak_ptr<Hub> hub_;
};

}  // namespace rrtc::signaling
