#pragma once
// One exec()/exec_pipeline() call on its way through the connection: its encoded commands, one
// reply slot per command, and the timer that is both its deadline and its wake-up (finish()
// cancels it). A call that gave up (timeout, cancellation) stays in the FIFO as a placeholder that
// swallows its replies, so later replies still go to the right callers.
//
// Each command travels on its own (InFlight): a Redis Cluster node may redirect one command of a
// pipeline (MOVED/ASK), which is then sent again alone, so its bytes are kept until the call ends.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/redis/redis_client.hpp"

namespace calllog::redis {

struct Pending {
  explicit Pending(boost::asio::any_io_executor ex) : timer(ex) {}

  std::string wire;          // RESP bytes of all commands, back to back
  std::vector<size_t> ends;  // where each command's bytes end in `wire`
  std::string name;          // first command's name, for messages (never its arguments)
  std::chrono::milliseconds timeout{0};
  std::vector<Reply> replies;           // one slot per command
  std::vector<uint8_t> redirects;       // redirects followed, per command
  size_t received = 0;
  bool written = false;      // handed to the socket; its replies will come back in order
  bool abandoned = false;    // the caller left (or it failed): its replies are dropped on arrival
  bool done = false;
  std::chrono::steady_clock::time_point written_at;
  std::optional<RedisError> error;
  boost::asio::steady_timer timer;

  size_t expected() const { return ends.size(); }
  bool live() const { return !abandoned && !done; }

  std::string_view command_bytes(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(wire).substr(begin, ends[i] - begin);
  }

  void deliver(size_t i, Reply&& reply) {
    if (!live()) return;
    replies[i] = std::move(reply);
    if (++received == expected()) finish();
  }

  void finish(std::optional<RedisError> e = std::nullopt) {
    if (done) return;
    done = true;
    error = std::move(e);
    timer.cancel();
  }
};

// One command of a call, written to (or waiting to be written to) a connection.
struct InFlight {
  std::shared_ptr<Pending> call;
  size_t index = 0;
};

}  // namespace calllog::redis
