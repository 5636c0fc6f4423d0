// wippy/runtime.h — the embedding API: load Wippy registry files and call
// their function entries. This is what `wippy-run FILE.yaml` itself uses.
// (Modules and components from bytes, host functions, WASI configuration
// objects and interrupts: wippy/engine.h, linker.h, instance.h; C:
// wippy/wippy.h.)
//
//   auto rt = wippy::Runtime::load({"app.yaml"});
//   if (!rt) { /* rt.error().message: every problem, "file:line: entry ...: ..." */ }
//   auto out = (*rt)->call_json("app:greet", {"\"world\""});
//   if (out) puts(out->json.c_str());              // "\"hello, world\""
//
// Contract:
//  * load() reads and checks every file (registry.h rules), then prepares
//    every function entry: module bytes hash-checked before decoding,
//    decoded, validated, component imports gated by the entry's `imports`
//    profiles, `method` resolved. Any failure fails the load and nothing
//    runs.
//  * Entries are named "ns:name", or "name" when only one namespace holds
//    it; an empty name selects the only function entry.
//  * call_json() converts each argument text (one JSON value) by the
//    export's parameter type and returns the result as JSON text; call()
//    takes and returns component values. For a wasi:cli/run entry the
//    arguments are instead the guest's argv after the program name (unless
//    the entry sets wasi.args), and the result is the exit code. The env
//    of `wasi.env` is resolved per call: a missing required variable fails
//    the call before anything runs.
//  * Calls run on dispatcher fibers through the entry's pool, with the
//    entry's limits (max_execution_ms ends the call with "deadline
//    exceeded"). Called from inside a fiber of a disp::Loop on this thread,
//    call() parks only that fiber, so many calls can be in flight at once;
//    called outside one it runs a private loop until the call is done.
//  * Threads: see the paragraph above each type. In short, a Runtime is
//    used by one thread at a time; load one Runtime per thread to use
//    several cores.
//  * Errors are values (Result); a guest trap is ErrorKind::Trap, a call
//    ended by max_execution_ms ErrorKind::Interrupted ("entry ns:f: deadline
//    exceeded"), a registry or argument problem Malformed/Invalid/
//    Unlinkable/Other. No exception leaves a member that returns a Result
//    (running out of memory is ErrorKind::Exhaustion; only functions(),
//    which returns a plain vector, may throw std::bad_alloc). In load(),
//    files that are not regular files (directories, FIFOs, devices), too
//    large (limits.max_module_bytes) or unreadable are errors.
//  * Unknown registry keys are warnings (RuntimeOptions::on_warning), errors
//    inside `limits` and `wasi`, and errors everywhere with `strict`.
//  * Signals: calls run guest code on fibers with guard pages. While any
//    fiber loop exists in the process, wippy has a process-wide SIGSEGV
//    handler installed (SA_SIGINFO | SA_ONSTACK; each thread running a loop
//    gets an alternate signal stack if it has none). A Runtime with workers
//    has a loop per worker; one without makes a loop at a thread's first
//    call from outside a fiber and keeps it for that thread's later calls
//    until it is destroyed (for up to 8 threads; a call from a further
//    thread makes one for its duration; a process forked after a call makes
//    its own and leaves the inherited ones, whose time-slice threads it
//    does not have). A fault in a fiber's guard page
//    (a guest or host stack overflow) prints "wippy: fiber stack overflow"
//    and ends the process with _exit(86). Every other SIGSEGV is passed to
//    the handler that was installed before wippy's (or gets the default
//    action). When the last loop is gone the previous handler is put back,
//    unless the embedder replaced wippy's meanwhile (then theirs is left as
//    it is). An embedder installing its own SIGSEGV handler while calls run
//    should chain to the one it replaces, or fiber overflows kill the
//    process without the message.
//  * Versions: wippy/version.h (included here) has WIPPY_VERSION_MAJOR,
//    _MINOR, _PATCH, WIPPY_VERSION_STRING and WIPPY_VERSION_AT_LEAST(a,b,c).
//    These headers need C++20 (require_cxx20.h says so otherwise). Link
//    with `pkg-config --static --libs wippy` (libwippy.a is static).
#pragma once
#include "require_cxx20.h"  // first: a clear error before any C++20 code

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "component/val.h"
#include "wippy/version.h"

