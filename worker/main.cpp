// calllog-worker: the one binary. main() parses the command line and hands over to a sub-command.
// The path of one event: worker/worker.cpp (BLMOVE) → worker/event_pipeline.cpp (parse, dedupe,
// adapter, reply) → adapters/<crm>/ (HTTPS to the CRM via common/https) → finish_event script.
#include <iostream>

#include "common/logging.hpp"
#include "common/redis/cluster_redirect.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/cli.hpp"
#include "worker/commands.hpp"

int main(int argc, char** argv) {
  calllog::Config cfg;
  auto cli = calllog::parse_command_line(argc, argv, cfg);
  if (!cli.proceed) return cli.exit_code;
  calllog::log::init(cfg.log_level);
  if (cli.command == calllog::Command::run) calllog::log::set_worker(cfg.worker_id);

  if (cli.command == calllog::Command::compose) return calllog::compose_command(cfg);

  std::string err;
  if (!calllog::redis::parse_redis_url(cfg.redis_url, &err)) {
    std::cerr << "calllog-worker: --redis-url: " << err << "\n";
    return 2;
  }
  // Redis Cluster: a hash tag anywhere means the operator wants one slot for everything; refuse a
  // mix that would fail later with CROSSSLOT on every BLMOVE and script.
  const bool tagged = cfg.prefix.find('{') != std::string::npos || cfg.queue.find('{') != std::string::npos;
  if (tagged) {
    const auto slot = calllog::redis::key_slot(cfg.prefix + ":x");
    for (const auto* q : {&cfg.queue, &cfg.reply_queue, &cfg.dead_queue}) {
      if (calllog::redis::key_slot(*q) != slot) {
        std::cerr << "calllog-worker: queue '" << *q << "' is not in the hash slot of --prefix '" << cfg.prefix
                  << "'; with Redis Cluster name the queues under the same hash tag (e.g. '{calllog}:events')\n";
        return 2;
      }
    }
  }
  switch (cli.command) {
    case calllog::Command::run: return calllog::run_command(cfg);
    case calllog::Command::enqueue: return calllog::enqueue_command(cfg);
    case calllog::Command::stats: return calllog::stats_command(cfg);
    case calllog::Command::replay: return calllog::replay_command(cfg);
    case calllog::Command::compose: break;
  }
  return 2;
}
