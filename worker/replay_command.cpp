// `replay`: dead queue → input queue. Lands with the retry/replay work (issue 6).
#include <iostream>

#include "worker/commands.hpp"

namespace calllog {

int replay_command(const Config&) {
  std::cerr << "calllog-worker replay: not available in this build yet (arrives with durable retries)\n";
  return 2;
}

}  // namespace calllog
