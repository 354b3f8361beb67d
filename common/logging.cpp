#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include "common/json.hpp"

namespace calllog::log {
namespace {

std::string& worker_field() {
  static std::string w;
  return w;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return std::nullopt;
}

const char* level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    default: return "trace";
  }
}

}  // namespace

bool valid_level(std::string_view level) { return parse_level(level).has_value(); }

void set_worker(std::string id) { worker_field() = std::move(id); }

bool init(std::string_view level) {
  auto l = parse_level(level);
  if (!l) return false;
  auto logger = spdlog::stderr_logger_st("calllog");
  // The message is a complete JSON object built by write(); spdlog adds only the newline.
  logger->set_pattern("%v");
  logger->set_level(*l);
  logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  return true;
}

void write(spdlog::level::level_enum lvl, std::string_view msg, std::initializer_list<Field> fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(lvl)) return;
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string line;
  line.reserve(128);
  fmt::format_to(std::back_inserter(line), "{{\"ts\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\",\"level\":\"{}\",\"msg\":",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 static_cast<int>(ms % 1000), level_name(lvl));
  json::append_quoted(line, msg);
  if (!worker_field().empty()) {
    line += ",\"worker\":";
    json::append_quoted(line, worker_field());
  }
  for (const auto& f : fields) {
    if (f.key == "worker") continue;  // already there
    line.push_back(',');
    json::append_quoted(line, f.key);
    line.push_back(':');
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) json::append_quoted(line, v);
          else if constexpr (std::is_same_v<T, bool>) line += v ? "true" : "false";
          else if constexpr (std::is_same_v<T, double>) line += json::js_number(v);
          else line += std::to_string(v);
        },
        f.value);
  }
  line.push_back('}');
  logger->log(lvl, "{}", line);
}

}  // namespace calllog::log
