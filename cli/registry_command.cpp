// registry_command.cpp — the YAML mode of wippy-run (see registry_command.h).
#include "cli/registry_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "wippy/runtime.h"

namespace wippy::cli {
namespace {

bool ends_with_yaml(const std::string& a) { return a.ends_with(".yaml") || a.ends_with(".yml"); }

constexpr const char* kUsage =
    "usage: wippy-run [--list] [--strict] FILE.yaml [MORE.yaml...] [ENTRY] [ARG...]\n"
    "  Load Wippy registry files and call function entry ENTRY (ns:name or name;\n"
    "  optional when the files hold one function entry). For a wasi:cli/run entry\n"
    "  the ARGs are the guest's arguments and the exit status is the guest's; for\n"
    "  a typed export each ARG is a JSON value and the result is printed as JSON.\n"
    "  --list    print the function entries and exit\n"
    "  --strict  treat every registry warning (e.g. an unknown key) as an error\n";

int error_exit(const std::string& message) {
  // One line per problem (a load may report several).
  size_t start = 0;
  while (start <= message.size()) {
    size_t nl = message.find('\n', start);
    std::string line = message.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) fmt::print(stderr, "wippy-run: error: {}\n", line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return 1;
}

}  // namespace

bool is_registry_invocation(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a.starts_with("-")) continue;
    return ends_with_yaml(a);
  }
  return false;
}

int registry_command(const std::vector<std::string>& args) {
  bool list = false;
  RuntimeOptions ropts;
  ropts.on_warning = [](const std::string& w) { fmt::print(stderr, "wippy-run: warning: {}\n", w); };
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    if (args[i] == "--list") {
      list = true;
    } else if (args[i] == "--strict") {
      ropts.strict = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    } else {
      fmt::print(stderr, "wippy-run: unknown option {}\n{}", args[i], kUsage);
      return 2;
    }
  }
  std::vector<std::filesystem::path> files;
  for (; i < args.size() && ends_with_yaml(args[i]); ++i) files.emplace_back(args[i]);
  if (files.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  auto rt = Runtime::load(files, std::move(ropts));
  if (!rt) return error_exit(rt.error().message);
  Runtime& runtime = **rt;
  if (list) {
    for (const std::string& id : runtime.functions()) fmt::print("{}\n", id);
    return 0;
  }

  // ENTRY: the next argument when it names a function entry; otherwise the
  // only function entry, with every remaining argument an ARG.
  std::string entry;
  if (i < args.size()) {
    auto named = runtime.resolve(args[i]);
    if (named) {
      entry = *named;
      ++i;
    } else if (runtime.functions().size() != 1) {
      return error_exit(named.error().message);
    }
  }
  if (entry.empty()) {
    auto only = runtime.resolve("");
    if (!only) return error_exit(only.error().message);
    entry = *only;
  }
  std::vector<std::string> rest(args.begin() + long(i), args.end());

  CallOptions opts;
  Result<CallOutput> out = make_error(ErrorKind::Other, "not called");
  if (runtime.is_command(entry)) {
    opts.extra_args = rest;
    out = runtime.call_json(entry, std::vector<std::string>{}, opts);
  } else {
    out = runtime.call_json(entry, rest, opts);
  }
  std::fflush(stdout);
  if (!out) return error_exit(out.error().message);
  if (out->exit_code) return *out->exit_code;
  if (!out->json.empty()) fmt::print("{}\n", out->json);
  return 0;
}

}  // namespace wippy::cli
