// instance.h — one live instance of a Program: its own Store, WASI context
// and component (or core) instance, called once per request and reset
// before the next one.
// Contract:
//  * create() instantiates the program in a fresh Store. Components are
//    linked against the program's WasiHost (hostfns/wasi.h: built once,
//    the WasiCtx reached through the Store) with the entry's mounts as
//    preopens; the WasiCtx lives as long as the instance. Core modules
//    importing wasi_snapshot_preview1 get the same WasiCtx through
//    hostfns/wasi_preview1.h; a reactor's `_initialize` runs here.
//  * call() sets the per-call WASI view (argv, env, cwd) and runs the
//    entry's method with typed Vals: on the calling dispatcher fiber with
//    the entry's max_execution_ms as the deadline when there is a fiber
//    (a tight loop is stopped by the interrupt hook, "deadline exceeded"),
//    directly otherwise. A command (wasi:cli/run) returns its exit code;
//    a typed export returns its results. Traps come back as errors. A
//    preview1 `_start` is a command: proc_exit's code, 0 when it returns.
//  * sig() is the signature JSON arguments are converted by (commands: none).
//  * reset() returns the instance to its post-instantiation state so no
//    guest state leaks into the next call: the Store is restored from the
//    StoreSnapshot (interp/snapshot.h) captured right after instantiation —
//    memories copy-on-write, cost proportional to the pages the call
//    touched; tables, globals and segments copied back. After a call that
//    failed (a trap can leave a component instance unable to be entered
//    again), and every kFullResetEvery resets, the instance is made afresh
//    instead (a preview1 instance always: its fd table is host state):
//    component-level handle tables and the WASI context's resource
//    tables are not part of the Store snapshot, and handles a guest forgot
//    when its memory was rolled back would otherwise pile up.
//  * limits.memory_bytes is the Store's ExecLimits::max_memory_bytes: the
//    store's memories and tables (8 bytes a table entry) together; a
//    memory.grow or table.grow beyond it returns -1 (instantiation beyond
//    it fails). Tables also stop at ExecLimits::max_table_elems (10 M).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "component/linker.h"
#include "component/val.h"
#include "hostfns/wasi_ctx.h"
#include "interp/snapshot.h"
#include "interp/store.h"
#include "runtime/program.h"
#include "runtime/wasi_env.h"

namespace wippy {

// The host side of one instance, fixed for its lifetime.
struct InstanceConfig {
  std::vector<hostfns::Preopen> preopens;
  bool inherit_stdio = true;  // else stdout/stderr are captured per call
  net::Policy network;        // wasi:sockets grant (the entry's wasi.network)
  net::HttpGrant http;        // wasi:http grant (the entry's wasi.http, limits.http_max_body_bytes)
  hostfns::WasiLimits limits; // handles, host fds, file sizes (the entry's limits)
  std::shared_ptr<net::TlsTrustCache> tls_trust;  // the Runtime's, shared by its instances
  std::vector<std::shared_ptr<net::Socket>> tcp_listeners;  // preview1: the entry's wasi.tcp_listen
};

// What one call passes to the guest besides its arguments.
struct CallEnv {
  std::vector<std::string> args;  // argv, program name first
  EnvPairs env;
  std::string cwd = "/";
  std::string stdin_data;  // when stdio is not inherited
};

struct InstanceResult {
  std::optional<int> exit_code;        // commands
  std::vector<component::Val> values;  // typed exports
  std::string out, err;                // captured stdout/stderr (not inherited)
};

class LiveInstance {
 public:
  static Result<std::unique_ptr<LiveInstance>> create(std::shared_ptr<const Program> prog, InstanceConfig cfg);
  ~LiveInstance();
  LiveInstance(const LiveInstance&) = delete;
  LiveInstance& operator=(const LiveInstance&) = delete;

  const component::FuncSig* sig() const { return sig_; }
  Result<InstanceResult> call(const CallEnv& env, std::span<const component::Val> args);
  // `failed`: the last call ended with an error (a full re-instantiation).
  Result<void> reset(bool failed = false);
  static constexpr uint32_t kFullResetEvery = 4096;

 private:
  LiveInstance(std::shared_ptr<const Program> prog, InstanceConfig cfg);
  Result<void> instantiate();
  Result<void> take_snapshot();
  void drop();
  Result<std::vector<component::Val>> call_component(std::span<const component::Val> args);
  Result<std::vector<component::Val>> call_core(std::span<const component::Val> args);

  std::shared_ptr<const Program> prog_;
  InstanceConfig cfg_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<hostfns::WasiCtx> wasi_;
  std::unique_ptr<component::ComponentInstance> comp_;
  component::ComponentFuncRef func_;
  FuncInst* core_func_ = nullptr;
  // Components: a host function in the store that runs pending_, so that
  // disp::call_in_fiber can put a whole component call under one deadline.
  FuncInst* thunk_ = nullptr;
  std::function<Result<void>(Store&)> pending_;
  std::optional<StoreSnapshot> snapshot_;  // taken after instantiation
  uint32_t restores_ = 0;                  // since the last instantiation
  const component::FuncSig* sig_ = nullptr;
};

}  // namespace wippy
