// api_instance.cpp — Instance and InterruptHandle of the embedding API
// (include/wippy/instance.h): instantiation against a Linker and the WASI
// host, calls on a fiber under the instance's limits, interrupt requests
// from other threads, and the classification of call errors.
#include <fmt/format.h>

#include <exception>
#include <optional>
#include <system_error>

#include "component/val_json.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"
#include "hostfns/wasi.h"
#include "runtime/api_impl.h"
#include "runtime/no_throw.h"
#include "runtime/wit_signature.h"

namespace wippy::api {
namespace {

using component::Val;
using component::ValKind;

constexpr uint64_t kNsPerMs = 1000000;
constexpr std::string_view kRunExport = "wasi:cli/run@0.2.0#run";

Error invalid(std::string msg) { return make_error(ErrorKind::Invalid, std::move(msg)); }

// Store limits and the thunk every call goes through.
void prepare_store(Instance::Impl& im) {
  im.store = std::make_unique<Store>();
  if (im.engine) im.store->memory_pool = im.engine->memory_pool;
  im.store->limits.max_memory_bytes = im.limits.memory_bytes;
  if (im.limits.max_call_depth != 0) im.store->limits.max_call_depth = im.limits.max_call_depth;
  Instance::Impl* self = &im;
  im.thunk = im.store->create_host_func(FuncType{}, [self](HostContext& ctx, std::span<const Value>,
                                                          std::span<Value>) -> Result<void> {
    if (!self->pending) return make_error(ErrorKind::Other, "no call pending");
    return self->pending(ctx.store);
  });
}

// The error a call ended with, as instance.h classifies it.
Error classify(const Instance::Impl& im, Error e, bool interrupted) {
  if (e.kind == ErrorKind::Interrupted) {
    if (interrupted && e.message == disp::kCancelled) return make_error(ErrorKind::Interrupted, "interrupted");
    if (e.message == disp::kDeadlineExceeded)
      return make_error(ErrorKind::Interrupted,
                        fmt::format("deadline exceeded (timeout {} ms)", im.limits.timeout_ms));
    return e;
  }
  if (im.wasi && hostfns::exit_status(*im.wasi, e))
    return make_error(ErrorKind::Exit, fmt::format("the guest exited with code {}", *im.wasi->exit_code));
  return e;
}

}  // namespace

void InterruptHandle::interrupt() const {
  if (!state_) return;
  state_->requested.store(true, std::memory_order_release);
  std::lock_guard lock(state_->mu);
  if (state_->loop != nullptr) {
    disp::Loop* loop = state_->loop;
    disp::FiberHandle fiber = state_->fiber;
    // Runs on the loop's thread; a post the loop never runs is discarded
    // with it, and cancelling a finished fiber does nothing.
    loop->post([loop, fiber] { loop->cancel(fiber); });
  }
}

Result<void> Instance::Impl::guarded(const std::function<Result<void>(Store&)>& body) {
  if (!store) return make_error(ErrorKind::Other, "the instance is unusable after an earlier failure");
  InterruptHandle::State& st = *interrupt;
  pending = [&](Store& s) -> Result<void> {
    if (st.requested.load(std::memory_order_acquire)) return make_error(ErrorKind::Interrupted, "interrupted");
    // Checked at every preemption point (time slice) before the fiber's own hook.
    auto saved = std::move(s.on_interrupt);
    s.on_interrupt = [&st, &saved](Store& inner) -> Result<void> {
      if (st.requested.load(std::memory_order_acquire)) return make_error(ErrorKind::Interrupted, "interrupted");
      return saved ? saved(inner) : Result<void>{};
    };
    Result<void> r = body(s);
    s.on_interrupt = std::move(saved);
    return r;
  };
  disp::GuestCallOptions gopts;
  gopts.timeout_ns = limits.timeout_ms * kNsPerMs;
  auto call = [&]() -> Result<void> {
    auto r = disp::call_in_fiber(*store, thunk, {}, gopts);
    if (!r) return r.error();
    return {};
  };
  std::optional<Result<void>> out;
  if (disp::this_fiber::in_fiber()) {
    out.emplace(call());
  } else {
    // Registers the loop running the call with the interrupt state, so that
    // interrupt() can cancel the call's fiber (ending host waits too).
    auto ran = engine->caller_loops.run([&] { out.emplace(call()); },
                                        [&st](disp::Loop* loop, disp::FiberHandle fiber) {
                                          std::lock_guard lock(st.mu);
                                          st.loop = loop;
                                          st.fiber = fiber;
                                        });
    if (!ran) out.emplace(ran.error());
  }
  pending = nullptr;
  const bool interrupted = st.requested.exchange(false, std::memory_order_acq_rel);
  if (!out) return make_error(ErrorKind::Other, "the call did not finish (nothing left could wake it)");
  if (!*out) return classify(*this, std::move(out->error()), interrupted);
  return {};
}

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Instance::~Instance() = default;
Instance::Instance(Instance&&) noexcept = default;
Instance& Instance::operator=(Instance&&) noexcept = default;

InterruptHandle Instance::interrupt_handle() const { return InterruptHandle{impl_->interrupt}; }

std::string Instance::take_stdout() {
  if (!impl_->wasi) return {};
  return std::exchange(impl_->wasi->out.buffer, {});
}

std::string Instance::take_stderr() {
  if (!impl_->wasi) return {};
  return std::exchange(impl_->wasi->err.buffer, {});
}

Result<ExportTarget> find_export(Instance::Impl& im, std::string_view name) {
  ExportTarget t;
  if (im.comp) {
    auto f = im.comp->func(name);
    if (!f) return f.error();
    t.comp = std::move(*f);
    return t;
  }
  t.core = im.core->export_func(name);
  if (t.core == nullptr) return make_error(ErrorKind::Other, fmt::format("no function export {}", name));
  auto sig = signature_for_core("", *t.core->type);
  if (!sig) return sig.error();
  t.core_sig = std::move(*sig);
  return t;
}

namespace {

bool core_kind_fits(ValType t, ValKind k) {
  switch (t) {
    case ValType::I32: return k == ValKind::S32 || k == ValKind::U32 || k == ValKind::Bool;
    case ValType::I64: return k == ValKind::S64 || k == ValKind::U64;
    case ValType::F32: return k == ValKind::F32;
    case ValType::F64: return k == ValKind::F64;
    default: return false;
  }
}

}  // namespace

Result<std::vector<Val>> call_export(Instance::Impl& im, const ExportTarget& t, std::span<const Val> args) {
  const size_t want = t.comp ? t.comp->sig->params.size() : t.core->type->params.size();
  if (args.size() != want)
    return invalid(fmt::format("{} takes {} arguments, {} given", t.comp ? t.comp->name : "the function", want,
                               args.size()));
  std::vector<Val> out;
  if (t.comp) {
    auto r = im.guarded([&](Store& s) -> Result<void> {
      auto v = t.comp->call(s, args);
      if (!v) return v.error();
      out = std::move(*v);
      return {};
    });
    if (!r) return r.error();
    return out;
  }
  const FuncType& ft = *t.core->type;
  std::vector<Value> raw;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!core_kind_fits(ft.params[i], args[i].kind))
      return invalid(fmt::format("argument {}: expected {}, got {}", i + 1, valtype_name(ft.params[i]),
                                 component::val_kind_name(args[i].kind)));
    raw.push_back(val_to_core(ft.params[i], args[i]));
  }
  auto r = im.guarded([&](Store& s) -> Result<void> {
    auto v = invoke(s, t.core, raw);
    if (!v) return v.error();
    for (size_t i = 0; i < v->size() && i < ft.results.size(); ++i) out.push_back(core_to_val(ft.results[i], (*v)[i]));
    return {};
  });
  if (!r) return r.error();
  return out;
}

