// `replay` (CONTRACT §6): dead queue → input queue.
//
// The dead queue is read from its oldest end (the right) in bounded LRANGE pages addressed from
// the right, so dead letters that workers LPUSH meanwhile do not shift the pages. The matching
// dead letters of a page are moved by one Lua script: for each, LREM exactly that element (one
// occurrence, searched from the right) and, only if it was there, LPUSH its event onto the input
// queue and clear the event's attempt counters. So whenever the command is killed, each dead letter
// is either still dead or back on the queue — never both, never neither.
//
// The event goes back byte for byte as the dead letter embeds it (the dead letter holds the
// original element verbatim); it keeps its `id`. Dead letters whose `event` is null (the element
// was not JSON) are not replayable: they are skipped and counted.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/json.hpp"
#include "common/logging.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/commands.hpp"
#include "worker/redis_scripts.hpp"
#include "worker/sync_run.hpp"

namespace calllog {
namespace asio = boost::asio;

namespace {

constexpr long long kPageSize = 256;                  // dead letters per LRANGE
constexpr std::size_t kBatchBytes = 4 * 1024 * 1024;  // script arguments per call, at most
constexpr long long kProgressEvery = 10'000;          // log a progress line every N scanned

// KEYS: dead queue, input queue, attempts hash. ARGV: triples (dead letter, event, event id).
// Returns how many moved.
const scripts::Script& replay_script() {
  static const scripts::Script s(R"lua(
local moved = 0
for i = 1, #ARGV, 3 do
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) == 1 then
    redis.call('LPUSH', KEYS[2], ARGV[i + 1])
    if ARGV[i + 2] ~= '' then redis.call('HDEL', KEYS[3], ARGV[i + 2], ARGV[i + 2] .. ':429') end
    moved = moved + 1
  end
end
return moved
)lua");
  return s;
}

// ---- reading a dead letter -------------------------------------------------------------------

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// s[i] is '"'; returns the index after the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '"') return i + 1;
  }
  return std::string_view::npos;
}

// Returns the index after the JSON value starting at s[i] (valid JSON assumed).
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == std::string_view::npos) return i;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
         s[i] != '\r' && s[i] != '\t')
    ++i;
  return i;
}

// The exact text of a top-level member's value, e.g. the embedded event; nullopt if not found.
std::optional<std::string_view> member_text(std::string_view s, std::string_view key) {
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  i = skip_ws(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    std::size_t key_end = skip_string(s, i);
    if (key_end == std::string_view::npos) return std::nullopt;
    std::string_view k = s.substr(i + 1, key_end - i - 2);
    i = skip_ws(s, key_end);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    std::size_t value_begin = skip_ws(s, i + 1);
    std::size_t value_end = skip_value(s, value_begin);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (k == key) return s.substr(value_begin, value_end - value_begin);
    i = skip_ws(s, value_end);
    if (i < s.size() && s[i] == ',') i = skip_ws(s, i + 1);
  }
  return std::nullopt;
}

struct DeadLetter {
  bool readable = false;      // the element parsed as a JSON object
  bool replayable = false;    // it carries an event object
  std::string event;          // the event's text, as embedded
  std::string id, platform, error_code;
};

DeadLetter read_dead_letter(const std::string& element) {
  DeadLetter d;
  rapidjson::Document doc;
  if (!json::parse(doc, element).empty() || !doc.IsObject()) return d;
  d.readable = true;
  d.error_code = std::string(json::string_at(json::find_path(doc, {"error", "code"})).value_or(""));
  const rapidjson::Value* event = json::find(doc, "event");
  if (!event || !event->IsObject()) return d;
  d.replayable = true;
  d.id = json::js_string(json::find(*event, "id"));
  d.platform = std::string(json::string_at(json::find(*event, "platform")).value_or(""));
  auto text = member_text(element, "event");
  if (text && !text->empty() && text->front() == '{') d.event = std::string(*text);
  else d.event = json::to_string(*event);   // unusual spelling of the key: re-serialize
  return d;
}

// ---- filtering and moving ----------------------------------------------------------------------

bool wanted(const Config& cfg, const DeadLetter& d) {
  if (!cfg.replay_error_code.empty() && d.error_code != cfg.replay_error_code) return false;
  if (!cfg.replay_platform.empty() && d.platform != cfg.replay_platform) return false;
  if (!cfg.replay_ids.empty()) {
    bool any = false;
    for (auto& id : cfg.replay_ids) any = any || id == d.id;
    if (!any) return false;
  }
  return true;
}

struct Tally {
  long long scanned = 0, matched = 0, moved = 0, not_replayable = 0, unreadable = 0;
};

struct Batch {
  std::vector<std::string> args;   // triples: dead letter, event, id
  std::size_t bytes = 0;
};

