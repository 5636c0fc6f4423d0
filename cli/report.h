// report.h — the one error format of wippy-run on stderr:
//   wippy-run: error: MESSAGE
// with MESSAGE starting "FILE:LINE: " (or "FILE: ") when there is a place to
// name. A message of several lines (a registry load can report several
// problems) prints one such line per non-empty line. Usage errors add one
// line pointing at the subcommand's --help. Exit statuses: report_error
// returns 1, report_usage 2.
#pragma once
#include <string_view>

namespace wippy::cli {

int report_error(std::string_view message);

// `command` is the subcommand ("run", "wast", ...) or empty for the top level.
int report_usage(std::string_view message, std::string_view command);

}  // namespace wippy::cli
