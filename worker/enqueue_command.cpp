// `enqueue FILE|-`: pushes events onto the input queue (LPUSH, so the queue stays FIFO).
#include <iostream>

#include <fmt/format.h>

#include "common/event_reader.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/commands.hpp"
#include "worker/sync_run.hpp"

namespace calllog {
namespace asio = boost::asio;

int enqueue_command(const Config& cfg) {
  auto file = read_event_file(cfg.input_file);
  if (!file.error.empty()) {
    std::cerr << "calllog-worker enqueue: " << cfg.input_file << ": " << file.error << " (nothing pushed)\n";
    return 2;
  }
  std::string err;
  auto rc = *redis::parse_redis_url(cfg.redis_url, &err);
  return run_sync<int>([&](asio::io_context& io) -> asio::awaitable<int> {
    redis::RedisClient client(io.get_executor(), rc);
    auto c = co_await client.connect();
    if (!c) {
      std::cerr << "calllog-worker enqueue: " << c.error->message << "\n";
      co_return 1;
    }
    constexpr std::size_t kBatch = 500;   // elements per LPUSH
    std::size_t pushed = 0;
    for (std::size_t i = 0; i < file.elements.size(); i += kBatch) {
      std::vector<std::string> argv{"LPUSH", cfg.queue};
      for (std::size_t j = i; j < std::min(file.elements.size(), i + kBatch); ++j) argv.push_back(file.elements[j]);
      auto n = argv.size() - 2;
      auto r = co_await client.exec(std::move(argv));
      if (!r || r->is_error()) {
        std::cerr << "calllog-worker enqueue: pushed " << pushed << " of " << file.elements.size()
                  << " before an error: " << (r ? r->str : r.error->message) << "\n";
        co_return 1;
      }
      pushed += n;
    }
    std::cout << fmt::format("pushed {} event{} to {}\n", pushed, pushed == 1 ? "" : "s", cfg.queue);
    client.close();
    co_return 0;
  });
}

}  // namespace calllog
