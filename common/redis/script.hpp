#pragma once
// A Lua script run by SHA (EVALSHA), falling back to EVAL once when the server does not have it
// yet (NOSCRIPT: a new server, a restart, or a cluster node we were redirected to).
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/redis/redis_client.hpp"

namespace calllog::redis {

struct Script {
  std::string_view source;
  std::string sha1;  // computed once
  explicit Script(std::string_view src);
};

boost::asio::awaitable<Result<Reply>> run_script(RedisClient& client, const Script& s, std::vector<std::string> keys,
                                                 std::vector<std::string> args);

}  // namespace calllog::redis
