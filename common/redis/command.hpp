#pragma once
// Builders for RedisClient::exec / exec_pipeline arguments.
//
// Why: g++ 12 rejects a braced list inside a co_await expression ("array used as initializer"),
// so `co_await client.exec({"GET", key})` does not compile. Write instead
//   co_await client.exec(cmd("GET", key));
//   co_await client.exec_pipeline(pipeline(cmd("LPUSH", q, v), cmd("LREM", p, 1, raw)));
// Arguments may be anything a std::string can be built from, or an integer (sent in decimal).
#include <concepts>
#include <string>
#include <utility>
#include <vector>

namespace calllog::redis {

namespace detail {
template <class A>
std::string to_arg(A&& a) {
  if constexpr (std::integral<std::remove_cvref_t<A>> && !std::same_as<std::remove_cvref_t<A>, char>)
    return std::to_string(a);
  else
    return std::string(std::forward<A>(a));
}
}  // namespace detail

template <class... A>
std::vector<std::string> cmd(A&&... args) {
  std::vector<std::string> argv;
  argv.reserve(sizeof...(A));
  (argv.push_back(detail::to_arg(std::forward<A>(args))), ...);
  return argv;
}

template <class... C>
std::vector<std::vector<std::string>> pipeline(C&&... commands) {
  std::vector<std::vector<std::string>> all;
  all.reserve(sizeof...(C));
  (all.push_back(std::forward<C>(commands)), ...);
  return all;
}

}  // namespace calllog::redis
