#include "common/redis/resp_codec.hpp"

#include <hiredis/hiredis.h>

namespace calllog::redis {

bool append_command(const std::vector<std::string>& argv, std::string* out) {
  if (argv.empty()) return false;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  char* wire = nullptr;
  int n = redisFormatCommandArgv(&wire, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (n < 0 || wire == nullptr) return false;
  out->append(wire, static_cast<size_t>(n));
  redisFreeCommand(wire);
  return true;
}

namespace {

Reply to_owned(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(to_owned(*r.element[i]));
      break;
    default:  // REDIS_REPLY_NIL (and the nil array)
      out.type = Reply::Type::nil;
      break;
  }
  return out;
}

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreate()) {}

ReplyReader::~ReplyReader() {
  if (reader_ != nullptr) redisReaderFree(reader_);
}

bool ReplyReader::feed(const char* data, size_t n) {
  if (reader_ == nullptr) {
    error_ = "out of memory creating the RESP reader";
    return false;
  }
  if (redisReaderFeed(reader_, data, n) != REDIS_OK) {
    error_ = reader_->errstr;
    return false;
  }
  return true;
}

ReplyReader::Status ReplyReader::next(Reply* out) {
  if (reader_ == nullptr) {
    error_ = "out of memory creating the RESP reader";
    return Status::protocol_error;
  }
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    error_ = std::string("RESP protocol error: ") + reader_->errstr;
    return Status::protocol_error;
  }
  if (raw == nullptr) return Status::need_more;
  auto* reply = static_cast<redisReply*>(raw);
  *out = to_owned(*reply);
  freeReplyObject(reply);
  return Status::reply;
}

}  // namespace calllog::redis
