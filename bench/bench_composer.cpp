// Composer throughput: bodies/s for the Pipedrive sample event in each log format and through
// compose_for_platform, single thread. Usage: bench_composer [sample.json] [seconds per row]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace {

template <class F>
double bodies_per_second(F&& compose_one, double seconds) {
  using clock = std::chrono::steady_clock;
  std::size_t n = 0, bytes = 0;
  const auto start = clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (clock::now() < until) {
    for (int k = 0; k < 1000; ++k) bytes += compose_one().size();
    n += 1000;
  }
  const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  if (bytes == 0) std::puts("(empty bodies)");
  return static_cast<double>(n) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "../shared/spec/samples/pipedrive-inbound.json";
  const double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  std::ifstream f(path);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  rapidjson::Document doc;
  if (auto err = calllog::json::parse(doc, text); !err.empty()) {
    std::fprintf(stderr, "cannot read %s: %s\n", path.c_str(), err.c_str());
    return 2;
  }
  std::printf("sample: %s, single thread, %.1f s per row\n", path.c_str(), seconds);
  for (auto fmt : {calllog::LogFormat::html, calllog::LogFormat::plain, calllog::LogFormat::markdown}) {
    const double r = bodies_per_second([&] { return calllog::compose_call_log(doc, fmt); }, seconds);
    std::printf("%-14s %12.0f bodies/s\n", std::string(calllog::format_name(fmt)).c_str(), r);
  }
  const double r = bodies_per_second(
      [&] { return calllog::compose_for_platform(doc).ok->body; }, seconds);
  std::printf("%-14s %12.0f bodies/s (compose_for_platform, pipedrive)\n", "platform", r);
  return 0;
}
