// inspect_command.h — `wippy-run inspect FILE`: prints what a binary needs
// and offers. FILE is binary or text (core or component WAT, cli/load.h).
// A component (decoded and validated) is printed as a WIT-like `world`
// named after the file: one `import`/`export` line per function, instance
// (with its named types and its functions' signatures,
// `name: func(a: string, n: u32) -> result<list<u8>, error-code>`), type,
// component or core module. An exported instance made by instantiating a
// nested component is described by that component's exports. Types are
// printed by name where the binary names them (type imports/exports) and
// structurally otherwise; what cannot be resolved statically is printed
// as `/* unknown */`. A core module is printed as its imports and exports
// with their kinds and function types. Returns the exit status: 0, 1 (one
// "wippy-run: error: FILE: ..." line on stderr) when the file cannot be
// read, decoded or validated, 2 for bad usage.
#pragma once
#include <string>

#include "cli/args.h"

namespace wippy::cli {

// The `inspect` part of `wippy-run --help`.
extern const char* const kInspectHelp;

// The subcommand, for main.cpp's run_command on the words after "inspect".
extern const CommandSpec kInspectCommand;

}  // namespace wippy::cli
