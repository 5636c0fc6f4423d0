// registry_command.cpp — the YAML mode of wippy-run (see registry_command.h).
#include "cli/registry_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "cli/args.h"
#include "cli/report.h"
#include "runtime/code_cache.h"
#include "wippy/runtime.h"

namespace wippy::cli {
namespace {

bool ends_with_yaml(const std::string& a) { return a.ends_with(".yaml") || a.ends_with(".yml"); }

// Options end at the first word after the files that is not a file: the
// ENTRY, or the first ARG.
bool after_files(const std::string& w, size_t) { return !ends_with_yaml(w); }

constexpr OptionSpec kRegistryOptions[] = {
    {"--list", false},
    {"--strict", false},
    {"--no-cache", false},
    {"--cache-dir", true},
    {"--help", false, "-h"},
};

}  // namespace

const char* const kRegistryHelp =
    "  wippy-run [--list] [--strict] [--no-cache] [--cache-dir DIR] FILE.yaml [MORE.yaml...] [ENTRY] [ARG...]\n"
    "      Load Wippy registry files and call function entry ENTRY (ns:name or\n"
    "      name; optional when the files hold one function entry). For a\n"
    "      wasi:cli/run entry the ARGs are the guest's arguments and the exit\n"
    "      status is the guest's; for a typed export each ARG is a JSON value\n"
    "      and the result is printed as JSON. The options may also follow the\n"
    "      files (FILE.yaml --list); everything after ENTRY, or after --, is\n"
    "      an ARG, verbatim.\n"
    "      Only ENTRY's module is read, hash-checked and loaded; the registry\n"
    "      files are checked whole.\n"
    "      --list    print the function entries and exit\n"
    "      --strict  treat every registry warning (e.g. an unknown key) as an error\n"
    "      --no-cache  do not read or write the code cache (decoded, validated\n"
    "                components; entries with `cache: false` never use it)\n"
    "      --cache-dir DIR  the code cache's directory (default\n"
    "                $XDG_CACHE_HOME/wippy, else ~/.cache/wippy); one that cannot\n"
    "                be written means no cache\n"
    "      Exit status: the guest's for a command, else 0; 1 for a load error,\n"
    "      bad input, a trap or a deadline; 2 for bad usage.\n";

bool is_registry_invocation(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--cache-dir") ++i;  // its value is not the file
    if (a.starts_with("-")) continue;
    return ends_with_yaml(a);
  }
  return false;
}

namespace {

// What the subcommand does with its parsed arguments: the exit status.
int registry_command(const ParsedArgs& p) {
  const bool list = p.has("--list");
  RuntimeOptions ropts;
  // One entry is called: only its module is read, checked and loaded
  // (--list loads none). The registry files are checked whole.
  ropts.load_on_first_use = true;
  ropts.strict = p.has("--strict");
  if (!p.has("--no-cache")) ropts.code_cache_dir = p.last("--cache-dir").value_or(default_cache_dir().string());
  ropts.on_warning = [](const std::string& w) { fmt::print(stderr, "wippy-run: warning: {}\n", w); };
  const std::vector<std::string>& words = p.positionals;
  size_t i = 0;
  std::vector<std::filesystem::path> files;
  for (; i < words.size() && ends_with_yaml(words[i]); ++i) files.emplace_back(words[i]);
  if (files.empty()) return report_usage("missing FILE.yaml", "FILE.yaml");
  auto rt = Runtime::load(files, std::move(ropts));
  if (!rt) return report_error(rt.error().message);
  Runtime& runtime = **rt;
  if (list) {
    for (const std::string& id : runtime.functions()) fmt::print("{}\n", id);
    return 0;
  }

  // ENTRY: the next argument when it names a function entry; otherwise the
  // only function entry, with every remaining argument an ARG.
  std::string entry;
  if (i < words.size()) {
    auto named = runtime.resolve(words[i]);
    if (named) {
      entry = *named;
      ++i;
    } else if (runtime.functions().size() != 1) {
      return report_error(named.error().message);
    }
  }
  if (entry.empty()) {
    auto only = runtime.resolve("");
    if (!only) return report_error(only.error().message);
    entry = *only;
  }
  std::vector<std::string> rest(words.begin() + long(i), words.end());

  CallOptions opts;
  Result<CallOutput> out = make_error(ErrorKind::Other, "not called");
  if (runtime.is_command(entry)) {
    opts.extra_args = rest;
    out = runtime.call_json(entry, std::vector<std::string>{}, opts);
  } else {
    out = runtime.call_json(entry, rest, opts);
  }
  std::fflush(stdout);
  int status = 0;
  if (!out)
    status = report_error(out.error().message);
  else if (out->exit_code)
    status = *out->exit_code;
  else if (!out->json.empty())
    fmt::print("{}\n", out->json);
  runtime.exit_process(status);
}

}  // namespace

const CommandSpec kRegistryCommand{kRegistryOptions, &kRegistryHelp, "", "FILE.yaml", registry_command, after_files};

}  // namespace wippy::cli
