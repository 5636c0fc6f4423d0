// run_command.h — `wippy-run run FILE.wasm|FILE.wat --invoke NAME [ARG...]`:
// instantiates a core module without imports, calls export NAME with ARGs
// parsed by its parameter types, prints one result per line as TYPE:VALUE.
#pragma once
#include <string>
#include <vector>

namespace wippy::cli {

// Returns the process exit status (0 on success); errors go to stderr.
int run_command(const std::string& file, const std::string& export_name, const std::vector<std::string>& args);

}  // namespace wippy::cli
