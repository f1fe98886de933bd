#include "cluster/redis_script.hpp"

#include <openssl/sha.h>

#include <array>
#include <cstdio>

namespace rrtc::cluster {
namespace {

std::vector<std::string> eval_args(std::string_view verb, const std::string& script,
                                   const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(3 + keys.size() + args.size());
  out.emplace_back(verb);
  out.push_back(script);
  out.push_back(std::to_string(keys.size()));
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest.data());
  sha1_.reserve(2 * digest.size());
  for (unsigned char byte : digest) {
    std::array<char, 3> hex{};
    std::snprintf(hex.data(), hex.size(), "%02x", byte);
    sha1_ += hex.data();
  }
}

void RedisScript::run(RedisClient& client, std::vector<std::string> keys,
                      std::vector<std::string> args, RedisClient::ReplyHandler handler) const {
  auto command = eval_args("EVALSHA", sha1_, keys, args);
  // The EVAL form is built only when Redis does not know the script (rare: after a restart).
  client.command(std::move(command), [this, &client, keys = std::move(keys), args = std::move(args),
                                      handler = std::move(handler)](RedisReply reply) mutable {
    if (reply.error == RedisErrc::server && reply.message.rfind("NOSCRIPT", 0) == 0) {
      client.command(eval_args("EVAL", source_, keys, args), std::move(handler));
      return;
    }
    handler(std::move(reply));
  });
}

}  // namespace rrtc::cluster
