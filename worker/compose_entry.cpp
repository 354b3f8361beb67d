#include <iostream>

#include "worker/commands.hpp"
#include "worker/compose_command.hpp"

namespace calllog {

int compose_command(const Config& cfg) { return run_compose_command(cfg.input_file, std::cout, std::cerr); }

}  // namespace calllog
