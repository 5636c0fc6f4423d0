// wasi_preview1.h — WASI preview 1 (`wasi_snapshot_preview1`) for core
// modules, on the same WasiCtx, fs/ grants, streams and dispatcher as the
// 0.2 host (wasi.h). The functions live in wasi_preview1_<family>.cpp
// (proc: args, environ, clocks, random, proc, sched; fd; path; poll; sock),
// sharing wasi_preview1_host.h.
// Contract:
//  * Preview1::create() opens WasiCtx::preopens (an Io error names one that
//    cannot be opened): fds 0-2 are stdin/stdout/stderr (WasiCtx::in/out/
//    err), the preopens are fds 3 and up in configuration order, then
//    WasiCtx::tcp_listeners (as wasmtime's --tcplisten), in order.
//  * open_tcp_listener() binds and listens on `at` if `policy` allows it
//    (allow_bind, allow_listen, and a tcp rule matching a fixed port, as
//    wasi:sockets' bind and listen); else an Io error naming the address.
//  * link() returns one Extern per import of `module`, in order: a host
//    function in `store` for every wasi_snapshot_preview1 function. Any
//    other import, an unknown preview1 name or a wrong signature is an
//    Unlinkable error naming the import. The functions keep the preview1
//    state alive; `ctx` must outlive every call of them.
//  * The functions read and write the calling instance's exported "memory"
//    (else its memory 0), bounds-checked: a pointer out of bounds is errno
//    `fault`, never a host access outside the memory (with no memory at
//    all, every pointer is).
//  * proc_exit sets WasiCtx::exit_code and ends the call with
//    exit_error (wasi_ctx.h; exit_status() reads the code back).
//  * run_preview1_command() instantiates a command module and calls
//    `_start` on a fiber (the caller's, or a private loop's). Exit status:
//    proc_exit's code as given (any u32; the OS keeps the low byte), 0 when
//    _start returns. Traps and link errors come back as errors.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "hostfns/wasi_ctx.h"
#include "interp/module.h"
#include "interp/store.h"
#include "net/address.h"
#include "net/rules.h"

namespace wippy::hostfns {

inline constexpr const char* kPreview1Module = "wasi_snapshot_preview1";

namespace p1 {
struct Host;
}

// Whether any import of `module` comes from wasi_snapshot_preview1.
bool imports_preview1(const Module& module);

// Ok when every import of `module` is a wasi_snapshot_preview1 function
// with its signature; else the Unlinkable error link() would give.
Result<void> check_preview1_imports(const Module& module);

class Preview1 {
 public:
  static Result<Preview1> create(WasiCtx& ctx);
  Result<std::vector<Extern>> link(Store& store, const Module& module) const;

 private:
  explicit Preview1(std::shared_ptr<p1::Host> host) : host_(std::move(host)) {}
  std::shared_ptr<p1::Host> host_;
};

Result<std::shared_ptr<net::Socket>> open_tcp_listener(const net::Policy& policy, const net::SocketAddress& at,
                                                       uint32_t backlog = 128);

Result<int> run_preview1_command(Store& store, std::shared_ptr<const Module> module, WasiCtx& ctx);

}  // namespace wippy::hostfns
