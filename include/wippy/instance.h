// wippy/instance.h — a live instance of a Module or Component (made by
// Linker::instantiate, wippy/linker.h), its WASI configuration, its limits,
// calls, and an interrupt handle another thread can use.
//
//   wippy::api::InstanceOptions opts;
//   opts.wasi.args = {"app"};                 // stdout/stderr captured
//   opts.limits.timeout_ms = 5000;
//   auto inst = linker.instantiate(component, opts);
//   wippy::api::InterruptHandle stop = inst->interrupt_handle();
//   std::thread t([stop] { sleep(1); stop.interrupt(); });
//   auto r = inst->call_json("my:app/api#spin", {"0"});  // ErrorKind::Interrupted
//
// Contract:
//  * Calls: call() takes and returns component::Val (core exports: S32,
//    S64, F32, F64 kinds for i32..f64); call_json() converts each argument
//    text (one JSON value) by the parameter's type and returns the result as
//    JSON text (empty when there is none), with the mapping of
//    component/val_json.h (records are objects keyed by field name). run()
//    runs a command (wasi:cli/run, or a core `_start`) and returns its exit
//    code. Names: "func" for a top-level export, "ns:pkg/iface#func" for a
//    function of an exported interface (version optional).
//  * Each call runs on a fiber: the caller's when it is on a fiber of a
//    wippy dispatcher loop, otherwise one of a loop the Engine keeps for
//    the calling thread from its first such call until the Engine is gone
//    (for up to 8 threads; a call from a further thread, or one that does
//    not finish, gets a loop of its own). Guest code is preempted every
//    EngineOptions::time_slice_ms.
//  * Errors, by kind: Trap (the guest trapped; Exhaustion for its stack),
//    Interrupted (Limits::timeout_ms passed: "deadline exceeded"; or an
//    interrupt request: "interrupted"), Exit (wasi:cli/exit in call(); run()
//    returns the code instead), Invalid (arguments that do not fit the
//    function: wrong count or type, bad JSON), Other (no such export).
//    After a Trap, Exhaustion or Interrupted error a component instance may
//    refuse further calls: make a new one.
//  * Interrupts: InterruptHandle::interrupt() ends the call in progress
//    within about one time slice (also a guest blocked in a host wait, when
//    the call was made outside a fiber); a request made while no call runs
//    ends the next call at once. Each call ends by clearing the request.
//  * Limits::memory_bytes caps the instance's memories and tables (growth
//    beyond it fails as the guest sees it: memory.grow returns -1).
//  * stdio: with WasiConfig::inherit_stdio the guest uses the process's
//    descriptors 0, 1, 2; otherwise stdin reads WasiConfig::stdin_data and
//    stdout/stderr are kept for take_stdout()/take_stderr().
//  * Signals: calls run on fibers with guard pages; while any loop exists
//    (an Engine's kept loops included), a SIGSEGV handler is installed that
//    reports a fiber stack overflow and chains every other fault to the
//    previous handler (wippy/runtime.h, "Signals", has the details).
#pragma once
#include "require_cxx20.h"  // first: a clear error before any C++20 code

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "component/val.h"

namespace wippy::api {

// The WASI 0.2 view an instance gets (components only).
// Threads: a plain value, copied into the Instance.
struct WasiConfig {
  std::vector<std::string> args;  // argv, program name first
  std::vector<std::pair<std::string, std::string>> env;
  struct Dir {
    std::string host_path;   // an existing host directory
    std::string guest_path;  // where the guest sees it, e.g. "/data"
    bool read_only = false;
  };
  std::vector<Dir> preopens;  // nothing else of the host filesystem is visible
  std::string cwd = "/";
  bool inherit_stdio = false;  // true: the process's stdin/stdout/stderr
  std::string stdin_data;      // otherwise: what stdin reads
};

// Threads: a plain value. 0 means no limit.
struct Limits {
  uint64_t memory_bytes = 0;  // memories and tables of the instance together
  uint64_t timeout_ms = 0;    // per call, then ErrorKind::Interrupted
  uint32_t max_call_depth = 0;  // wasm frames (0: the engine's default, 10000)
};

// Threads: a plain value.
struct InstanceOptions {
  WasiConfig wasi;
  Limits limits;
};

// Stops an Instance's calls from any thread.
// Threads: thread-safe. Copies refer to the same Instance; a handle may
// outlive its Instance (interrupt() then does nothing).
class InterruptHandle {
 public:
  void interrupt() const;

  struct State;
  std::shared_ptr<State> state_;
};

// Threads: not thread-safe. One thread at a time may call an Instance; it
// may move to another thread between calls. Only interrupt_handle()'s
// handle may be used concurrently. Distinct Instances share nothing
// mutable (host functions aside) and may run on different threads at once.
class Instance {
 public:
  ~Instance();
  Instance(Instance&&) noexcept;
  Instance& operator=(Instance&&) noexcept;

  Result<std::vector<component::Val>> call(std::string_view func, std::span<const component::Val> args);
  Result<std::string> call_json(std::string_view func, std::span<const std::string> args);
  Result<std::string> call_json(std::string_view func, const std::vector<std::string>& args) {
    return call_json(func, std::span<const std::string>(args));
  }
  Result<int> run();

  InterruptHandle interrupt_handle() const;
  // What the guest wrote since the last take (not inherit_stdio).
  std::string take_stdout();
  std::string take_stderr();

  struct Impl;
  explicit Instance(std::unique_ptr<Impl> impl);

 private:
  friend struct InstanceAccess;  // the C API (runtime/capi.cpp)
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy::api
