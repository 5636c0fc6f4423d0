// wasi_ctx.h — WasiCtx: what one WASI 0.2 guest instance sees of its host.
// Contract: the embedder fills in the configuration (arguments, environment,
// initial cwd, where stdin/stdout/stderr go) before instantiating; the
// WASI host functions (wasi.h) reach it through the calling Store
// (component/host_context.h), read it and keep the instance's resource
// table (streams, pollables, errors, terminals, descriptors) in `state`;
// `limits` bound what the guest can create (read when an instance is
// readied). A WasiCtx serves one component instance at a time and must
// outlive it (its store points at it).
// Stdio: a StdioConfig with fd >= 0 uses that host descriptor (not owned,
// not closed); with fd < 0 stdin reads `buffer` then reports end of
// stream, and stdout/stderr append to `buffer` (capture).
// Exit: wasi:cli/exit sets `exit_code` and ends the guest call with
// exit_error(code); exit_status() turns the call's outcome back into it.
#pragma once
#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "component/bind.h"
#include "component/host_context.h"
#include "component/resource_table.h"
#include "component/val.h"
#include "dispatcher/pollable.h"
#include "fs/fs_error.h"
#include "hostfns/fd_budget.h"
#include "hostfns/streams.h"
#include "net/http_grant.h"
#include "net/resolver.h"
#include "net/rules.h"
#include "net/tls_config.h"

namespace wippy::net {
class Socket;
class Http1Client;
}

namespace wippy::fs {
class Dir;
}

namespace wippy::hostfns {

struct StdioConfig {
  int fd = -1;         // >= 0: a host descriptor (not owned)
  std::string buffer;  // fd < 0: stdin's bytes, or captured stdout/stderr
};

// The resource types the WASI interfaces share, set by add_wasi_to_linker.
struct WasiTypes {
  component::ResourceRef error, pollable, input_stream, output_stream;
  component::ResourceRef terminal_input, terminal_output;
  component::ResourceRef descriptor, directory_entry_stream;
};

// A wasi:io/error: its debug string and, for an OS failure, its code
// (what wasi:filesystem's filesystem-error-code reports); for an HTTP body
// stream, the HTTP error (wasi:http's http-error-code reports it).
struct IoError {
  std::string message;
  std::optional<fs::FsErrc> code;
  std::any cause;  // the stream's own error value (StreamOutcome::cause), e.g. a net::HttpError
};

// A terminal-input / terminal-output: the host descriptor it stands for.
struct Terminal {
  int fd = -1;
};

// Per-instance host state. Not configuration: owned by the host functions.
// `table` holds the objects of every WASI resource handle the guest holds
// (io/error IoError, pollable disp::Pollable, input-stream
// disp::InputStream, output-stream disp::OutputStream, Terminal,
// filesystem descriptors and directory streams); streams made from a
// descriptor are its children.
struct WasiState {
  WasiTypes types;
  std::shared_ptr<component::ResourceTable> table = std::make_shared<component::ResourceTable>();
  FdBudget open_files;              // host descriptors the guest opened (files, directories, sockets)
  FdBudget open_sockets;            // the sockets among them (limits.max_open_sockets)
  size_t stdin_pos = 0;             // read position in WasiCtx::in.buffer
  // wasi:random/insecure's generator and insecure-seed's value, drawn from
  // getrandom(2) at the first call of either interface (seed_insecure).
  bool insecure_seeded = false;
  uint64_t insecure_state = 0;
  std::pair<uint64_t, uint64_t> insecure_seed{0, 0};
  // WasiCtx::preopens opened (open_preopens, wasi.h): the directory and
  // its guest path, in configuration order.
  std::vector<std::pair<std::shared_ptr<const fs::Dir>, std::string>> preopened;
  // wasi:sockets/ip-name-lookup's resolver on the loop the guest runs on,
  // made at its first lookup there (sockets_ip_name_lookup.cpp).
  std::unique_ptr<net::Resolver> resolver;
  // wasi:http/outgoing-handler's client, made at the first request.
  std::shared_ptr<net::Http1Client> http_client;
};

// A host directory granted to the guest at an absolute guest path
// (wasi:filesystem/preopens). Opened when the filesystem interfaces are
// added to a linker; paths never leave it (fs/resolve.h).
struct Preopen {
  std::string host_path;   // an existing host directory
  std::string guest_path;  // absolute, e.g. "/data"
  bool read_only = false;
};

// What one instance may grow (issue 16): applied when the interfaces are
// added to a linker.
struct WasiLimits {
  // Resource handles the guest may hold at once, all types together;
  // creating one more traps ("too many resource handles").
  size_t max_handles = component::ResourceTable::kDefaultMaxHandles;
  // Host descriptors the guest may hold open (open-at, sockets): past it
  // open-at fails with `quota`. 0 = no limit.
  size_t max_open_files = 1024;
  // The size a write through a mount may grow a file to: past it the
  // write fails with `insufficient-space`. 0 = no limit.
  uint64_t max_file_bytes = 0;
  // Sockets (tcp, udp, accepted) the guest may hold open at once, on top of
  // max_open_files: past it creation and accept fail with new-socket-limit.
  // 0 = no limit.
  size_t max_open_sockets = 0;
  // The longest one wait on a socket may last without progress (a connect,
  // an accept, a receive, a blocking read/write/flush of a socket stream, a
  // poll on a socket's pollable): past it the operation fails with
  // `timeout` (streams: last-operation-failed). 0 = no limit.
  uint64_t socket_timeout_ms = 0;
};

struct WasiCtx {

