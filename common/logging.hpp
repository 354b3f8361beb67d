#pragma once
// JSON-lines logging on stderr (spdlog underneath). One object per line:
// {"ts":"2026-11-25T10:00:00.123Z","level":"info","msg":"...", <fields>}.
// Never pass a credential (authHeader, Redis password) as a field.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include <spdlog/spdlog.h>

namespace calllog::log {

using Value = std::variant<std::string_view, int64_t, double, bool>;
struct Field {
  std::string_view key;
  Value value;
};

// level: debug, info, warn, error. Returns false for an unknown level name.
bool init(std::string_view level);
// Every line from now on carries "worker": id (set once the worker id is known).
void set_worker(std::string id);
bool valid_level(std::string_view level);

void write(spdlog::level::level_enum lvl, std::string_view msg, std::initializer_list<Field> fields = {});
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(spdlog::level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(spdlog::level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(spdlog::level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(spdlog::level::err, m, f); }

}  // namespace calllog::log
