#pragma once
// The Lua scripts behind every multi-key change that must be atomic, and a helper that runs a
// script by SHA and falls back to EVAL once on NOSCRIPT.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/redis/redis_client.hpp"

namespace calllog {

// A command's argv from any string-like arguments. (In a coroutine, build argv with this rather
// than a braced list inside a co_await expression: GCC 12 miscompiles initializer_list there.)
template <class... A>
std::vector<std::string> cmd(A&&... a) {
  std::vector<std::string> v;
  v.reserve(sizeof...(a));
  (v.emplace_back(std::forward<A>(a)), ...);
  return v;
}

}  // namespace calllog

namespace calllog::scripts {

struct Script {
  std::string_view source;
  std::string sha1;  // computed once
  explicit Script(std::string_view src);
};

boost::asio::awaitable<redis::Result<redis::Reply>> run(redis::RedisClient& client, const Script& s,
                                                         std::vector<std::string> keys,
                                                         std::vector<std::string> args);

// Finishes an event. Atomically: pushes the reply (and the dead letter, when given), records the
// session as logged (when a logId is given, with a TTL), releases the dedupe claim if this worker
// still holds it, and removes the element from the processing list. So an event leaves the
// processing list only together with its final reply — nothing lost, nothing replied twice.
// KEYS: reply queue, processing list, claim key, logged key, dead queue
// ARGV: reply, raw element, claim token, logId ("" = none), logged TTL seconds, dead letter ("" = none)
const Script& finish_event();

// Moves every element of a processing list back to the input queue's consuming (right) end, oldest
// last so the oldest is taken first. Atomic: each element is in exactly one of the two lists.
// KEYS: processing list, input queue. Returns the number moved.
const Script& requeue_processing();

// Releases a dedupe claim only if it still holds our token. KEYS: claim key; ARGV: token.
const Script& release_claim();

}  // namespace calllog::scripts
