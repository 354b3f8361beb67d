#pragma once
// Runs one coroutine to completion on a private io_context (for short CLI sub-commands).
#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace calllog {

template <class T, class F>
T run_sync(F&& make_coroutine) {
  boost::asio::io_context io(1);
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(io, make_coroutine(io), [&](std::exception_ptr e, T r) {
    if (e) error = e;
    else result = std::move(r);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace calllog