Result<std::vector<Val>> Instance::call(std::string_view func, std::span<const Val> args) {
  return no_throw([&]() -> Result<std::vector<Val>> {
    auto t = find_export(*impl_, func);
    if (!t) return t.error();
    return call_export(*impl_, *t, args);
  });
}

Result<std::string> Instance::call_json(std::string_view func, std::span<const std::string> args) {
  return no_throw([&]() -> Result<std::string> {
    auto t = find_export(*impl_, func);
    if (!t) return t.error();
    auto vals = component::args_from_json(t->sig(), args);
    if (!vals) return vals.error();
    auto out = call_export(*impl_, *t, *vals);
    if (!out) return out.error();
    return component::results_to_json(t->sig(), *out);
  });
}

Result<int> Instance::run() {
  return no_throw([&]() -> Result<int> {
    Impl& im = *impl_;
    if (im.wasi) im.wasi->exit_code.reset();
    auto t = find_export(im, im.comp ? kRunExport : std::string_view("_start"));
    if (!t) return t.error();
    auto out = call_export(im, *t, {});
    if (!out) {
      if (out.error().kind == ErrorKind::Exit) return *im.wasi->exit_code;
      return out.error();
    }
    if (!im.comp) return 0;
    if (out->size() != 1 || out->front().kind != ValKind::Result)
      return make_error(ErrorKind::Trap, "wasi:cli/run#run did not return a result");
    return out->front().is_ok() ? 0 : 1;
  });
}

