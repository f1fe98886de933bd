#include "sdp/serializer.hpp"

#include "sdp/candidate.hpp"

namespace rrtc::sdp {
namespace {

class Writer {
 public:
  void line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }
  void attribute(std::string_view name) { line('a', name); }
  void attribute(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  void attribute(const Attribute& attribute) {
    if (attribute.has_value) {
      this->attribute(attribute.name, attribute.value);
    } else {
      this->attribute(attribute.name);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string connection_text(const Connection& c) {
  return c.net_type + ' ' + c.addr_type + ' ' + c.address;
}

void write_transport(Writer& w, const std::string& ufrag, const std::string& pwd,
                     const std::vector<std::string>& options,
                     const std::vector<Fingerprint>& fingerprints, std::optional<Setup> setup) {
  if (!ufrag.empty()) w.attribute("ice-ufrag", ufrag);
  if (!pwd.empty()) w.attribute("ice-pwd", pwd);
  if (!options.empty()) w.attribute("ice-options", join(options, ' '));
  for (const auto& fp : fingerprints) w.attribute("fingerprint", fp.algorithm + ' ' + fp.value);
  if (setup) w.attribute("setup", to_string(*setup));
}

std::string feedback_text(const std::string& pt, const RtcpFeedback& fb) {
  return pt + ' ' + fb.type + (fb.param.empty() ? "" : " " + fb.param);
}

void write_codec(Writer& w, const Codec& codec) {
  const std::string pt = std::to_string(codec.payload_type);
  if (codec.has_rtpmap) {
    std::string value = pt + ' ' + codec.name + '/' + std::to_string(codec.clock_rate);
    if (codec.channels != 0) value += '/' + std::to_string(codec.channels);
    w.attribute("rtpmap", value);
  }
  for (const auto& fb : codec.feedback) w.attribute("rtcp-fb", feedback_text(pt, fb));
  if (!codec.fmtp.empty()) {
    std::string value = pt + ' ';
    for (std::size_t i = 0; i < codec.fmtp.size(); ++i) {
      const FmtpParam& param = codec.fmtp[i];
      if (i > 0) value += ';';
      value += param.key;
      if (param.has_value) value += '=' + param.value;
    }
    w.attribute("fmtp", value);
  }
}

std::string simulcast_streams(const std::vector<std::vector<SimulcastRid>>& streams) {
  std::string out;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) out += ';';
    for (std::size_t j = 0; j < streams[i].size(); ++j) {
      if (j > 0) out += ',';
      if (streams[i][j].paused) out += '~';
      out += streams[i][j].id;
    }
  }
  return out;
}

std::string simulcast_text(const Simulcast& sc) {
  std::string send = sc.send.empty() ? "" : "send " + simulcast_streams(sc.send);
  std::string recv = sc.recv.empty() ? "" : "recv " + simulcast_streams(sc.recv);
  std::string first = sc.send_first ? send : recv;
  std::string second = sc.send_first ? recv : send;
  if (first.empty()) return second;
  return second.empty() ? first : first + ' ' + second;
}

void write_rtp_details(Writer& w, const MediaSection& m) {
  for (const auto& codec : m.codecs) write_codec(w, codec);
  for (const auto& fb : m.feedback_all) w.attribute("rtcp-fb", feedback_text("*", fb));
  for (const auto& rid : m.rids) {
    std::string value = rid.id + (rid.direction == RidDirection::send ? " send" : " recv");
    if (!rid.restrictions.empty()) value += ' ' + rid.restrictions;
    w.attribute("rid", value);
  }
  if (m.simulcast && (!m.simulcast->send.empty() || !m.simulcast->recv.empty())) {
    w.attribute("simulcast", simulcast_text(*m.simulcast));
  }
  for (const auto& group : m.ssrc_groups) {
    std::string value = group.semantics;
    for (auto ssrc : group.ssrcs) value += ' ' + std::to_string(ssrc);
    w.attribute("ssrc-group", value);
  }
  for (const auto& ssrc : m.ssrcs) {
    for (const auto& attr : ssrc.attributes) {
      std::string value = std::to_string(ssrc.ssrc) + ' ' + attr.name;
      if (attr.has_value) value += ':' + attr.value;
      w.attribute("ssrc", value);
    }
  }
}

void write_media(Writer& w, const MediaSection& m) {
  std::string mline = m.media + ' ' + std::to_string(m.port);
  if (m.port_count) mline += '/' + std::to_string(*m.port_count);
  mline += ' ' + m.protocol;
  for (const auto& format : m.formats) mline += ' ' + format;
  w.line('m', mline);
  if (m.connection) w.line('c', connection_text(*m.connection));
  for (const auto& l : m.lines) w.line(l.type, l.value);
  for (const auto& candidate : m.candidates) w.line('a', to_string(candidate));
  write_transport(w, m.ice_ufrag, m.ice_pwd, m.ice_options, m.fingerprints, m.setup);
  if (!m.mid.empty()) w.attribute("mid", m.mid);
  if (m.bundle_only) w.attribute("bundle-only");
  for (const auto& e : m.extmaps) {
    std::string value = std::to_string(e.id);
    if (e.direction) value += '/' + std::string(to_string(*e.direction));
    value += ' ' + e.uri;
    if (!e.attributes.empty()) value += ' ' + e.attributes;
    w.attribute("extmap", value);
  }
  if (m.direction) w.attribute(to_string(*m.direction));
  for (const auto& msid : m.msids) {
    w.attribute("msid", msid.stream_id + (msid.track_id.empty() ? "" : " " + msid.track_id));
  }
  if (m.rtcp_mux) w.attribute("rtcp-mux");
  if (m.rtcp_mux_only) w.attribute("rtcp-mux-only");
  if (m.rtcp_rsize) w.attribute("rtcp-rsize");
  write_rtp_details(w, m);
  if (m.sctp_port) w.attribute("sctp-port", std::to_string(*m.sctp_port));
  if (m.sctpmap) {
    std::string value = std::to_string(m.sctpmap->port) + ' ' + m.sctpmap->app;
    if (m.sctpmap->streams) value += ' ' + std::to_string(*m.sctpmap->streams);
    w.attribute("sctpmap", value);
  }
  if (m.max_message_size) w.attribute("max-message-size", std::to_string(*m.max_message_size));
  for (const auto& attr : m.other_attributes) w.attribute(attr);
  if (m.end_of_candidates) w.attribute("end-of-candidates");
}

}  // namespace

std::string serialize(const SessionDescription& s) {
  Writer w;
  w.line('v', "0");
  const Origin& o = s.origin;
  w.line('o', o.username + ' ' + o.session_id + ' ' + o.session_version + ' ' + o.net_type + ' ' +
                  o.addr_type + ' ' + o.address);
  w.line('s', s.session_name);
  if (s.connection) w.line('c', connection_text(*s.connection));
  w.line('t', s.timing);
  for (const auto& l : s.lines) w.line(l.type, l.value);
  for (const auto& group : s.groups) {
    std::string value = group.semantics;
    for (const auto& mid : group.mids) value += ' ' + mid;
    w.attribute("group", value);
  }
  if (s.extmap_allow_mixed) w.attribute("extmap-allow-mixed");
  if (s.ice_lite) w.attribute("ice-lite");
  write_transport(w, s.ice_ufrag, s.ice_pwd, s.ice_options, s.fingerprints, s.setup);
  for (const auto& attr : s.other_attributes) w.attribute(attr);
  for (const auto& m : s.media) write_media(w, m);
  return w.take();
}

}  // namespace rrtc::sdp
