#include <csignal>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "common/logging.hpp"
#include "worker/commands.hpp"
#include "worker/worker.hpp"

namespace calllog {
namespace asio = boost::asio;

int run_command(const Config& cfg) {
  asio::io_context io(1);
  Worker worker(io, cfg);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::info("signal received", {{"signal", static_cast<int64_t>(sig)}});
    worker.stop();
  });
  int exit_code = 1;
  asio::co_spawn(io, worker.run(), [&](std::exception_ptr e, int rc) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("fatal", {{"error", std::string_view(ex.what())}});
      }
      exit_code = 1;
    } else {
      exit_code = rc;
    }
    signals.cancel();
    io.stop();
  });
  io.run();
  return exit_code;
}

}  // namespace calllog
