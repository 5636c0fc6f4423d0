// wast_command.h — `wippy-run wast [--verbose] [--no-fork] [--timeout D]
// FILE...`: argument handling and the counts' output around the spec-script
// harness (wast/runner.h), each file in a child process (wast/isolate.h)
// unless --no-fork. Failures go to stderr, one
// "FILE:LINE: ..." line each; the counts go to stdout: "FILE: N passed, M
// failed" per file, then the totals. Exit status 0 when nothing failed, 1
// otherwise, 2 for bad usage.
#pragma once
#include <string>

#include "cli/args.h"

namespace wippy::cli {

// The `wast` part of `wippy-run --help`.
extern const char* const kWastHelp;

// The subcommand, for main.cpp's run_command on the words after "wast".
extern const CommandSpec kWastCommand;

}  // namespace wippy::cli
