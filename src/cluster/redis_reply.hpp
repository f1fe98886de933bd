#pragma once
// One Redis reply, copied out of hiredis's redisReply (which hiredis frees when the callback
// returns), and the outcome of one command: a reply, or why there is none.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rrtc::cluster {

struct RedisValue {
  enum class Type : std::uint8_t { nil, integer, string, status, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string text;  // string and status
  std::vector<RedisValue> elements;

  bool is_nil() const noexcept { return type == Type::nil; }
  // The text of a string or status reply; nullopt for other types.
  std::optional<std::string_view> string() const noexcept {
    if (type != Type::string && type != Type::status) return std::nullopt;
    return std::string_view(text);
  }
};

enum class RedisErrc : std::uint8_t {
  ok,
  unavailable,      // not connected (connecting, backing off, stopped): nothing was sent
  timeout,          // no reply within the command timeout; the connection is reset
  connection_lost,  // the connection closed before the reply came
  server,           // Redis answered with an error reply (message: its text)
};

struct RedisReply {
  RedisErrc error = RedisErrc::ok;
  std::string message;  // why it failed, for logs and `error` replies; empty when ok
  RedisValue value;

  bool ok() const noexcept { return error == RedisErrc::ok; }
};

std::string_view to_string(RedisErrc error) noexcept;

}  // namespace rrtc::cluster
