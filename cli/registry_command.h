// registry_command.h — `wippy-run [OPTIONS] FILE.yaml [MORE.yaml...] [ENTRY] [ARG...]`:
// loads Wippy registry files through wippy::Runtime (include/wippy/runtime.h)
// and calls one function entry.
// Contract:
//  * Options (cli/args.h) come before or after the files: --list (print the
//    function entries and exit), --strict (registry warnings are errors),
//    --help. Warnings print as "wippy-run: warning: FILE:LINE: ..." to
//    stderr. Every word ending in .yaml/.yml is a registry file; the next
//    word is ENTRY ("ns:name" or "name") when it names a function entry —
//    it may be left out when the files hold exactly one — and everything
//    after it (or after --) is an ARG, verbatim, even when it starts with
//    '-'.
//  * A wasi:cli/run entry gets the ARGs as its arguments (after the entry's
//    name, unless wasi.args is set) and its exit code is ours. A typed export
//    gets each ARG as a JSON value converted by its parameter type; the
//    result is printed as JSON on one line, exit status 0.
//  * Errors (loading, bad input, trap, deadline) print one line per problem
//    to stderr, "wippy-run: error: ..." (cli/report.h), and exit 1; bad
//    usage (an unknown option, no file) exits 2.
#pragma once
#include <string>
#include <vector>

#include "cli/args.h"

namespace wippy::cli {

// True when the command line (without argv[0]) is for the registry mode: its
// first argument that is not an option ends in .yaml or .yml.
bool is_registry_invocation(const std::vector<std::string>& args);

// The registry part of `wippy-run --help`.
extern const char* const kRegistryHelp;

// The subcommand, for main.cpp's run_command on the whole command line after argv[0].
extern const CommandSpec kRegistryCommand;

}  // namespace wippy::cli
