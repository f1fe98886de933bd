#pragma once
// The state behind one srtp::SrtpSession (internal to src/dtls): the keyed transforms and, per
// SSRC, the packet index and replay windows. It parses just enough of each packet to find its
// SSRC and index, and commits an inbound packet's index only after it authenticated.
//
// Inbound: 48-bit SRTP index estimated per RFC 3711 Appendix A (srtp_index.hpp), a
// kReplayWindow-packet window for SRTP and a 128-packet window for SRTCP (libsrtp2's sizes).
// Outbound: the highest index protected per SSRC, so a repeated sequence number (a NACK answer)
// gets the same index and bytes as before; a sequence number kReplayWindow or more behind the
// highest fails with Replay, as in libsrtp2. SRTCP indexes count from 1 per SSRC.
//
// Memory: the SSRC table of the session's direction (its 1 KB index and room for 8 streams) and,
// inbound, 4 SRTP windows are allocated at creation (about 3.5 KB inbound, 1.2 KB outbound), so
// packets on known SSRCs never allocate; the first packet of a ninth SSRC, or of a fifth inbound
// SSRC that carries RTP, may.
//
// Threading: one thread, like the session.

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "srtp/profile.hpp"
#include "srtp/replay_window.hpp"
#include "srtp/stream_table.hpp"
#include "srtp/transform.hpp"

namespace rrtc::srtp::detail {

constexpr std::size_t kSrtpReplayBits = 4096;  // dtls::kReplayWindow (static_assert in the .cpp)
constexpr std::size_t kSrtcpReplayBits = 128;

class SrtpContext {
 public:
  static std::unique_ptr<SrtpContext> create(SrtpProfile profile, ConstByteSpan master,
                                             bool outbound);

  // Lengths are checked by the caller: the buffer holds `length` octets (at least a fixed
  // header, and for unprotect at least header plus trailer) and room for the trailer.
  boost::system::result<std::size_t> protect_rtp(ByteSpan buffer, std::size_t length);
  boost::system::result<std::size_t> unprotect_rtp(ByteSpan packet);
  boost::system::result<std::size_t> protect_rtcp(ByteSpan buffer, std::size_t length);
  boost::system::result<std::size_t> unprotect_rtcp(ByteSpan packet);

  // SRTP replay windows (520 octets each) allocated at creation; a session receiving RTP on
  // more SSRCs than this allocates when a new one first authenticates. Four: audio, video and
  // their retransmissions (a publisher's simulcast layers allocate once, when they first arrive).
  static constexpr std::size_t kReservedRtpWindows = 4;

 private:
  using RtpWindow = ReplayWindow<kSrtpReplayBits>;
  static constexpr std::uint16_t kNoRtpWindow = 0xffff;

  // Kept small so all kMaxSrtpStreams fit in a few KB; the large SRTP window lives apart and
  // only streams that carry RTP (not those seen on SRTCP only) get one.
  struct ReceivedStream {
    std::uint32_t ssrc = 0;
    std::uint16_t rtp_window = kNoRtpWindow;  // index into rtp_windows_
    ReplayWindow<kSrtcpReplayBits> rtcp;
  };
  struct SentStream {
    std::uint32_t ssrc = 0;
    std::uint64_t rtp_highest = 0;  // highest SRTP index protected
    std::uint32_t srtcp_index = 0;  // last SRTCP index used
  };

  SrtpContext(SrtpTransform transform, bool outbound);

  SrtpTransform transform_;
  bool outbound_;
  SrtpStreamTable<ReceivedStream> received_;
  SrtpStreamTable<SentStream> sent_;
  std::vector<RtpWindow> rtp_windows_;  // inbound only
};

}  // namespace rrtc::srtp::detail
