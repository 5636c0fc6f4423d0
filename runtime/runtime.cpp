// runtime.cpp — wippy::Runtime (include/wippy/runtime.h): the registry,
// one Program and one Pool per function entry, and calls on fibers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "component/val_json.h"
#include "dispatcher/cross_wake.h"
#include "dispatcher/dispatcher.h"
#include "dispatcher/this_fiber.h"
#include "interp/quote.h"
#include "hostfns/wasi_preview1.h"
#include "runtime/caller_loops.h"
#include "runtime/entry_grants.h"
#include "runtime/instance.h"
#include "runtime/no_throw.h"
#include "runtime/pool.h"
#include "runtime/program.h"
#include "runtime/registry.h"
#include "runtime/wasi_env.h"
#include "runtime/worker.h"
#include "wippy/runtime.h"

namespace wippy {
namespace {

using component::Val;

struct EntryState {
  // Set once (at load, or at first use with RuntimeOptions::load_on_first_use,
  // under Impl::load_mu), then only read; `loaded` publishes it.
  std::shared_ptr<const Program> prog;
  std::optional<Error> load_error;
  std::atomic<bool> loaded{false};
  // One pool per worker (one in all without workers), each created on
  // first use by the thread it serves.
  std::vector<std::unique_ptr<Pool>> pools;
  // wasi.tcp_listen sockets, opened at load and shared by every instance.
  std::vector<std::shared_ptr<net::Socket>> tcp_listeners;
};

// The arguments of one call, as given: JSON texts or values.
struct CallArgs {
  std::span<const std::string> json;
  std::span<const Val> vals;
  bool is_json = false;
};

// The loops of workers and of calls made outside any fiber.
disp::LoopOptions loop_options() {
  disp::LoopOptions lo;
  lo.stack_size = 256 * 1024;
  lo.time_slice_ns = 10 * 1000000ull;
  return lo;
}

// Runs fn on a fiber: the calling one, or one of a loop `loops` keeps for
// this thread (runtime/caller_loops.h).
template <class T>
Result<T> on_fiber(CallerLoops& loops, const std::function<Result<T>()>& fn) {
  if (disp::this_fiber::in_fiber()) return fn();
  std::optional<Result<T>> out;
  if (auto r = loops.run([&] { out.emplace(fn()); }); !r) return r.error();
  return std::move(*out);
}

}  // namespace

struct Runtime::Impl {
  // Without workers: the loops calls from outside a fiber run on
  // (on_fiber). First, so that they go last, after every pooled instance.
  CallerLoops caller_loops{loop_options()};
  Registry reg;
  RuntimeOptions opts;
  std::map<std::string, EntryState, std::less<>> entries;
  // wasi:http's parsed CA sets, shared by every instance of every entry.
  std::shared_ptr<net::TlsTrustCache> tls_trust = std::make_shared<net::TlsTrustCache>();
  std::vector<std::unique_ptr<Worker>> workers;  // RuntimeOptions::workers
  // How long a caller outside any fiber watches for a worker's answer
  // before it sleeps (runtime.h, workers): set by load().
  uint64_t caller_spin_ns = 0;
  // Per worker: calls handed to it and not yet answered (the count drops
  // before the caller is woken, so a caller that starts its next call
  // sees the worker's true load). warm() and pool_info() do not count.
  std::unique_ptr<std::atomic<uint32_t>[]> inflight;
  std::atomic<uint64_t> tasks{0};  // Runtime::spawn tasks not yet finished

  // Until every Runtime::spawn task has returned (they may still call).
  void wait_for_tasks() {
    for (uint64_t n; (n = tasks.load(std::memory_order_acquire)) != 0;) tasks.wait(n);
  }

