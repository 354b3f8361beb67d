#pragma once
// Sub-commands (CONTRACT §6). Each returns the process exit code.
#include "worker/config.hpp"

namespace calllog {

int run_command(const Config& cfg);       // worker/run_command.cpp
int enqueue_command(const Config& cfg);   // worker/enqueue_command.cpp
int stats_command(const Config& cfg);     // worker/stats_command.cpp
int replay_command(const Config& cfg);    // worker/replay_command.cpp
int compose_command(const Config& cfg);   // worker/compose_command.cpp (via run_compose_command)

}  // namespace calllog
