#pragma once
// The command line (CONTRACT §6): sub-commands, flags with env fallbacks (the flag wins),
// --help for the program and each sub-command, --version.
#include <string>

#include "worker/config.hpp"

namespace calllog {

enum class Command { run, replay, enqueue, stats, compose };

struct CliOutcome {
  bool proceed = false;   // false: exit now with exit_code (help, version, or a bad command line)
  int exit_code = 0;
  Command command = Command::run;
};

// Parses argv into cfg. Prints help/version to stdout, or one line on stderr for an error (exit 2).
CliOutcome parse_command_line(int argc, char** argv, Config& cfg);

}  // namespace calllog
