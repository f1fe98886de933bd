#include "cluster/node_directory.hpp"

#include <algorithm>
#include <charconv>

#include "cluster/redis_script.hpp"
#include "log/log.hpp"

namespace rrtc::cluster {
namespace {

// KEYS[1] node hash, KEYS[2] node set; ARGV[1] ttl ms, ARGV[2] id, ARGV[3] key prefix,
// ARGV[4..] field, value, ...
const RedisScript& heartbeat_script() {
  static const RedisScript script(R"lua(
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local hash = redis.call('HGETALL', ARGV[3] .. 'node:' .. id)
  if #hash == 0 then
    redis.call('SREM', KEYS[2], id)
  else
    out[#out + 1] = hash
  end
end
return out
)lua");
  return script;
}

// KEYS[1] node hash, KEYS[2] node set; ARGV[1] id.
const RedisScript& leave_script() {
  static const RedisScript script(R"lua(
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
)lua");
  return script;
}

template <typename T>
T to_number(std::string_view text) {
  T value{};
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string NodeDirectory::node_key(const std::string& prefix, const std::string& id) {
  return prefix + "node:" + id;
}

std::optional<NodeInfo> NodeDirectory::parse_node(const RedisValue& hash) {
  NodeInfo node;
  for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    const std::string_view field = hash.elements[i].text;
    const std::string& value = hash.elements[i + 1].text;
    if (field == "id")
      node.id = value;
    else if (field == "signaling_url")
      node.signaling_url = value;
    else if (field == "media_address")
      node.media_address = value;
    else if (field == "participants")
      node.participants = to_number<std::uint64_t>(value);
    else if (field == "rooms")
      node.rooms = to_number<std::uint64_t>(value);
    else if (field == "cpu")
      node.cpu_percent = to_number<std::uint32_t>(value);
    else if (field == "draining")
      node.draining = value == "1";
    else if (field == "started_ms")
      node.started_ms = to_number<std::int64_t>(value);
  }
  if (node.id.empty()) return std::nullopt;
  return node;
}

NodeDirectory::NodeDirectory(boost::asio::io_context& io, RedisClient& redis, NodeInfo self,
                             NodeDirectoryOptions options)
    : redis_(redis), self_(std::move(self)), options_(std::move(options)), timer_(io) {
  if (self_.started_ms == 0) {
    self_.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  }
}

NodeDirectory::~NodeDirectory() { alive_.reset(); }

void NodeDirectory::start() {
  if (running_) return;
  running_ = true;
  heartbeat();
  arm();
}

void NodeDirectory::stop(std::function<void(bool)> done) {
  running_ = false;
  timer_.cancel();
  leave_script().run(redis_, {node_key(options_.prefix, self_.id), options_.prefix + "nodes"},
                     {self_.id}, [done = std::move(done)](RedisReply reply) {
                       if (done) done(reply.ok() && reply.value.integer == 1);
                     });
}

void NodeDirectory::set_load(std::uint64_t participants, std::uint64_t rooms,
                             std::uint32_t cpu_percent) {
  self_.participants = participants;
  self_.rooms = rooms;
  self_.cpu_percent = cpu_percent;
}

void NodeDirectory::set_draining(bool draining) { self_.draining = draining; }

void NodeDirectory::arm() {
  timer_.expires_after(options_.heartbeat);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](auto ec) {
    if (ec || alive.expired() || !running_) return;
    heartbeat();
    arm();
  });
}

void NodeDirectory::heartbeat() {
  if (in_flight_) return;  // the previous one is still out (a slow Redis): skip this tick
  in_flight_ = true;
  std::vector<std::string> args{
      std::to_string(options_.ttl.count()),
      self_.id,
      options_.prefix,
      "id",
      self_.id,
      "signaling_url",
      self_.signaling_url,
      "media_address",
      self_.media_address,
      "participants",
      std::to_string(self_.participants),
      "rooms",
      std::to_string(self_.rooms),
      "cpu",
      std::to_string(self_.cpu_percent),
      "draining",
      self_.draining ? "1" : "0",
      "started_ms",
      std::to_string(self_.started_ms),
  };
  heartbeat_script().run(
      redis_, {node_key(options_.prefix, self_.id), options_.prefix + "nodes"}, std::move(args),
      [this, alive = std::weak_ptr<bool>(alive_)](RedisReply reply) {
        if (alive.expired()) return;
        in_flight_ = false;
        if (!reply.ok() || reply.value.type != RedisValue::Type::array) {
          ++stats_.heartbeat_failures;
          return;
        }
        ++stats_.heartbeats;
        std::vector<NodeInfo> nodes;
        nodes.reserve(reply.value.elements.size());
        for (const auto& hash : reply.value.elements) {
          if (auto node = parse_node(hash)) nodes.push_back(std::move(*node));
        }
        std::sort(nodes.begin(), nodes.end(),
                  [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; });
        nodes_ = std::move(nodes);
        if (list_handler_) list_handler_(nodes_);
      });
}

}  // namespace rrtc::cluster
