#include "cluster/room_placement.hpp"

#include "cluster/redis_script.hpp"

namespace rrtc::cluster {
namespace {

// KEYS[1] room key; ARGV[1] prefix, ARGV[2] room, ARGV[3..] candidate node ids.
const RedisScript& place_script() {
  static const RedisScript script(R"lua(
local prefix, room = ARGV[1], ARGV[2]
local owner = redis.call('GET', KEYS[1])
local kind = 'placed'
if owner then
  if redis.call('EXISTS', prefix .. 'node:' .. owner) == 1 then
    return {owner, 'existing'}
  end
  redis.call('SREM', prefix .. 'node_rooms:' .. owner, room)
  kind = 'taken_over'
end
local best, best_load, best_cpu
for i = 3, #ARGV do
  local id = ARGV[i]
  local node = redis.call('HMGET', prefix .. 'node:' .. id, 'participants', 'cpu', 'draining')
  if node[1] and node[3] ~= '1' then
    local load = tonumber(node[1]) + redis.call('SCARD', prefix .. 'node_rooms:' .. id)
    local cpu = tonumber(node[2]) or 0
    if not best or load < best_load or (load == best_load and
        (cpu < best_cpu or (cpu == best_cpu and id < best))) then
      best, best_load, best_cpu = id, load, cpu
    end
  end
end
if not best then
  return redis.error_reply('NONODE no live node among the candidates')
end
redis.call('SET', KEYS[1], best)
redis.call('SADD', prefix .. 'node_rooms:' .. best, room)
return {best, kind}
)lua");
  return script;
}

// KEYS[1] room key; ARGV[1] prefix, ARGV[2] room, ARGV[3] this node's id.
const RedisScript& release_script() {
  static const RedisScript script(R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[3] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'node_rooms:' .. ARGV[3], ARGV[2])
return 1
)lua");
  return script;
}

// ARGV[1] prefix, ARGV[2] the dead node's id.
const RedisScript& release_node_script() {
  static const RedisScript script(R"lua(
local prefix, id = ARGV[1], ARGV[2]
if redis.call('EXISTS', prefix .. 'node:' .. id) == 1 then
  return -1
end
local freed = 0
for _, room in ipairs(redis.call('SMEMBERS', prefix .. 'node_rooms:' .. id)) do
  if redis.call('GET', prefix .. 'room:' .. room) == id then
    redis.call('DEL', prefix .. 'room:' .. room)
    freed = freed + 1
  end
end
redis.call('DEL', prefix .. 'node_rooms:' .. id)
return freed
)lua");
  return script;
}

}  // namespace

std::string RoomPlacement::room_key(const std::string& prefix, const std::string& room) {
  return prefix + "room:" + room;
}

RoomPlacement::RoomPlacement(RedisClient& redis, std::string self_id, std::string prefix)
    : redis_(redis), self_id_(std::move(self_id)), prefix_(std::move(prefix)) {}

void RoomPlacement::place(const std::string& room, const std::vector<std::string>& candidates,
                          std::function<void(PlacementResult)> done) {
  std::vector<std::string> args;
  args.reserve(2 + candidates.size());
  args.push_back(prefix_);
  args.push_back(room);
  args.insert(args.end(), candidates.begin(), candidates.end());
  place_script().run(
      redis_, {room_key(prefix_, room)}, std::move(args),
      [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)](RedisReply reply) {
        if (alive.expired()) return;
        const auto& v = reply.value;
        if (!reply.ok() || v.type != RedisValue::Type::array || v.elements.size() != 2) {
          ++stats_.failed;
          if (reply.ok()) {
            reply.error = RedisErrc::server;
            reply.message = "unexpected reply to the placement script";
          }
          done(std::move(reply));
          return;
        }
        Placement placement{v.elements[0].text, PlacementKind::existing};
        if (v.elements[1].text == "placed") placement.kind = PlacementKind::placed;
        if (v.elements[1].text == "taken_over") placement.kind = PlacementKind::taken_over;
        if (placement.kind != PlacementKind::existing) ++stats_.placed;
        if (placement.kind == PlacementKind::taken_over) ++stats_.taken_over;
        done(std::move(placement));
      });
}

void RoomPlacement::release(const std::string& room, std::function<void(RedisReply, bool)> done) {
  release_script().run(
      redis_, {room_key(prefix_, room)}, {prefix_, room, self_id_},
      [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)](RedisReply reply) {
        if (alive.expired()) return;
        const bool released = reply.ok() && reply.value.integer == 1;
        if (!reply.ok()) ++stats_.failed;
        if (released) ++stats_.released;
        if (done) done(std::move(reply), released);
      });
}

void RoomPlacement::release_node(const std::string& node_id,
                                 std::function<void(RedisReply, std::int64_t)> done) {
  release_node_script().run(
      redis_, {}, {prefix_, node_id},
      [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)](RedisReply reply) {
        if (alive.expired()) return;
        if (!reply.ok()) ++stats_.failed;
        const std::int64_t freed = reply.ok() ? reply.value.integer : 0;
        if (done) done(std::move(reply), freed);
      });
}

}  // namespace rrtc::cluster
