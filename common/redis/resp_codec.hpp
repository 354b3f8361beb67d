#pragma once
// RESP2 codec on top of hiredis 0.14.1: redisFormatCommandArgv (explicit lengths, binary-safe)
// encodes commands, redisReader parses replies, which we convert into owned Reply values.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redis/redis_client.hpp"

struct redisReader;

namespace calllog::redis {

// Appends the RESP encoding of argv to *out. False only when hiredis cannot encode it
// (empty argv or out of memory).
bool append_command(const std::vector<std::string>& argv, std::string* out);

// Incremental reply parser: feed bytes as they arrive, then take whole replies one by one.
class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // False when hiredis refuses the bytes (only after a protocol error).
  bool feed(const char* data, size_t n);

  enum class Status { reply, need_more, protocol_error };
  // reply: *out holds the next whole reply; need_more: feed more bytes; protocol_error: the
  // stream is unusable, error() says why.
  Status next(Reply* out);
  const std::string& error() const { return error_; }

 private:
  redisReader* reader_;
  std::string error_;
};

}  // namespace calllog::redis