// Moves one batch; returns how many moved or an error message.
asio::awaitable<std::pair<long long, std::string>> move_batch(redis::RedisClient& client,
                                                              const Config& cfg, Batch batch) {
  auto keys = cmd(cfg.dead_queue, cfg.queue, cfg.attempts_key());
  auto r = co_await scripts::run(client, replay_script(), std::move(keys), std::move(batch.args));
  std::pair<long long, std::string> out(0, "");
  if (!r) out.second = r.error->message;
  else if (r->is_error()) out.second = r->str;
  else out.first = r->integer;
  co_return out;
}

asio::awaitable<int> replay(asio::io_context& io, const Config& cfg, redis::RedisConfig rc) {
  redis::RedisClient client(io.get_executor(), rc);
  auto c = co_await client.connect();
  if (!c) {
    std::cerr << "calllog-worker replay: " << c.error->message << "\n";
    co_return 1;
  }
  const long long limit = cfg.replay_count < 0 ? -1 : cfg.replay_count;
  const bool raw_counts = cfg.replay_ids.empty() && cfg.replay_platform.empty();
  Tally t;
  long long from_right = 0;   // dead letters at the right end already looked at and kept
  std::string failure;
  while (failure.empty() && (limit < 0 || t.matched < limit)) {
    auto page = co_await client.exec(cmd("LRANGE", cfg.dead_queue, std::to_string(-(from_right + kPageSize)),
                                         std::to_string(-(from_right + 1))));
    if (!page || page->is_error()) {
      failure = page ? page->str : page.error->message;
      break;
    }
    auto& elements = page->elements;
    if (elements.empty()) break;
    // Oldest first: the page is left to right, the oldest at its right end.
    Batch batch;
    long long removed = 0;
    for (auto it = elements.rbegin(); it != elements.rend() && failure.empty(); ++it) {
      if (++t.scanned % kProgressEvery == 0)
        log::info("replay progress", {{"scanned", int64_t(t.scanned)}, {"moved", int64_t(t.moved)},
                                      {"matched", int64_t(t.matched)}});
      if (limit >= 0 && t.matched >= limit) break;
      DeadLetter d = read_dead_letter(it->str);
      if (!d.readable) { ++t.unreadable; continue; }
      if (!d.replayable) {
        if (raw_counts && (cfg.replay_error_code.empty() || d.error_code == cfg.replay_error_code))
          ++t.not_replayable;
        continue;
      }
      if (!wanted(cfg, d)) continue;
      ++t.matched;
      if (cfg.replay_dry_run) {
        std::cout << d.id << "\n";
        continue;
      }
      batch.bytes += it->str.size() + d.event.size() + d.id.size();
      batch.args.push_back(std::move(it->str));
      batch.args.push_back(std::move(d.event));
      batch.args.push_back(std::move(d.id));
      if (batch.bytes >= kBatchBytes) {
        Batch full = std::move(batch);
        batch = Batch();
        auto [n, err] = co_await move_batch(client, cfg, std::move(full));
        t.moved += n;
        removed += n;
        failure = err;
      }
    }
    if (failure.empty() && !batch.args.empty()) {
      auto [n, err] = co_await move_batch(client, cfg, std::move(batch));
      t.moved += n;
      removed += n;
      failure = err;
    }
    from_right += static_cast<long long>(elements.size()) - removed;
    if (static_cast<long long>(elements.size()) < kPageSize) break;   // reached the left end
  }
  client.close();

  const std::string skipped =
      t.not_replayable ? fmt::format("; skipped {} not replayable (no event)", t.not_replayable) : "";
  const std::string unreadable =
      t.unreadable ? fmt::format("; {} unreadable (not JSON)", t.unreadable) : "";
  if (cfg.replay_dry_run)
    std::cout << fmt::format("dry run: would move {} dead letter{} from {} to {}{}{}\n", t.matched,
                             t.matched == 1 ? "" : "s", cfg.dead_queue, cfg.queue, skipped, unreadable);
  else
    std::cout << fmt::format("moved {} dead letter{} from {} to {}{}{}\n", t.moved, t.moved == 1 ? "" : "s",
                             cfg.dead_queue, cfg.queue, skipped, unreadable);
  if (!failure.empty()) {
    std::cerr << "calllog-worker replay: stopped after an error: " << failure << "\n";
    co_return 1;
  }
  co_return 0;
}

}  // namespace

int replay_command(const Config& cfg) {
  std::string err;
  auto rc = redis::parse_redis_url(cfg.redis_url, &err);
  if (!rc) {
    std::cerr << "calllog-worker replay: --redis-url: " << err << "\n";
    return 2;
  }
  return run_sync<int>([&](asio::io_context& io) { return replay(io, cfg, *rc); });
}

}  // namespace calllog
