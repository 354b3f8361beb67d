#include "worker/redis_scripts.hpp"

#include <openssl/sha.h>

#include <cstdio>

namespace calllog::scripts {

Script::Script(std::string_view src) : source(src) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(src.data()), src.size(), md);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  sha1.assign(hex, 2 * SHA_DIGEST_LENGTH);
}

boost::asio::awaitable<redis::Result<redis::Reply>> run(redis::RedisClient& client, const Script& s,
                                                         std::vector<std::string> keys,
                                                         std::vector<std::string> args) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(s.sha1);
  argv.push_back(std::to_string(keys.size()));
  for (auto& k : keys) argv.push_back(std::move(k));
  for (auto& a : args) argv.push_back(std::move(a));
  auto r = co_await client.exec(argv);
  if (r && r->is_error() && r->str.rfind("NOSCRIPT", 0) == 0) {
    argv[0] = "EVAL";
    argv[1] = std::string(s.source);
    r = co_await client.exec(std::move(argv));
  }
  co_return r;
}

const Script& finish_event() {
  static const Script s(R"lua(
if ARGV[6] ~= '' then redis.call('LPUSH', KEYS[5], ARGV[6]) end
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4], 'EX', tonumber(ARGV[5])) end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
redis.call('LPUSH', KEYS[1], ARGV[1])
return redis.call('LREM', KEYS[2], 1, ARGV[2])
)lua");
  return s;
}

const Script& requeue_processing() {
  static const Script s(R"lua(
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do n = n + 1 end
return n
)lua");
  return s;
}

const Script& release_claim() {
  static const Script s(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return s;
}

}  // namespace calllog::scripts