  std::vector<std::string> args;  // args[0] is the program name, by convention
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> initial_cwd;
  std::vector<Preopen> preopens;  // nothing else of the host filesystem is visible
  net::Policy network;            // wasi:sockets grant: addresses, bind, listen, lookup
  // Listening TCP sockets a preview1 guest gets as fds after the preopens
  // (sock_accept); made by open_tcp_listener (wasi_preview1.h), which
  // applies `network`. Shared: instances may accept on one listener.
  std::vector<std::shared_ptr<net::Socket>> tcp_listeners;
  net::ResolverOptions resolver;  // ip-name-lookup's DNS servers (default: /etc/resolv.conf)
  net::HttpGrant http;            // wasi:http: authorities, extra CA, body cap (network rules apply too)
  // The TLS trust (parsed CA sets) shared with other instances, e.g. all of
  // a Runtime's; null: this instance parses its own on its first request.
  std::shared_ptr<net::TlsTrustCache> tls_trust;
  StdioConfig in, out, err;  // default: empty stdin, captured stdout/stderr

  WasiLimits limits;

  std::optional<int> exit_code;  // set by wasi:cli/exit

  WasiState state;

  // Uses the process's descriptors 0, 1 and 2 for stdio.
  void inherit_stdio() { in.fd = 0; out.fd = 1; err.fd = 2; }
};

}  // namespace wippy::hostfns

// A WasiCtx is the host context of the WASI interfaces (component/
// host_context.h): defined once per WasiHost, they reach the calling
// instance's WasiCtx through its Store, and their handles live in its table.
template <>
struct wippy::component::HostContextTraits<wippy::hostfns::WasiCtx> {
  static ResourceTable& table(wippy::hostfns::WasiCtx& ctx) { return *ctx.state.table; }
};

namespace wippy::hostfns {

// `r`, a resource type of the WASI interfaces, on ctx's resource table.
template <class R>
component::HostResource<R> in(WasiCtx& ctx, const component::HostResource<R>& r) {
  return r.in(ctx.state.table);
}

// The Trap wasi:cli/exit and preview1 proc_exit end a guest call with,
// after recording `status` in WasiCtx::exit_code (the message is for
// people; nothing matches on it).
Error exit_error(int status);
// The exit status of a guest call that failed with `e`: ctx.exit_code when
// it is set and `e` is a Trap (the exit's, which unwinds the whole call),
// else nothing. Runners clear exit_code before each call.
std::optional<int> exit_status(const WasiCtx& ctx, const Error& e);

}  // namespace wippy::hostfns
