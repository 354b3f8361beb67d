#include "common/redis/script.hpp"

#include <openssl/sha.h>

#include <cstdio>

namespace calllog::redis {

Script::Script(std::string_view src) : source(src) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(src.data()), src.size(), md);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  sha1.assign(hex, 2 * SHA_DIGEST_LENGTH);
}

boost::asio::awaitable<Result<Reply>> run_script(RedisClient& client, const Script& s, std::vector<std::string> keys,
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

}  // namespace calllog::redis
