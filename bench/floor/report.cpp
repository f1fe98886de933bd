#include "report.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace rrtc::floor_bench {

namespace {

const char* profile_name(srtp::SrtpProfile profile) {
  return profile == srtp::SrtpProfile::AeadAes128Gcm ? "AEAD_AES_128_GCM"
                                                     : "AES_CM_128_HMAC_SHA1_80";
}

// Microseconds per packet of `seconds`.
double per_packet_us(double seconds, const Measurement& m) {
  return m.packets == 0 ? 0 : seconds * 1e6 / static_cast<double>(m.packets);
}

double loss(const Measurement& m) {
  return m.packets == 0 ? 0 : 1 - static_cast<double>(m.received) / static_cast<double>(m.packets);
}

boost::json::object row_json(const Measurement& m) {
  boost::json::object row;
  row["variant"] = std::string(variant_name(m.variant));
  row["subscribers"] = m.subscribers;
  row["packets"] = m.packets;
  row["seconds"] = m.wall_s;
  row["packets_per_s"] = m.wall_s > 0 ? static_cast<double>(m.packets) / m.wall_s : 0;
  row["cpu_us_per_packet"] = per_packet_us(m.cpu.user_s + m.cpu.sys_s, m);
  row["user_us_per_packet"] = per_packet_us(m.cpu.user_s, m);
  row["sys_us_per_packet"] = per_packet_us(m.cpu.sys_s, m);
  row["softirq_us_per_packet"] =
      m.softirq_s >= 0 ? boost::json::value(per_packet_us(m.softirq_s, m)) : nullptr;
  row["ksoftirqd_us_per_packet"] =
      m.ksoftirqd_s >= 0 ? boost::json::value(per_packet_us(m.ksoftirqd_s, m)) : nullptr;
  row["wall_us_per_packet"] = per_packet_us(m.wall_s, m);
  row["cpu_utilization"] = m.wall_s > 0 ? (m.cpu.user_s + m.cpu.sys_s) / m.wall_s : 0;
  if (variant_sends(m.variant)) {
    row["received"] = m.received;
    row["loss"] = loss(m);
  } else {
    row["received"] = nullptr;
    row["loss"] = nullptr;
  }
  row["send_errors"] = m.send_errors;
  row["protect_errors"] = m.protect_errors;
  return row;
}

}  // namespace

void print_header(std::ostream& out, const Options& options, const RunInfo& info) {
  out << fmt::format(
      "rrtc-floor: {} subscribers, {}-byte payload, {}, {} s per variant, {}, sender on cpu {}, "
      "drain on cpu {}\nreceiver SO_RCVBUF {} KiB each ({}); load average {}\n",
      options.subscribers, options.payload, profile_name(options.profile), options.seconds,
      options.pps > 0 ? fmt::format("paced at {:.0f} packets/s", options.pps) : "unpaced",
      options.cpu, options.drain_cpu, info.rcvbuf / 1024,
      info.rcvbuf_forced ? "SO_RCVBUFFORCE" : "SO_RCVBUF, capped by rmem_max", info.load_before);
  out << fmt::format(
      "{:<16} {:>5} {:>10} {:>10} {:>9} {:>7} {:>7} {:>8} {:>8} {:>9} {:>6} {:>10} {:>8}\n",
      "variant", "subs", "packets", "packets/s", "cpu µs/p", "user", "sys", "softirq", "ksirqd",
      "wall µs/p", "cpu %", "received", "loss");
}

void print_row(std::ostream& out, const Measurement& m) {
  const double cpu = m.cpu.user_s + m.cpu.sys_s;
  const auto optional_us = [&m](double seconds) {
    return seconds >= 0 ? fmt::format("{:.2f}", per_packet_us(seconds, m)) : std::string("-");
  };
  const bool sends = variant_sends(m.variant);
  out << fmt::format(
      "{:<16} {:>5} {:>10} {:>10.0f} {:>9.3f} {:>7.3f} {:>7.3f} {:>8} {:>8} {:>9.3f} {:>6.1f} "
      "{:>10} {:>8}\n",
      variant_name(m.variant), m.subscribers, m.packets,
      m.wall_s > 0 ? static_cast<double>(m.packets) / m.wall_s : 0, per_packet_us(cpu, m),
      per_packet_us(m.cpu.user_s, m), per_packet_us(m.cpu.sys_s, m), optional_us(m.softirq_s),
      optional_us(m.ksoftirqd_s), per_packet_us(m.wall_s, m),
      m.wall_s > 0 ? 100 * cpu / m.wall_s : 0, sends ? std::to_string(m.received) : "-",
      sends ? fmt::format("{:.4f}%", 100 * loss(m)) : "-");
  if (m.send_errors > 0 || m.protect_errors > 0) {
    out << fmt::format("  ({} send errors, {} protect errors)\n", m.send_errors, m.protect_errors);
  }
  out.flush();
}

void write_json(const std::string& path, const Options& options, const RunInfo& info,
                const std::vector<Measurement>& rows) {
  boost::json::object config;
  config["subscribers"] = options.subscribers;
  config["payload"] = options.payload;
  config["profile"] = profile_name(options.profile);
  config["seconds"] = options.seconds;
  config["pps"] = options.pps;
  config["cpu"] = options.cpu;
  config["drain_cpu"] = options.drain_cpu;
  config["rcvbuf"] = info.rcvbuf;
  config["rcvbuf_forced"] = info.rcvbuf_forced;
  boost::json::array array;
  for (const auto& m : rows) array.push_back(row_json(m));
  boost::json::object root;
  root["config"] = std::move(config);
  root["loadavg"] = {info.load_before, info.load_after};
  root["rows"] = std::move(array);
  std::ofstream file(path);
  file << boost::json::serialize(root) << "\n";
  if (!file) throw std::runtime_error("cannot write " + path);
}

}  // namespace rrtc::floor_bench
