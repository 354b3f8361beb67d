#include <csignal>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>

#include "common/http_server.hpp"
#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "worker/commands.hpp"
#include "worker/worker.hpp"

namespace calllog {
namespace asio = boost::asio;

int run_command(const Config& cfg) {
  asio::io_context io(1);
  Metrics metrics;
  std::unique_ptr<Worker> owned;
  try {
    owned = std::make_unique<Worker>(io, cfg, metrics);
  } catch (const std::exception& e) {  // e.g. a --ca-file that is not PEM
    std::cerr << "calllog-worker: " << e.what() << "\n";
    return 2;
  }
  Worker& worker = *owned;
  metrics.set_in_flight_source([&] { return static_cast<double>(worker.in_flight()); });
  metrics.set_redis_reconnects_source([&] { return worker.redis_reconnects(); });
  HttpServerConfig http_cfg;
  http_cfg.listen = cfg.http_listen;
  HttpRoutes routes;
  routes.metrics = [&] { return metrics.render(); };
  routes.ready = [&] { return worker.ready(); };
  HttpServer http(io.get_executor(), http_cfg, routes);
  if (auto listening = http.start(); !listening) {
    std::cerr << "calllog-worker: " << listening.error << "\n";
    return 2;
  }
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
    http.stop();
    io.stop();
  });
  io.run();
  return exit_code;
}

}  // namespace calllog
