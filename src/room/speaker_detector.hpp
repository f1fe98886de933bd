#pragma once
// Who is speaking in a room, from the RFC 6464 audio levels publishers put on their audio
// packets (urn:ietf:params:rtp-hdrext:ssrc-audio-level), without decoding anything.
//
// RFC 6464 section 3, the element's one data byte (one-byte or two-byte header form alike):
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |V|    level    |
//   +-+-+-+-+-+-+-+-+
// level: 0..127, the audio's level in -dBov (0 is the loudest, 127 digital silence); V: the
// sender's own voice activity flag. V is not used: it is optional (a=extmap ... vad=on), some
// senders set it on every packet and others never, while the level is always there.
//
// The model, per source (one participant; what SFUs such as LiveKit and mediasoup do in spirit:
// a per-packet threshold, a minimum duration, a hangover):
// - a packet is voiced when its level is at least as loud as `voiced_level` (-50 dBov);
// - voiced packets form a run while the pauses between them stay under `run_gap`; a run takes
//   the floor once it has lasted `onset` (300 ms): a cough or a door (a burst shorter than that)
//   never does;
// - a source with the floor keeps it until `hangover` (800 ms) passes without a voiced packet:
//   pauses between sentences do not end a turn, silence ends it within a second (whether the
//   sender sends silent packets or none at all, as Opus DTX does);
// - the loudness of a source is smoothed per packet (an exponential average, weight 1/8: about
//   160 ms of 20 ms packets), in integer arithmetic so results repeat exactly; a run that starts
//   without the floor starts the average at its first voiced level (silence before it does not
//   drag a new speaker's level down, however few packets a loaded sender manages).
// speakers() lists the sources with the floor, loudest smoothed level first (ties: the source
// added first), so overlapping speech lists both.
//
// Reported levels: 0.0-1.0, linear in dB over -80..0 dBov (level_of_dbov below): -80 dBov and
// quieter is 0, 0 dBov is 1; speech, usually -20 to -40 dBov, reads 0.5 to 0.75, and the
// voiced threshold 0.375. A dB scale is what a meter shows; a linear amplitude scale would put
// all speech under 0.1.
//
// Pure: time is a parameter. add() may allocate; on_level() never does, nor speakers() once
// `out` has capacity() elements reserved. One thread.

#include <cstdint>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::room {

struct SpeakerDetectorOptions {
  std::uint8_t voiced_level = 50;  // -dBov: packets at or above -50 dBov are voiced
  time::Duration onset = time::to_duration(std::chrono::milliseconds(300));
  time::Duration run_gap = time::to_duration(std::chrono::milliseconds(200));
  time::Duration hangover = time::to_duration(std::chrono::milliseconds(800));
};

// 0.0 at -80 dBov and below, 1.0 at 0 dBov, linear in dB between.
double level_of_dbov(double dbov) noexcept;

class SpeakerDetector {
 public:
  using Source = std::uint32_t;
  struct Speaker {
    Source source = 0;
    double level = 0;  // level_of_dbov of the smoothed level
    friend bool operator==(const Speaker&, const Speaker&) = default;
  };

  explicit SpeakerDetector(SpeakerDetectorOptions options = {}) : options_(options) {}

  // A new source (slots of removed ones are reused). May allocate.
  Source add();
  void remove(Source source) noexcept;
  // Forgets what `source` said (it was muted): it loses the floor and its run.
  void reset(Source source) noexcept;
  std::size_t capacity() const noexcept { return sources_.size(); }

  // Hot path: one packet's RFC 6464 byte (V bit ignored) from `source`, received at `now`.
  void on_level(Source source, std::uint8_t byte, time::Timestamp now) noexcept;

  // The sources with the floor at `now`, loudest first, into `out` (cleared first).
  void speakers(time::Timestamp now, std::vector<Speaker>& out) noexcept;
  // A voiced packet arrived since the last speakers() call: a caller that evaluates on a
  // deadline arms it on this.
  bool heard_voice() const noexcept { return heard_voice_; }
  // Nothing can change without new packets: no source has the floor or a run that may still
  // reach the onset. A caller stops evaluating then.
  bool idle(time::Timestamp now) const noexcept;

 private:
  struct State {
    bool used = false;
    bool in_run = false;
    bool floor = false;
    time::Timestamp run_start{};
    time::Timestamp last_voiced{};
    std::int32_t loudness_q8 = 0;  // smoothed (127 - level) * 256
  };
  void expire(State& state, time::Timestamp now) const noexcept;

  SpeakerDetectorOptions options_;
  std::vector<State> sources_;
  std::vector<Source> free_;
  bool heard_voice_ = false;
};

}  // namespace rrtc::room