  // Everything of ending but freeing memory: waits for spawn() tasks,
  // closes every pooled instance (its streams, descriptors, sockets) on
  // its own thread, stops the workers and writes the code cache. Once.
  void close() {
    if (closed) return;
    closed = true;
    wait_for_tasks();
    // Each worker's pools belong to its thread: they go there, first.
    for (size_t w = 0; w < workers.size(); ++w)
      workers[w]->stop([this, w] {
        for (auto& [id, es] : entries)
          if (w < es.pools.size()) es.pools[w].reset();  // none for an entry never loaded
      });
    if (workers.empty())
      for (auto& [id, es] : entries)
        for (auto& pool : es.pools) pool.reset();
    // The code compiled while running, for the next load.
    if (!opts.code_cache_dir.empty()) {
      CodeCache cache(opts.code_cache_dir);
      for (auto& [id, es] : entries)
        if (es.prog) save_program_code(*es.prog, &cache);
    }
  }
  bool closed = false;

  ~Impl() { close(); }

  // Serialises loads at first use (the entries map itself never changes
  // after Runtime::load).
  std::mutex load_mu;

  // Loads function entry `fn`'s program into `es`, with its listening
  // sockets; the error names the registry line.
  Result<void> load_entry(const FunctionEntry& fn, EntryState& es, const CodeCache* cache) {
    auto prog = load_program(reg, fn, cache);
    if (!prog) return make_error(prog.error().kind, fmt::format("{}: {}", fn.loc.str(), prog.error().message));
    es.prog = std::move(*prog);
    es.pools.resize(std::max<size_t>(1, opts.workers));
    // Listening sockets are opened now, so that a refused or taken
    // address fails the load, naming the line that asked for it.
    const net::Policy policy = network_policy(fn.wasi);
    for (const WasiListen& l : fn.wasi.tcp_listen) {
      auto sock = hostfns::open_tcp_listener(policy, l.at);
      if (!sock) {
        es.tcp_listeners.clear();
        es.prog.reset();
        return make_error(sock.error().kind,
                          fmt::format("{}: entry {}: wasi tcp_listen: {}", l.loc.str(), fn.id, sock.error().message));
      }
      es.tcp_listeners.push_back(std::move(*sock));
    }
    return {};
  }

  // The loaded state of function entry `id`: loaded now if the Runtime
  // loads at first use and this is the first (a failed load fails every
  // use the same way).
  Result<EntryState*> state(std::string_view id) {
    auto it = entries.find(id);
    if (it == entries.end())
      return make_error(ErrorKind::Other, fmt::format("no function entry {}", quote_input(id)));
    EntryState& es = it->second;
    if (!es.loaded.load(std::memory_order_acquire)) {
      std::lock_guard lock(load_mu);
      if (!es.loaded.load(std::memory_order_relaxed)) {
        std::optional<CodeCache> cache;
        if (!opts.code_cache_dir.empty()) cache.emplace(opts.code_cache_dir);
        if (auto r = load_entry(*reg.find_function(it->first), es, cache ? &*cache : nullptr); !r)
          es.load_error = r.error();
        es.loaded.store(true, std::memory_order_release);
      }
    }
    if (es.load_error) return *es.load_error;
    return &es;
  }

  // The entry's pool for worker `w` (0 without workers); on that thread.
  Pool& pool(EntryState& es, size_t w) {
    std::unique_ptr<Pool>& slot = es.pools[w];
    if (!slot) {
      const FunctionEntry& fn = *es.prog->entry;
      InstanceConfig cfg;
      cfg.inherit_stdio = opts.inherit_stdio;
      for (const WasiMount& m : fn.wasi.mounts)
        cfg.preopens.push_back(hostfns::Preopen{reg.find_fs(m.fs)->directory.string(), m.guest, m.read_only});
      cfg.network = network_policy(fn.wasi);
      cfg.limits = wasi_limits(fn.limits);
      cfg.http = http_grant(fn.wasi, fn.limits);
      cfg.tls_trust = tls_trust;
      cfg.tcp_listeners = es.tcp_listeners;
      slot = std::make_unique<Pool>(es.prog, std::move(cfg), fn.pool);
    }
    return *slot;
  }

  // Runs fn(w) on a fiber: with no workers the caller's (or a private
  // loop's, w = 0); else a fiber of the least busy worker w, the caller
  // waiting until it is done.
  template <class T>
  Result<T> run(const std::function<Result<T>(size_t)>& fn) {
    if (workers.empty()) return on_fiber<T>(caller_loops, [&] { return fn(0); });
    // Already on a fiber of worker i (a Runtime::spawn task): no hop.
    if (disp::this_fiber::in_fiber())
      for (size_t i = 0; i < workers.size(); ++i)
        if (workers[i]->loop() == disp::Loop::current()) return fn(i);
    return run_on<T>(least_busy(), fn, true);
  }

