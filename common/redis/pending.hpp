#pragma once
// One exec()/exec_pipeline() call on its way through the connection: its encoded bytes, how many
// replies it waits for, and the timer that is both its deadline and its wake-up (finish() cancels
// it). A call that gave up (timeout, cancellation) stays in the FIFO as a placeholder that
// swallows its replies, so later replies still go to the right callers.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/redis/redis_client.hpp"

namespace calllog::redis {

struct Pending {
  explicit Pending(boost::asio::any_io_executor ex) : timer(ex) {}

  std::string wire;          // RESP bytes, emptied once written
  size_t expected = 0;       // replies this call waits for
  std::string name;          // first command's name, for messages (never its arguments)
  std::chrono::milliseconds timeout{0};
  std::vector<Reply> replies;
  bool written = false;      // handed to the socket; its replies will come back in order
  bool abandoned = false;    // the caller left; its replies are dropped on arrival
  bool done = false;
  std::chrono::steady_clock::time_point written_at;
  std::optional<RedisError> error;
  boost::asio::steady_timer timer;

  void finish(std::optional<RedisError> e = std::nullopt) {
    if (done) return;
    done = true;
    error = std::move(e);
    timer.cancel();
  }
};

}  // namespace calllog::redis