// --- instantiation ----------------------------------------------------------

namespace {

std::unique_ptr<Instance::Impl> new_impl(const Linker::Impl& linker, const InstanceOptions& opts) {
  auto im = std::make_unique<Instance::Impl>();
  im->engine = linker.engine;
  im->limits = opts.limits;
  im->inherit_stdio = opts.wasi.inherit_stdio;
  return im;
}

}  // namespace

Result<Instance> instantiate_component(const Linker::Impl& linker, const Component& component,
                                       const InstanceOptions& opts) {
  auto im = new_impl(linker, opts);
  im->component = component.impl_;
  const WasiConfig& w = opts.wasi;
  im->wasi = std::make_unique<hostfns::WasiCtx>();
  hostfns::WasiCtx& ctx = *im->wasi;
  ctx.args = w.args;
  ctx.env = w.env;
  ctx.initial_cwd = w.cwd;
  for (const WasiConfig::Dir& d : w.preopens) ctx.preopens.push_back({d.host_path, d.guest_path, d.read_only});
  if (w.inherit_stdio) ctx.inherit_stdio();
  else ctx.in.buffer = w.stdin_data;
  prepare_store(*im);
  // The WASI interfaces come from the component's WasiHost (its base);
  // the embedder's own interfaces are offered per instance.
  im->linker = std::make_unique<component::Linker>();
  if (auto r = component.impl_->wasi->prepare(ctx, *im->linker); !r) return r.error();
  offer_interfaces(linker, *im->linker);
  // Instantiation runs guest code (start functions): on a fiber, limited.
  Instance::Impl* raw = im.get();
  auto r = raw->guarded([&](Store& s) -> Result<void> {
    auto ci = raw->linker->instantiate(s, component.impl_->component);
    if (!ci) return ci.error();
    raw->comp = std::move(*ci);
    return {};
  });
  if (!r) return r.error();
  return Instance(std::move(im));
}

Result<Instance> instantiate_module(const Linker::Impl& linker, const Module& module, const InstanceOptions& opts) {
  auto im = new_impl(linker, opts);
  im->module = module.impl_;
  prepare_store(*im);
  auto imports = core_imports(linker, *im->store, *module.impl_->module);
  if (!imports) return imports.error();
  Instance::Impl* raw = im.get();
  auto r = raw->guarded([&](Store& s) -> Result<void> {
    auto ci = wippy::instantiate(s, module.impl_->module, *imports, module.impl_->code);
    if (!ci) return ci.error();
    raw->core = *ci;
    return {};
  });
  if (!r) return r.error();
  return Instance(std::move(im));
}

}  // namespace wippy::api
