// report.cpp — error lines of wippy-run (see report.h).
#include "cli/report.h"

#include <fmt/format.h>

namespace wippy::cli {

int report_error(std::string_view message) {
  size_t start = 0;
  while (start <= message.size()) {
    size_t nl = message.find('\n', start);
    std::string_view line = message.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty()) fmt::print(stderr, "wippy-run: error: {}\n", line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return 1;
}

int report_usage(std::string_view message, std::string_view command) {
  report_error(message);
  if (command.empty())
    fmt::print(stderr, "usage: see `wippy-run --help`\n");
  else
    fmt::print(stderr, "usage: see `wippy-run {} --help`\n", command);
  return 2;
}

}  // namespace wippy::cli
