// run_command.h — the `run` subcommand, two modes picked by the binary:
//   core module: `wippy-run run FILE.wasm|FILE.wat --invoke NAME [ARG...]`
//     instantiates a core module without imports, calls export NAME with
//     ARGs parsed by its parameter types, prints one result per line as
//     TYPE:VALUE.
//   component: `wippy-run run FILE.wasm [--dir HOST::GUEST[:ro]]...
//     [--env K=V]... [--cwd DIR] [-- ARG...]` runs a wasi:cli/run command
//     with exactly those grants (no inherited environment, no preopens but
//     the --dir ones), argv = FILE as given then the ARGs, stdio inherited
//     (SIGPIPE ignored: a closed reader is a write error for the guest).
//     The status is the guest's: 0, 1 for exit(err) or run returning err,
//     N for exit-with-code(N); a trap or link error prints one line on
//     stderr and gives 1.
//   preview1 command: the same options on a core module importing
//     wasi_snapshot_preview1 (hostfns/wasi_preview1.h) run its `_start`;
//     the status is proc_exit's code as given (2, 42, ...), 0 when _start
//     returns. --cwd and the network options do not apply to it.
//   --argv0 NAME gives the guest NAME as argv[0] instead of FILE.
// A binary is a component when its preamble's layer field is 1.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hostfns/wasi_ctx.h"
#include "net/http_grant.h"
#include "net/rules.h"

namespace wippy::cli {

// True when `bytes` start with the component preamble (\0asm, layer 1).
bool is_component_binary(std::span<const uint8_t> bytes);

struct ComponentRunOptions {
  std::string file;
  std::vector<hostfns::Preopen> dirs;
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> cwd;
  std::vector<std::string> args;  // after argv[0]
  std::optional<std::string> argv0;  // --argv0: argv[0] instead of FILE
  // wasi:sockets: every address by default (as wasmtime's
  // -S inherit-network); --allow-net RULE narrows it, --deny-net refuses all.
  net::Policy network;
  bool deny_net = false;
  // wasi:http: any authority by default; --allow-http-host PATTERN
  // (repeatable) narrows it, --http-ca-file PATH adds trusted CAs (PEM),
  // --http-{connect,first-byte,between-bytes}-timeout-ms MS set the default
  // timeouts of requests whose request-options leave them unset.
  net::HttpGrant http;
};

// Parses the component-mode options after FILE (args[0] is FILE). Returns
// nullopt and prints the reason on stderr for bad usage.
std::optional<ComponentRunOptions> parse_component_run(const std::vector<std::string>& args);

// Runs a WASI command component; returns the process exit status.
int run_component(const ComponentRunOptions& opts);

// Core mode. Returns the process exit status (0 on success); errors go to
// stderr.
int run_command(const std::string& file, const std::string& export_name, const std::vector<std::string>& args);

}  // namespace wippy::cli