namespace wippy {

// Settings for load(). A plain value, copied into the Runtime. Threads: the
// callbacks are called on the thread calling load() or call() (env_lookup
// during each call, on_warning during load()), never concurrently by one
// Runtime; they need locking only for state they share with other threads.
struct RuntimeOptions {
  // Guests write to the process's stdin/stdout/stderr; when false, stdin is
  // CallOptions::stdin_data and stdout/stderr are returned in CallOutput.
  bool inherit_stdio = true;
  // Reads host variables for env.variable entries (default: getenv).
  std::function<std::optional<std::string>(std::string_view)> env_lookup;
  // Every registry warning becomes an error (as a file's `strict: true`).
  bool strict = false;
  // Receives each registry warning ("file:line: entry ns:f: unknown key x
  // (did you mean y?)"); unset: written to stderr as "wippy: warning: ...".
  std::function<void(const std::string&)> on_warning;
  // Directory of the persistent code cache (decoded, validated components
  // keyed by their registry hash and this build, with the threaded code of
  // the functions that ran; entries with `cache: false` skip it). When the
  // Runtime is destroyed, entries are rewritten if more functions were
  // compiled than they hold. Empty, the default: no cache. wippy-run uses
  // $XDG_CACHE_HOME/wippy (else ~/.cache/wippy) unless --no-cache.
  std::filesystem::path code_cache_dir;
  // Worker threads, each running its own dispatcher loop with its own
  // instance pools (an entry's pool settings apply per worker). 0, the
  // default: calls run on the calling thread (see Runtime). N > 0: load()
  // starts N threads; each call goes to the worker with the fewest calls
  // in flight, and call() may be called from several threads at once. A
  // caller outside any fiber waits for its call's answer watching for it
  // for up to 50 us before it sleeps, when N is below the number of CPUs
  // (a core is left for it): a short call answers sooner than the caller
  // could sleep and be woken.
  uint32_t workers = 0;
  // When true, load() reads and checks the registry files only, and each
  // function entry's module is read, hash-checked, decoded and validated
  // at the entry's first use (call, is_command, warm, pool_info), which
  // returns its load error; an entry that is never used costs nothing.
  // False, the default: load() loads every entry and fails on the first
  // problem of any (all of them listed). wippy-run, which calls one entry,
  // sets it.
  bool load_on_first_use = false;
};

// Per-call settings. Threads: a plain value, read only during the call.
struct CallOptions {
  // For wasi:cli/run entries without wasi.args: argv is the entry's name
  // followed by these. (call_json's texts are used when this is empty.)
  std::vector<std::string> extra_args;
  std::string stdin_data;  // with inherit_stdio = false
};

// What a call returned. Threads: a plain value owned by the caller; may be
// moved to another thread (see val.h for Vals holding resource handles).
struct CallOutput {
  std::optional<int> exit_code;        // wasi:cli/run entries
  std::vector<component::Val> values;  // typed exports
  std::string json;                    // the result as JSON; empty when none
  std::string out, err;                // captured stdout/stderr (inherit_stdio = false)
};

// A snapshot of an entry's instance pool. Threads: a plain value.
struct PoolInfo {
  uint32_t capacity = 0;
  uint32_t live = 0;
  uint32_t idle = 0;
  uint64_t resets = 0;
  uint64_t reset_ns = 0;  // total time spent resetting instances
};

// The loaded registry and its instance pools.
// Threads, with RuntimeOptions::workers = 0 (the default): not thread-safe.
// All member functions and the destructor must be called from one thread
// at a time, and a Runtime may change threads only while no call is in
// flight. Several calls may be in flight together on fibers of one
// thread's dispatcher loop (they interleave where a call waits; a pool's
// instances serve them one call each). Distinct Runtimes share nothing
// mutable and may be used on different threads at once (each loads and
// compiles its own modules). The const members (functions, resolve,
// is_command, pool_info) only read (or load an entry at its first use,
// RuntimeOptions::load_on_first_use), but still must not run while
// another thread calls a non-const one.
// Threads, with workers = N > 0: call(), call_json(), spawn(), warm(),
// pool_info() and the const members may be called from any threads at
// once (and from spawn() tasks); only the destructor must wait until no
// other member is running (it waits for spawn() tasks itself). Each call runs
// on a fiber of one worker's loop, with an instance of that worker's pool
// (an instance never moves between threads); the caller waits for it,
// parking only its fiber when it calls from inside a dispatcher fiber.
// Modules are compiled once and their code is shared by every worker.
// The callbacks of RuntimeOptions run on the calling thread as before.
class Runtime {
 public:
  static Result<std::unique_ptr<Runtime>> load(std::span<const std::filesystem::path> files,
                                               RuntimeOptions opts = {});
  static Result<std::unique_ptr<Runtime>> load(const std::vector<std::filesystem::path>& files,
                                               RuntimeOptions opts = {}) {
    return load(std::span<const std::filesystem::path>(files), std::move(opts));
  }
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // IDs of every function entry, in file order.
  std::vector<std::string> functions() const;
  // "ns:name", "name" or "" (the only function entry) -> "ns:name".
  Result<std::string> resolve(std::string_view name) const;
  // True when the entry's method is wasi:cli/run.
  bool is_command(std::string_view id) const;

  Result<CallOutput> call_json(std::string_view entry, std::span<const std::string> json_args,
                               const CallOptions& opts = {});
  Result<CallOutput> call_json(std::string_view entry, const std::vector<std::string>& json_args,
                               const CallOptions& opts = {}) {
    return call_json(entry, std::span<const std::string>(json_args), opts);
  }
  Result<CallOutput> call(std::string_view entry, std::span<const component::Val> args,
                          const CallOptions& opts = {});

  // With workers (RuntimeOptions::workers > 0): runs `task` on a new fiber
  // of the least busy worker, soon, and returns at once. Calls the task
  // makes run on that worker with no hand-over (a server's request
  // handlers, say, spread over the cores this way). The task must not let
  // an exception escape (that aborts, as on any fiber); the Runtime's
  // destructor waits until every task has returned. If the worker cannot
  // create a fiber the task is dropped with a line on stderr. Without
  // workers: an error, and nothing runs.
  Result<void> spawn(std::function<void()> task);

  // Creates the entry's warm instances ahead of calls (all of a static pool).
  Result<void> warm(std::string_view entry);
  Result<PoolInfo> pool_info(std::string_view entry) const;

  // Ends the process with std::exit(status) after doing what the
  // destructor does except freeing memory: it waits for spawn() tasks,
  // closes every pooled instance (streams, descriptors, sockets), stops
  // the workers and writes the code cache. Loaded modules and compiled
  // code are memory only, which the process's end takes back at once
  // (freeing them was a tenth of a one-call wippy-run). For a tool that
  // exits after its calls; call it as the destructor is called (no other
  // member running). Stdio streams are flushed by std::exit.
  [[noreturn]] void exit_process(int status);

  struct Impl;

 private:
  explicit Runtime(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Runtime>> load_checked(std::span<const std::filesystem::path> files,
                                                       RuntimeOptions opts);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy
