// commands.h — the wippy-bench subcommands. Each prints its report to
// stdout and returns the process exit status (0 when every measurement ran
// and every checksum matched).
#pragma once
#include "args.h"

namespace wippy::bench {

int cmd_kernels(const Args& args);  // interpreter vs native on bench/kernels
int cmd_startup(const Args& args);  // process start-to-exit of wippy-run
int cmd_load(const Args& args);     // decode/validate/compile throughput
int cmd_reset(const Args& args);    // snapshot restore vs memcpy vs fresh instance
int cmd_guests(const Args& args);   // many WASI guests sleeping at once on one thread
int cmd_http_guests(const Args& args);  // many wasi:http guests awaiting delayed responses at once
int cmd_http_client(const Args& args);  // one wasi:http guest vs curl: keep-alive GETs, TLS handshakes, download
int cmd_instantiate(const Args& args);  // load a component vs one more instance of it
int cmd_exceptions(const Args& args);  // an exception thrown and caught a million times
int cmd_gc(const Args& args);          // ten million short-lived GC objects
int cmd_tail_calls(const Args& args);  // a deep tail-recursive loop (return_call) vs a plain loop
int cmd_call(const Args& args);     // registry entry calls through wippy::Runtime

}  // namespace wippy::bench
