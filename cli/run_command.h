// run_command.h — `wippy-run run`: its options (cli/args.h table), checked
// before anything runs, then one of three modes picked by the file:
//   core module + --invoke NAME [ARG...]: instantiates a module without
//     imports, calls export NAME with the ARGs parsed by its parameter
//     types, prints one result per line as TYPE:VALUE.
//   component: runs a wasi:cli/run command with exactly the grants of the
//     options (no inherited environment but --env NAME, no preopens but the
//     --dir ones), argv = FILE as given (or --argv0) then the ARGs, stdio
//     inherited (SIGPIPE ignored: a closed reader is a write error for the
//     guest). The status is the guest's: 0, 1 for exit(err) or run
//     returning err, N for exit-with-code(N).
//   preview1 command: a core module importing wasi_snapshot_preview1
//     (hostfns/wasi_preview1.h) runs its `_start` with the same grants; the
//     status is proc_exit's code, 0 when _start returns.
// FILE may be binary or text (core or component WAT, cli/load.h).
// --timeout DURATION bounds any of the three (cli/bounded_call.h).
// A trap, deadline, link or load error prints one line on stderr
// ("wippy-run: error: FILE: KIND: ...", cli/report.h; a deadline's KIND is
// "interrupted", a guest trap's "trap") and gives 1; bad usage 2.
#pragma once
#include <string>

#include "cli/args.h"

namespace wippy::cli {

// The `run` part of `wippy-run --help`.
extern const char* const kRunHelp;

// The subcommand, for main.cpp's run_command on the words after "run".
extern const CommandSpec kRunCommand;

}  // namespace wippy::cli