  size_t least_busy() const {
    size_t w = 0;
    for (size_t i = 1; i < workers.size(); ++i)
      if (inflight[i].load(std::memory_order_relaxed) < inflight[w].load(std::memory_order_relaxed)) w = i;
    return w;
  }

  // Runs fn(w) on a fiber of worker w and waits for it (`counted`: as a
  // call, in inflight[w]).
  template <class T>
  Result<T> run_on(size_t w, const std::function<Result<T>(size_t)>& fn, bool counted = false) {
    disp::CrossWake wake;
    std::optional<Result<T>> out;
    if (counted) inflight[w].fetch_add(1, std::memory_order_relaxed);
    auto answer = [&](Result<T> r) {
      out.emplace(std::move(r));
      if (counted) inflight[w].fetch_sub(1, std::memory_order_relaxed);
      wake.signal();
    };
    workers[w]->spawn([&] { answer(fn(w)); },
                      [&] { answer(make_error(ErrorKind::Exhaustion, "cannot create a fiber for the call")); });
    wake.wait(caller_spin_ns);
    return std::move(*out);
  }

  Result<std::string> resolve(std::string_view name) const;
  Result<CallOutput> call(std::string_view name, const CallArgs& args, const CallOptions& copts);
};

Result<std::string> Runtime::Impl::resolve(std::string_view name) const {
  // The usual case, a full "ns:name" of a function entry, allocates nothing
  // beyond the answer.
  if (name.find(':') != std::string_view::npos && entries.find(name) != entries.end()) return std::string(name);
  std::vector<const FunctionEntry*> fns = reg.functions();
  auto listing = [&] {
    std::vector<std::string> ids;
    for (auto* f : fns) ids.push_back(f->id);
    return fmt::format("{}", fmt::join(ids, ", "));
  };
  if (name.empty()) {
    if (fns.size() == 1) return fns[0]->id;
    if (fns.empty()) return make_error(ErrorKind::Other, "the registry holds no function entry");
    return make_error(ErrorKind::Other,
                      fmt::format("the registry holds {} function entries; name one: {}", fns.size(), listing()));
  }
  if (name.find(':') != std::string_view::npos) {
    if (reg.find_function(name)) return std::string(name);
    return make_error(ErrorKind::Other, fmt::format("no function entry {} (entries: {})", quote_input(name), listing()));
  }
  std::vector<std::string> hits;
  for (auto* f : fns)
    if (f->name == name) hits.push_back(f->id);
  if (hits.size() == 1) return hits[0];
  if (hits.empty())
    return make_error(ErrorKind::Other, fmt::format("no function entry {} (entries: {})", quote_input(name), listing()));
  return make_error(ErrorKind::Other,
                    fmt::format("entry name {} is ambiguous: {}", quote_input(name), fmt::join(hits, ", ")));
}

Result<CallOutput> Runtime::Impl::call(std::string_view name, const CallArgs& args, const CallOptions& copts) {
  auto id = resolve(name);
  if (!id) return id.error();
  auto es = state(*id);
  if (!es) return es.error();
  const Program& prog = *(*es)->prog;
  const FunctionEntry& fn = *prog.entry;
  auto fail = [&](const Error& e) { return make_error(e.kind, fmt::format("entry {}: {}", fn.id, e.message)); };

  // Everything the guest sees besides its arguments is settled before any
  // instance is touched: a missing required env variable runs nothing.
  CallEnv env;
  HostEnvLookup lookup = opts.env_lookup ? HostEnvLookup(opts.env_lookup) : HostEnvLookup(process_env_lookup);
  auto vars = resolve_env(reg, fn, lookup);
  if (!vars) return vars.error();
  env.env = std::move(*vars);
  env.cwd = fn.wasi.cwd;
  env.stdin_data = copts.stdin_data;
  if (fn.wasi.args) {
    env.args = *fn.wasi.args;
  } else {
    env.args.push_back(fn.name);
    if (!copts.extra_args.empty() || !prog.command || !args.is_json)
      env.args.insert(env.args.end(), copts.extra_args.begin(), copts.extra_args.end());
    else
      env.args.insert(env.args.end(), args.json.begin(), args.json.end());
  }

  EntryState& st = **es;
  return run<CallOutput>([&](size_t w) -> Result<CallOutput> {
    auto lease = pool(st, w).acquire();
    if (!lease) return lease.error();
    std::vector<Val> converted;
    std::span<const Val> vals = args.vals;
    const component::FuncSig* sig = (*lease)->sig();
    if (sig && args.is_json) {
      auto v = component::args_from_json(*sig, args.json);
      if (!v) return fail(v.error());
      converted = std::move(*v);
      vals = converted;
    } else if (sig && sig->params.size() != vals.size()) {
      return fail(make_error(ErrorKind::Invalid, fmt::format("{} takes {} arguments, {} given", fn.method,
                                                             sig->params.size(), vals.size())));
    } else if (!sig) {
      vals = {};
    }
    lease->mark_used();
    auto r = (*lease)->call(env, vals);
    if (!r) {
      lease->mark_failed();
      return fail(r.error());
    }
    CallOutput out;
    out.exit_code = r->exit_code;
    out.out = std::move(r->out);
    out.err = std::move(r->err);
    if (sig) {
      auto j = component::results_to_json(*sig, r->values);
      if (!j) return fail(j.error());
      out.json = std::move(*j);
    }
    out.values = std::move(r->values);
    return out;
  });
}

Runtime::Runtime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Runtime::~Runtime() {
  if (impl_) impl_->wait_for_tasks();  // while the Runtime is whole: tasks may call it
}

namespace {

void warn_to_stderr(const std::string& w) { std::fprintf(stderr, "wippy: warning: %s\n", w.c_str()); }

}  // namespace

void Runtime::exit_process(int status) {
  try {
    impl_->close();
  } catch (...) {
    std::fprintf(stderr, "wippy: closing the runtime failed; exiting anyway\n");
  }
  std::exit(status);
}

Result<std::unique_ptr<Runtime>> Runtime::load(std::span<const std::filesystem::path> files, RuntimeOptions opts) {
  // The public API returns errors as values: nothing below may throw out.
  try {
    return load_checked(files, std::move(opts));
  } catch (const std::bad_alloc&) {
    return make_error(ErrorKind::Exhaustion, "out of memory while loading the registry");
  } catch (const std::exception& e) {
    return make_error(ErrorKind::Other, fmt::format("loading the registry failed: {}", e.what()));
  }
}

Result<std::unique_ptr<Runtime>> Runtime::load_checked(std::span<const std::filesystem::path> files,
                                                       RuntimeOptions opts) {
  RegistryOptions ro;
  ro.strict = opts.strict;
  ro.warn = opts.on_warning ? opts.on_warning : std::function<void(const std::string&)>(warn_to_stderr);
  auto reg = load_registry(files, ro);
  if (!reg) return reg.error();
  auto impl = std::make_unique<Impl>();
  impl->reg = std::move(*reg);
  impl->opts = std::move(opts);
  std::vector<std::string> problems;
  ErrorKind kind = ErrorKind::Other;
  std::optional<CodeCache> cache;
  if (!impl->opts.code_cache_dir.empty()) cache.emplace(impl->opts.code_cache_dir);
  for (const FunctionEntry* fn : impl->reg.functions()) {
    EntryState& es = impl->entries.try_emplace(fn->id).first->second;
    if (impl->opts.load_on_first_use) continue;
    if (auto r = impl->load_entry(*fn, es, cache ? &*cache : nullptr); !r) {
      if (problems.empty()) kind = r.error().kind;
      problems.push_back(r.error().message);
    }
    es.loaded.store(true, std::memory_order_relaxed);
  }
  if (!problems.empty()) return make_error(kind, fmt::format("{}", fmt::join(problems, "\n")));
  impl->inflight = std::make_unique<std::atomic<uint32_t>[]>(impl->opts.workers);
  for (uint32_t w = 0; w < impl->opts.workers; ++w) {
    auto worker = Worker::start(loop_options());
    if (!worker) return worker.error();
    impl->workers.push_back(std::move(*worker));
  }
  if (impl->opts.workers != 0 && impl->opts.workers < std::thread::hardware_concurrency())
    impl->caller_spin_ns = 50'000;
  return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
}

std::vector<std::string> Runtime::functions() const {
  std::vector<std::string> ids;
  for (const FunctionEntry* fn : impl_->reg.functions()) ids.push_back(fn->id);
  return ids;
}

Result<std::string> Runtime::resolve(std::string_view name) const {
  return no_throw([&] { return impl_->resolve(name); });
}

bool Runtime::is_command(std::string_view id) const {
  auto es = no_throw([&] { return impl_->state(id); });
  return es && (*es)->prog->command;
}

Result<CallOutput> Runtime::call_json(std::string_view entry, std::span<const std::string> json_args,
                                      const CallOptions& opts) {
  CallArgs a;
  a.json = json_args;
  a.is_json = true;
  return no_throw([&] { return impl_->call(entry, a, opts); });
}

Result<CallOutput> Runtime::call(std::string_view entry, std::span<const Val> args, const CallOptions& opts) {
  CallArgs a;
  a.vals = args;
  return no_throw([&] { return impl_->call(entry, a, opts); });
}

Result<void> Runtime::spawn(std::function<void()> task) {
  return no_throw([&]() -> Result<void> {
    Impl& im = *impl_;
    if (im.workers.empty())
      return make_error(ErrorKind::Other, "Runtime::spawn needs worker threads (RuntimeOptions::workers > 0)");
    const size_t w = im.least_busy();
    im.inflight[w].fetch_add(1, std::memory_order_relaxed);
    im.tasks.fetch_add(1, std::memory_order_relaxed);
    auto finished = [&im, w] {
      im.inflight[w].fetch_sub(1, std::memory_order_relaxed);
      if (im.tasks.fetch_sub(1, std::memory_order_acq_rel) == 1) im.tasks.notify_all();
    };
    try {
      im.workers[w]->spawn(
          [task = std::move(task), finished] {
            task();
            finished();
          },
          [finished] {
            std::fprintf(stderr, "wippy: a Runtime::spawn task was dropped: its worker could not create a fiber\n");
            finished();
          });
    } catch (...) {
      finished();  // nothing was posted: the destructor must not wait for it
      throw;       // no_throw makes it an error value
    }
    return {};
  });
}

Result<void> Runtime::warm(std::string_view entry) {
  return no_throw([&]() -> Result<void> {
    auto es = impl_->state(entry);
    if (!es) return es.error();
    EntryState& st = **es;
    if (impl_->workers.empty()) return impl_->pool(st, 0).warm();
    for (size_t w = 0; w < impl_->workers.size(); ++w) {
      auto r = impl_->run_on<bool>(w, [&](size_t on) -> Result<bool> {
        if (auto ok = impl_->pool(st, on).warm(); !ok) return ok.error();
        return true;
      });
      if (!r) return r.error();
    }
    return {};
  });
}

Result<PoolInfo> Runtime::pool_info(std::string_view entry) const {
  return no_throw([&]() -> Result<PoolInfo> {
    auto es = impl_->state(entry);
    if (!es) return es.error();
    EntryState& st = **es;
    PoolInfo info;
    auto add = [&](const Pool& p) {
      info.capacity += p.capacity();
      info.live += p.stats().live;
      info.idle += p.stats().idle;
      info.resets += p.stats().resets;
      info.reset_ns += p.stats().reset_ns;
    };
    if (impl_->workers.empty()) {
      add(impl_->pool(st, 0));
      return info;
    }
    for (size_t w = 0; w < impl_->workers.size(); ++w) {
      auto r = impl_->run_on<bool>(w, [&](size_t on) -> Result<bool> {
        add(impl_->pool(st, on));
        return true;
      });
      if (!r) return r.error();
    }
    return info;
  });
}

}  // namespace wippy
