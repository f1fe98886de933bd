// R1-R4 (malformed and replayed media from a connected publisher) and R5 (a publisher at ten
// times its rate; a subscriber's NACK storm). Each runs beside the calm pair in another room and
// checks, client side, that the calm subscriber sees no gap over 200 ms and that the abused
// stream goes on; the runner checks the server side (counters, CPU, resources).

#include <array>
#include <boost/json.hpp>

#include "clock.hpp"
#include "crafted.hpp"
#include "probe.hpp"
#include "rig.hpp"

namespace rrtc::abuse {
namespace {

constexpr double kMaxCalmGapMs = 200;

// The hot room: a publisher (the attacker in R1-R5 rate) and a subscriber that watches its
// stream. False if they do not connect or the stream never flows.
bool start_hot_pair(Rig& rig, Client*& publisher, Client*& subscriber) {
  publisher = &rig.add("hot", "hot-pub", true);
  subscriber = &rig.add("hot", "hot-sub", false);
  const bool flowing = rig.wait_until(
      [&] {
        const auto video = subscriber->forwarded_ssrc("hot-pub", true);
        return publisher->phase() == Phase::connected && video != 0 &&
               subscriber->received(video) > 30;
      },
      std::chrono::seconds(20));
  rig.expect(flowing, "hot pair connected and the hot subscriber receives hot-pub's video");
  return flowing;
}

// Sends `datagram` through the Peer's SRTP (send_rtp / send_rtcp need room for the tag).
transport::SendResult send_protected(Client& client, const Bytes& packet, bool rtcp) {
  std::array<std::uint8_t, 16384> buffer{};
  if (packet.size() + transport::kRtcpSendOverhead > buffer.size())
    return transport::SendResult::Malformed;
  std::copy(packet.begin(), packet.end(), buffer.begin());
  return rtcp ? client.peer()->send_rtcp(buffer, packet.size())
              : client.peer()->send_rtp(buffer, packet.size());
}

// The hot subscriber still receives hot-pub's audio and video: measured over `window`.
void expect_stream_goes_on(Rig& rig, Client& subscriber, const char* after) {
  rig.on_loop([&] { subscriber.start_measuring(); });
  rig.run_for(std::chrono::seconds(2));
  const auto [packets, gap_ms] = rig.on_loop([&] {
    const auto gaps = subscriber.measured();
    const auto it = gaps.find("hot-pub");
    return it == gaps.end()
               ? std::pair<std::uint64_t, double>{0, 1e9}
               : std::pair<std::uint64_t, double>{it->second.packets,
                                                  static_cast<double>(it->second.max_gap_ns) / 1e6};
  });
  rig.result()[std::string("hot_packets_after_") + after] = packets;
  rig.result()[std::string("hot_max_gap_ms_after_") + after] = gap_ms;
  // 2 s of 50 audio + ~100 video packets a second.
  rig.expect(packets > 150, std::string("hot-pub's stream goes on after ") + after);
  rig.expect(gap_ms < 500, std::string("hot-pub's stream has no gap over 500 ms after ") + after);
}

void expect_calm(Rig& rig, const char* what) {
  const double gap = rig.calm_max_gap_ms();
  rig.result()[std::string("calm_max_gap_ms_") + what] = gap;
  rig.expect(gap < kMaxCalmGapMs, std::string("calm subscriber gap under 200 ms during ") + what);
}

}  // namespace

int scenario_r14(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  Client* pub = nullptr;
  Client* sub = nullptr;
  if (!start_hot_pair(rig, pub, sub)) return rig.report();
  rig.sync("before");
  const auto ssrc = pub->published().video_ssrc;
  const auto audio_ssrc = pub->published().audio_ssrc;
  boost::json::object sent;
  rig.on_loop([&] {
    auto& tap = *pub->tap();
    // R1: malformed RTP, plain (no SRTP): each must fail authentication or parsing.
    std::uint64_t raw = 0;
    for (int round = 0; round < 50; ++round) {
      for (const auto& packet : malformed_rtp(ssrc)) raw += tap.send_raw(packet) ? 1 : 0;
    }
    sent["malformed_rtp"] = raw;
    // R3: SRTP shorter than its tag.
    std::uint64_t short_ones = 0;
    for (int i = 0; i < 100; ++i) short_ones += tap.send_raw(short_srtp(ssrc)) ? 1 : 0;
    sent["short_srtp"] = short_ones;
    // R3: replays of a real protected packet.
    const auto replay = tap.last_srtp_out();
    std::uint64_t replays = 0;
    for (int i = 0; i < 100; ++i) replays += tap.send_raw(replay) ? 1 : 0;
    sent["replays"] = replays;
    // R1 inside valid SRTP: lying lengths the parser must catch after decryption.
    std::uint64_t protected_malformed = 0;
    for (const auto& packet : malformed_rtp(0x0badf00d)) {
      if (packet.size() >= 12 &&
          send_protected(*pub, packet, false) == transport::SendResult::Sent)
        ++protected_malformed;
    }
    sent["protected_malformed_rtp"] = protected_malformed;
    // R2: RTCP compounds with bad lengths, and one of 1000 sub-packets (999 PLIs).
    std::uint64_t bad_rtcp = 0;
    for (int round = 0; round < 20; ++round) {
      for (const auto& packet : bad_length_rtcp(audio_ssrc))
        bad_rtcp += send_protected(*pub, packet, true) == transport::SendResult::Sent ? 1 : 0;
    }
    sent["bad_length_rtcp"] = bad_rtcp;
    const auto calm_video = pub->forwarded_ssrc("calm-pub", true);
    std::uint64_t big = 0;
    for (int i = 0; i < 20; ++i) {
      big += send_protected(*pub, many_subpackets_rtcp(audio_ssrc, calm_video, 1000), true) ==
                     transport::SendResult::Sent
                 ? 1
                 : 0;
    }
    sent["rtcp_1000_subpackets"] = big;
  });
  // R4: a sequence jump of 2^15 on the real video stream, then the stream as before.
  rig.on_loop([&] {
    const auto& seqs = pub->tap()->last_seq_out();
    const auto it = seqs.find(ssrc);
    const std::uint16_t base = it == seqs.end() ? 0 : it->second;
    std::uint64_t jumped = 0;
    std::array<std::uint8_t, 400> payload{};
    for (std::uint16_t i = 0; i < 5; ++i) {
      auto packet = rtp_header(loadgen::kVp8PayloadType,
                               static_cast<std::uint16_t>(base + 0x8000 + i), 12345, ssrc);
      loadgen::write_vp8_payload(payload, loadgen::Vp8PacketShape{i == 0, false, 1});
      packet.insert(packet.end(), payload.begin(), payload.end());
      jumped += send_protected(*pub, packet, false) == transport::SendResult::Sent ? 1 : 0;
    }
    sent["seq_jump_2_15"] = jumped;
  });
  rig.result()["sent"] = sent;
  rig.sync("after_abuse", {{"sent", sent}});
  expect_stream_goes_on(rig, *sub, "abuse");
  expect_calm(rig, "abuse");
  rig.on_loop([&] {
    rig.result()["pub_phase_connected"] = pub->phase() == Phase::connected;
  });
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

int scenario_r5_rate(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  Client* pub = nullptr;
  Client* sub = nullptr;
  if (!start_hot_pair(rig, pub, sub)) return rig.report();
  const auto ssrc = pub->published().video_ssrc;
  const auto forwarded = rig.on_loop([&] { return sub->forwarded_ssrc("hot-pub", true); });
  // Ten times what the load generator's publisher sends (1 Mbit/s video, ~110 packets a second):
  // 1,500 packets a second of 1,000 bytes (12 Mbit/s) for 4 s, as 15 packets every 10 ms.
  constexpr int kPerTick = 15;
  constexpr auto kStorm = std::chrono::seconds(4);
  struct Storm {
    std::uint16_t seq = 0;
    std::uint32_t ts = 0;
    std::uint64_t sent = 0;
    io::TimerHandle timer;
  } storm;
  std::function<void()> tick;
  rig.on_loop([&] {
    pub->sender()->stop();
    storm.seq = static_cast<std::uint16_t>(pub->tap()->last_seq_out().at(ssrc) + 1);
  });
  rig.run_for(std::chrono::milliseconds(300));
  const auto before = rig.on_loop([&] { return sub->received(forwarded); });
  rig.sync("storm_start");
  rig.on_loop([&] { rig.calm_subscriber()->start_measuring(); });
  tick = [&] {
    std::array<std::uint8_t, 1000> payload{};
    for (int i = 0; i < kPerTick; ++i) {
      const bool start = storm.seq % 10 == 0;
      if (start) storm.ts += 3000;
      auto packet = rtp_header(loadgen::kVp8PayloadType, storm.seq, storm.ts, ssrc);
      if (storm.seq % 10 == 9) packet[1] |= 0x80;  // marker: end of frame
      loadgen::write_vp8_payload(payload, loadgen::Vp8PacketShape{start, false, storm.seq});
      packet.insert(packet.end(), payload.begin(), payload.end());
      if (send_protected(*pub, packet, false) == transport::SendResult::Sent) ++storm.sent;
      ++storm.seq;
    }
    storm.timer = rig.env().loop.add_timer(std::chrono::milliseconds(10), [&] { tick(); });
  };
  rig.on_loop([&] { tick(); });
  rig.run_for(kStorm);
  rig.on_loop([&] { storm.timer.cancel(); });
  const auto sent = rig.on_loop([&] { return storm.sent; });
  rig.run_for(std::chrono::milliseconds(300));
  const auto forwarded_count = rig.on_loop([&] { return sub->received(forwarded) - before; });
  rig.sync("storm_end", {{"sent", sent}, {"forwarded", forwarded_count}});
  rig.result()["storm_sent"] = sent;
  rig.result()["storm_forwarded_to_subscriber"] = forwarded_count;
  rig.result()["storm_seconds"] = 4;
  expect_calm(rig, "storm");
  // Ten times 110 packets a second over 4 s is 4,400.
  rig.expect(sent > 4400, "the storm went out (over 4,400 packets)");
  // 300 a second over the storm and the 300 ms before and after, plus one second of burst.
  rig.expect(forwarded_count <= 1700, "ingress policed: at most 1,700 of the storm forwarded");
  rig.expect(forwarded_count > 300, "policing keeps the track alive (over 300 forwarded)");
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

int scenario_r5_nack(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  Client* pub = nullptr;
  Client* sub = nullptr;
  if (!start_hot_pair(rig, pub, sub)) return rig.report();
  Client& nacker = rig.add("hot", "hot-nacker", false);
  const bool receiving = rig.wait_until(
      [&] {
        const auto video = nacker.forwarded_ssrc("hot-pub", true);
        return video != 0 && nacker.received(video) > 100;
      },
      std::chrono::seconds(20));
  rig.expect(receiving, "the NACK storm's subscriber receives hot-pub's video");
  if (!receiving) return rig.report();
  // The same length of quiet first, for the CPU comparison.
  rig.sync("quiet_start");
  rig.run_for(std::chrono::seconds(4));
  rig.sync("quiet_end");
  // 100 compounds a second for 4 s, each a NACK of 290 entries x 17 = 4,930 sequence numbers
  // (1,176 bytes), starting 255 packets back: the Router reads the first 256 sequence numbers of
  // a NACK, so each compound asks for every packet of the last ~250 it still keeps.
  struct Storm {
    std::uint64_t sent = 0;
    std::uint64_t asked = 0;
    io::TimerHandle timer;
  } storm;
  const auto video = rig.on_loop([&] { return nacker.forwarded_ssrc("hot-pub", true); });
  std::function<void()> tick = [&] {
    const auto last = nacker.last_seq_in(video);
    const auto packet = nack_storm(0x5eed, video, static_cast<std::uint16_t>(last - 255), 290);
    if (send_protected(nacker, packet, true) == transport::SendResult::Sent) {
      ++storm.sent;
      storm.asked += 290 * 17;
    }
    storm.timer = rig.env().loop.add_timer(std::chrono::milliseconds(10), [&] { tick(); });
  };
  rig.on_loop([&] { rig.calm_subscriber()->start_measuring(); });
  rig.sync("storm_start");
  rig.on_loop([&] { tick(); });
  rig.run_for(std::chrono::seconds(4));
  rig.on_loop([&] { storm.timer.cancel(); });
  const auto [sent, asked] = rig.on_loop([&] { return std::pair{storm.sent, storm.asked}; });
  rig.sync("storm_end", {{"nacks_sent", sent}, {"seqs_asked", asked}});
  rig.result()["nack_compounds_sent"] = sent;
  rig.result()["nack_seqs_asked"] = asked;
  expect_calm(rig, "nack_storm");
  rig.expect(sent > 300, "the NACK storm went out (over 300 compounds)");
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

}  // namespace rrtc::abuse
