#include "cluster/bus.hpp"

namespace rrtc::cluster {

std::string Bus::channel(const std::string& prefix, std::string_view node_id) {
  std::string out = prefix + "bus:";
  out += node_id;
  return out;
}

Bus::Bus(RedisClient& publisher, RedisClient& subscriber, std::string node_id, std::string prefix)
    : publisher_(publisher),
      subscriber_(subscriber),
      node_id_(std::move(node_id)),
      prefix_(std::move(prefix)) {}

void Bus::start(Handler handler) {
  handler_ = std::move(handler);
  subscriber_.subscribe(channel(prefix_, node_id_),
                        [this](std::string_view /*channel*/, std::string_view message) {
                          auto envelope = parse_envelope(message);
                          if (!envelope) {
                            ++stats_.malformed;
                            return;
                          }
                          if (envelope->to != node_id_) {
                            ++stats_.misaddressed;
                            return;
                          }
                          ++stats_.received;
                          if (handler_) handler_(*envelope);
                        });
}

bool Bus::send(const Envelope& envelope, SendHandler done) {
  auto wire = serialize_envelope(envelope);
  if (!wire) return false;
  publisher_.command(
      {"PUBLISH", channel(prefix_, envelope.to), std::move(*wire)},
      [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)](RedisReply reply) {
        if (alive.expired()) return;
        const std::int64_t delivered =
            reply.ok() && reply.value.type == RedisValue::Type::integer ? reply.value.integer : 0;
        if (!reply.ok()) {
          ++stats_.send_failures;
        } else if (delivered == 0) {
          ++stats_.undelivered;
        } else {
          ++stats_.sent;
        }
        if (done) done(reply, delivered);
      });
  return true;
}

}  // namespace rrtc::cluster
