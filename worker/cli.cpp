#include "worker/cli.hpp"

#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "common/logging.hpp"

namespace calllog {
namespace {

constexpr const char* kDescription =
    "calllog-worker: takes call events from a Redis list, logs each call into its CRM exactly as\n"
    "RingCentral App Connect's createCallLog does, and replies on a reply queue.";

// Options every Redis-facing sub-command shares.
void add_redis_options(CLI::App* app, Config& c) {
  app->add_option("--redis-url", c.redis_url, "redis://[user:password@]host:port/db; rediss:// is TLS")
      ->envname("REDIS_URL")->capture_default_str();
  app->add_option("--queue", c.queue, "input queue (list)")->envname("CALLLOG_QUEUE")->capture_default_str();
  app->add_option("--reply-queue", c.reply_queue, "reply queue (list)")
      ->envname("CALLLOG_REPLY_QUEUE")->capture_default_str();
  app->add_option("--dead-queue", c.dead_queue, "dead-letter queue (list)")
      ->envname("CALLLOG_DEAD_QUEUE")->capture_default_str();
  app->add_option("--prefix", c.prefix, "prefix of every internal key ('{calllog}' for Redis Cluster)")
      ->envname("CALLLOG_PREFIX")->capture_default_str();
  app->add_option("--log-level", c.log_level, "debug, info, warn or error")
      ->envname("CALLLOG_LOG_LEVEL")->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

void add_adapter_options(CLI::App* app, Config& c) {
  app->add_option("--sandbox-db", c.adapters.sandbox_db, "SQLite file of the sandbox adapter")
      ->envname("CALLLOG_SANDBOX_DB")->capture_default_str();
  app->add_option("--redtail-api-url", c.adapters.redtail_api_url, "Redtail API base URL")
      ->envname("REDTAIL_API_SERVER");
  app->add_option("--redtail-api-key", c.adapters.redtail_api_key,
                  "Redtail app key (combined with the user key into Authorization)")
      ->envname("REDTAIL_API_KEY");
  app->add_option("--insightly-api-version", c.adapters.insightly_api_version,
                  "path segment after platformAdditionalInfo.apiUrl")
      ->envname("INSIGHTLY_API_VERSION")->capture_default_str();
}

void add_run_options(CLI::App* app, Config& c) {
  add_redis_options(app, c);
  app->add_option("--concurrency", c.concurrency, "events in flight in this process")
      ->envname("CALLLOG_CONCURRENCY")->capture_default_str()->check(CLI::Range(1, 100000));
  app->add_option("--max-attempts", c.max_attempts, "attempts before an event is dead-lettered")
      ->envname("CALLLOG_MAX_ATTEMPTS")->capture_default_str()->check(CLI::Range(1, 1000));
  app->add_option("--max-rate-limited", c.max_rate_limited,
                  "429 answers an event may get (each retried after the CRM's reset, spending no "
                  "attempt) before it is dead-lettered")
      ->envname("CALLLOG_MAX_RATE_LIMITED")->capture_default_str()->check(CLI::Range(0, 100000));
  app->add_option("--allow-host", c.allow_hosts,
                  "CRM host pattern allowed beyond each adapter's built-in list (host, host:port, "
                  "*.domain); repeatable")
      ->envname("CALLLOG_ALLOW_HOSTS")->delimiter(',');
  app->add_option("--ca-file", c.ca_file, "extra trusted CA certificates (PEM) for CRM TLS")
      ->envname("CALLLOG_CA_FILE")->check(CLI::ExistingFile);
  app->add_option("--resolve", c.resolve,
                  "HOST:PORT:ADDR — connect to ADDR for HOST:PORT (like curl); TLS still verifies "
                  "HOST; repeatable")
      ->envname("CALLLOG_RESOLVE")->delimiter(',');
  app->add_option("--http-listen", c.http_listen, "ADDR:PORT for /metrics, /healthz, /readyz; 'off' disables")
      ->envname("CALLLOG_HTTP_LISTEN")->capture_default_str();
  app->add_option("--worker-id", c.worker_id, "name of this worker in keys and dead letters (default <hostname>-<pid>)")
      ->envname("CALLLOG_WORKER_ID");
  app->add_option("--shutdown-grace", c.shutdown_grace_s, "seconds to finish in-flight events after SIGTERM")
      ->envname("CALLLOG_SHUTDOWN_GRACE")->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app->add_option("--dedupe-ttl-days", c.dedupe_ttl_days, "days a logged session blocks duplicates")
      ->envname("CALLLOG_DEDUPE_TTL_DAYS")->capture_default_str()->check(CLI::Range(1, 3650));
  app->add_option("--retry-base", c.retry_base_s, "retry backoff base, seconds (exponential, full jitter)")
      ->envname("CALLLOG_RETRY_BASE")->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app->add_option("--retry-cap", c.retry_cap_s, "retry backoff cap, seconds")
      ->envname("CALLLOG_RETRY_CAP")->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app->add_option("--heartbeat", c.heartbeat_s, "worker heartbeat interval, seconds")
      ->envname("CALLLOG_HEARTBEAT")->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  add_adapter_options(app, c);
}

bool names_subcommand(std::string_view a) {
  return a == "run" || a == "replay" || a == "enqueue" || a == "stats" || a == "compose";
}

std::string default_worker_id() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + std::to_string(::getpid());
}

}  // namespace

CliOutcome parse_command_line(int argc, char** argv, Config& cfg) {
  CLI::App app{kDescription, "calllog-worker"};
  app.set_version_flag("--version", std::string("calllog-worker ") + CALLLOG_VERSION);
  app.require_subcommand(0, 1);
  app.footer("Every option also reads its environment variable; the flag wins. Run "
             "'calllog-worker <sub-command> --help' for each sub-command's options.");

  auto* run = app.add_subcommand("run", "the worker (the default sub-command)");
  add_run_options(run, cfg);

  auto* replay = app.add_subcommand("replay", "move dead letters back to the input queue");
  add_redis_options(replay, cfg);
  replay->add_option("--count", cfg.replay_count, "move at most N dead letters (default all)")
      ->check(CLI::Range(0LL, (1LL << 62)));
  replay->add_option("--id", cfg.replay_ids, "only the dead letter of this event id; repeatable");
  replay->add_option("--platform", cfg.replay_platform, "only events of this platform");
  replay->add_option("--error-code", cfg.replay_error_code, "only dead letters with this error.code");
  replay->add_flag("--dry-run", cfg.replay_dry_run, "print what would move; move nothing");

  auto* enqueue = app.add_subcommand("enqueue", "push events from a JSON, JSON-array or JSON-lines file ('-' = stdin)");
  add_redis_options(enqueue, cfg);
  enqueue->add_option("FILE", cfg.input_file, "file to read, or - for standard input")->required();

  auto* stats = app.add_subcommand("stats", "queue depths, in flight, retries due, dead letters");
  add_redis_options(stats, cfg);
  stats->add_flag("--json", cfg.stats_json, "print one JSON object instead of a table");

  auto* compose = app.add_subcommand("compose", "print the log body each event would get; no network");
  compose->add_option("FILE", cfg.input_file, "file to read, or - for standard input")->required();

  // `calllog-worker [options]` means `calllog-worker run [options]`.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  bool top_level_only = !args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "--version");
  if (!top_level_only && (args.empty() || !names_subcommand(args[0]))) args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector

  CliOutcome out;
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    out.exit_code = app.exit(e);
    return out;
  } catch (const CLI::CallForAllHelp& e) {
    out.exit_code = app.exit(e);
    return out;
  } catch (const CLI::CallForVersion& e) {
    out.exit_code = app.exit(e);
    return out;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::cerr << "calllog-worker: " << what << " (see --help)\n";
    out.exit_code = 2;
    return out;
  }

  if (run->parsed()) out.command = Command::run;
  else if (replay->parsed()) out.command = Command::replay;
  else if (enqueue->parsed()) out.command = Command::enqueue;
  else if (stats->parsed()) out.command = Command::stats;
  else if (compose->parsed()) out.command = Command::compose;

  if (cfg.worker_id.empty()) cfg.worker_id = default_worker_id();
  for (const auto& r : cfg.resolve) {
    // HOST:PORT:ADDR (ADDR may be [v6])
    auto c1 = r.find(':');
    auto c2 = c1 == std::string::npos ? std::string::npos : r.find(':', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos || c1 == 0 || c2 == c1 + 1 || c2 + 1 >= r.size()) {
      std::cerr << "calllog-worker: --resolve " << r << ": expected HOST:PORT:ADDR\n";
      out.exit_code = 2;
      return out;
    }
  }
  if (cfg.http_listen != "off" && cfg.http_listen.rfind(':') == std::string::npos) {
    std::cerr << "calllog-worker: --http-listen " << cfg.http_listen << ": expected ADDR:PORT or off\n";
    out.exit_code = 2;
    return out;
  }
  out.proceed = true;
  return out;
}

}  // namespace calllog
