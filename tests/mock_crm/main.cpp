// mock-crm: an HTTPS mock of the CRM APIs for tests and benchmarks (binds 127.0.0.1).
//   mock-crm --cert FILE --key FILE [--port N] [--record FILE] [--stats FILE] [--latency-ms N]
//            [--exit-with-parent 1] [--chaos-5xx P] [--chaos-reset P] [--latency-jitter-ms N]
//            [--seed S]
// Prints "listening <port>" on stdout once it accepts connections. See mock.hpp for routing,
// crm_test_behaviours.cpp for the /__* test paths, crms.cpp for the list of CRMs.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "server.hpp"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "mock-crm: %s\nusage: mock-crm --cert FILE --key FILE [--port N] [--record FILE] "
               "[--stats FILE] [--latency-ms N] [--exit-with-parent 1]\n"
               "       [--chaos-5xx P] [--chaos-reset P] [--latency-jitter-ms N] [--seed S]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mock::ServerOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + arg).c_str());
    std::string value = argv[++i];
    if (arg == "--port")
      opts.port = static_cast<uint16_t>(std::atoi(value.c_str()));
    else if (arg == "--cert")
      opts.cert = value;
    else if (arg == "--key")
      opts.key = value;
    else if (arg == "--record")
      opts.record_file = value;
    else if (arg == "--stats")
      opts.stats_file = value;
    else if (arg == "--exit-with-parent") {
      // A test that dies (even by SIGKILL) takes its mock with it.
      if (value == "1" && (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1)) return 1;
    } else if (arg == "--latency-ms")
      opts.latency = std::chrono::milliseconds(std::atoi(value.c_str()));
    else if (arg == "--chaos-5xx")
      opts.chaos.fail_5xx = std::atof(value.c_str());
    else if (arg == "--chaos-reset")
      opts.chaos.reset = std::atof(value.c_str());
    else if (arg == "--latency-jitter-ms")
      opts.chaos.jitter = std::chrono::milliseconds(std::atoi(value.c_str()));
    else if (arg == "--seed")
      opts.chaos.seed = std::strtoull(value.c_str(), nullptr, 10);
    else
      return usage(("unknown option " + arg).c_str());
  }
  if (opts.cert.empty() || opts.key.empty()) return usage("--cert and --key are required");
  if (opts.chaos.fail_5xx < 0 || opts.chaos.reset < 0 || opts.chaos.fail_5xx + opts.chaos.reset > 1)
    return usage("--chaos-5xx and --chaos-reset are shares between 0 and 1 (together at most 1)");

  try {
    boost::asio::io_context io(1);
    mock::Router router;
    mock::register_all(router);
    mock::Server server(io, opts, router);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    boost::asio::co_spawn(io, server.accept_loop(), boost::asio::detached);
    std::printf("listening %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mock-crm: %s\n", e.what());
    return 1;
  }
  return 0;
}
