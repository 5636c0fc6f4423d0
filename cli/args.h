// args.h — the one command-line parser of wippy-run: every subcommand
// describes its options in a table and hands its arguments here.
// Contract:
//  * An option is `--name VALUE`, `--name=VALUE` (takes_value) or a bare
//    `--name` / its short alias (`-V`); options may come before or after
//    positionals, in any order, and repeat (each use is kept, in order).
//  * `--` ends the options: everything after it is positional, verbatim.
//  * A positional for which stop(positional, its index) is true ends the
//    options too: it and everything after it are positional, verbatim
//    (guest arguments, a registry entry's ARGs).
//  * A word starting with '-' that is not in the table is a usage error,
//    except a number ("-1", "-0x10", "-.5", "-inf", "-nan"): a positional.
//  * Errors are values (ErrorKind::Other) with one line naming the word;
//    the caller reports them as usage errors (report.h, exit status 2).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wippy::cli {

struct OptionSpec {
  std::string_view name;        // "--dir"
  bool takes_value = false;
  std::string_view short_name;  // "-V", or empty
  constexpr OptionSpec(std::string_view n, bool value = false, std::string_view s = {})
      : name(n), takes_value(value), short_name(s) {}
};

struct OptionUse {
  std::string_view name;  // the table's long name, even when given short
  std::string value;      // empty for a flag
};

struct ParsedArgs {
  std::vector<OptionUse> options;  // in the order given
  std::vector<std::string> positionals;

  bool has(std::string_view name) const;
  // The value of the last use of `name`.
  std::optional<std::string> last(std::string_view name) const;
};

using StopAt = std::function<bool(const std::string& positional, size_t index)>;

Result<ParsedArgs> parse_args(std::span<const std::string> args, std::span<const OptionSpec> table,
                              const StopAt& stop = {});

// A subcommand: its option table, its --help text, how its usage errors
// are worded and what it does with the parsed arguments (main.cpp's
// run_command does the rest: usage errors, status 2; --help, status 0).
struct CommandSpec {
  std::span<const OptionSpec> options;
  const char* const* help;         // printed after "usage:\n" for --help
  std::string_view error_prefix;   // put before a parse error ("run: "); may be empty
  std::string_view usage_command;  // report_usage's command ("run", "FILE.yaml")
  int (*body)(const ParsedArgs&);  // the command; returns the exit status
  bool (*stop)(const std::string& positional, size_t index) = nullptr;  // parse_args' StopAt
};

// A duration: a decimal count with a unit ns, us, ms, s, m or h ("500ms",
// "2s"); a bare count is seconds. At least 1 ns, at most 30 days.
Result<uint64_t> parse_duration_ns(std::string_view text);

// A decimal count 0..max (no sign, no spaces).
Result<uint64_t> parse_count(std::string_view text, uint64_t max);

}  // namespace wippy::cli
