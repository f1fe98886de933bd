#include "signaling/cluster_node.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <variant>

#include "log/log.hpp"

namespace rrtc::signaling {

namespace {

cluster::RedisUrl parse_url(const std::string& text) {
  auto parsed = cluster::parse_redis_url(text);
  if (const auto* error = std::get_if<cluster::RedisUrlError>(&parsed)) {
    throw std::invalid_argument("redis_url: " + error->reason);
  }
  return std::get<cluster::RedisUrl>(parsed);
}

cluster::RedisClientOptions client_options(const ClusterOptions& o, std::string name,
                                           bool ping) {
  cluster::RedisClientOptions options;
  options.url = parse_url(o.redis_url);
  options.name = std::move(name);
  // The subscriber connection cannot PING under hiredis 0.14 (redis_client.hpp).
  if (!ping) options.ping_interval = std::chrono::milliseconds(0);
  return options;
}

cluster::NodeInfo self_info(const ClusterOptions& o) {
  cluster::NodeInfo self;
  self.id = o.node_id.empty() ? random_node_id() : o.node_id;
  self.signaling_url = o.signaling_url;
  self.media_address = o.media_address;
  self.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  return self;
}

std::chrono::microseconds process_cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
  };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

}  // namespace

std::string random_node_id() {
  unsigned char bytes[4];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "node-";
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

ClusterNode::ClusterNode(boost::asio::io_context& io, const ClusterOptions& options)
    : commands_(io, client_options(options, "commands", true)),
      subscriber_(io, client_options(options, "bus", false)),
      directory_(io, commands_, self_info(options),
                 cluster::NodeDirectoryOptions{
                     .prefix = "rrtc:",
                     .heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(
                         options.heartbeat),
                     .ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
                         options.node_ttl)}),
      placement_(commands_, directory_.self().id),
      bus_(commands_, subscriber_, directory_.self().id),
      cpu_used_(process_cpu_time()) {}

ClusterNode::~ClusterNode() { stop(); }

void ClusterNode::start(cluster::Bus::Handler on_envelope,
                        cluster::NodeDirectory::ListHandler on_list,
                        std::function<void(bool)> on_ready) {
  commands_.on_state(std::move(on_ready));
  directory_.on_list(std::move(on_list));
  bus_.start(std::move(on_envelope));
  commands_.start();
  subscriber_.start();
  directory_.start();
  rrtc::log::get("cluster")
      .info("cluster node {} (redis {})", id(), cluster::redis_endpoint(commands_.options().url));
}

void ClusterNode::stop() {
  if (stopped_) return;
  stopped_ = true;
  commands_.on_state({});
  directory_.on_list({});
  // Leaving the directory is one command; the connections close when it is answered (or at
  // once when Redis is unreachable: the command fails at once then).
  directory_.stop([this, alive = std::weak_ptr<bool>(alive_)](bool) {
    if (alive.expired()) return;
    commands_.stop();
    subscriber_.stop();
  });
}

void ClusterNode::send(cluster::EnvelopeKind kind, const std::string& to,
                       const std::string& session, std::string_view payload,
                       std::function<void(bool, bool)> done) {
  cluster::Envelope envelope{kind, id(), to, session, payload};
  ++counters_.messages_out;
  const bool sent = bus_.send(envelope, [done](const cluster::RedisReply& reply,
                                               std::int64_t delivered) {
    if (done) done(reply.ok(), delivered > 0);
  });
  if (!sent && done) done(false, false);
}

std::uint32_t ClusterNode::measure_cpu() {
  const auto now = std::chrono::steady_clock::now();
  const auto used = process_cpu_time();
  const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(now - cpu_at_);
  std::uint32_t percent = directory_.self().cpu_percent;
  if (wall.count() > 0) {
    percent = static_cast<std::uint32_t>((used - cpu_used_).count() * 100 / wall.count());
  }
  cpu_at_ = now;
  cpu_used_ = used;
  return percent;
}

void ClusterNode::set_load(std::uint64_t participants, std::uint64_t rooms) {
  // CPU over the last heartbeat interval at least: set_load runs on every join and leave too.
  std::uint32_t cpu = directory_.self().cpu_percent;
  if (std::chrono::steady_clock::now() - cpu_at_ >= directory_.options().heartbeat) {
    cpu = measure_cpu();
  }
  directory_.set_load(participants, rooms, cpu);
}

void ClusterNode::set_draining(bool draining) {
  directory_.set_draining(draining);
  directory_.heartbeat_now();
}

std::vector<std::string> ClusterNode::candidates() const {
  std::vector<std::string> ids;
  for (const auto& node : directory_.nodes()) {
    if (!node.draining) ids.push_back(node.id);
  }
  if (directory_.nodes().empty() && !draining()) ids.push_back(id());
  return ids;
}

}  // namespace rrtc::signaling
