// instance.cpp — LiveInstance (see instance.h): instantiation (components
// and preview1 core modules get a WasiCtx), per-call WASI view, calls under
// the dispatcher's deadline, and reset.
#include "runtime/instance.h"

#include <fmt/format.h>

#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_preview1.h"

namespace wippy {
namespace {

using component::Val;
using component::ValKind;

constexpr uint64_t kNsPerMs = 1000000;

// A JSON-typed scalar Val as the core value the export takes.
Value core_value(const Val& v) {
  switch (v.kind) {
    case ValKind::F32: return val_f32(v.f32);
    case ValKind::F64: return val_f64(v.f64);
    case ValKind::S64:
    case ValKind::U64: return val_i64(v.u);
    default: return val_i32(uint32_t(v.u));
  }
}

Val scalar_val(ValKind k, Value x) {
  switch (k) {
    case ValKind::Bool: return Val::boolean(x.i32 != 0);
    case ValKind::S8: return Val::s8(int8_t(x.i32));
    case ValKind::U8: return Val::u8(uint8_t(x.i32));
    case ValKind::S16: return Val::s16(int16_t(x.i32));
    case ValKind::U16: return Val::u16(uint16_t(x.i32));
    case ValKind::S32: return Val::s32(int32_t(x.i32));
    case ValKind::U32: return Val::u32(x.i32);
    case ValKind::S64: return Val::s64(int64_t(x.i64));
    case ValKind::U64: return Val::u64(x.i64);
    case ValKind::F32: return Val::f32v(x.f32);
    case ValKind::F64: return Val::f64v(x.f64);
    default: return Val::character(x.i32);
  }
}

}  // namespace

LiveInstance::LiveInstance(std::shared_ptr<const Program> prog, InstanceConfig cfg)
    : prog_(std::move(prog)), cfg_(std::move(cfg)) {}

LiveInstance::~LiveInstance() { drop(); }

Result<std::unique_ptr<LiveInstance>> LiveInstance::create(std::shared_ptr<const Program> prog,
                                                           InstanceConfig cfg) {
  std::unique_ptr<LiveInstance> inst(new LiveInstance(std::move(prog), std::move(cfg)));
  if (auto r = inst->instantiate(); !r) return r.error();
  return inst;
}

void LiveInstance::drop() {
  // The component instance refers to the store and (through resource
  // destructors) to the WASI context: it goes first.
  func_.reset();
  comp_.reset();
  core_func_ = nullptr;
  thunk_ = nullptr;
  snapshot_.reset();
  store_.reset();
  wasi_.reset();
}

Result<void> LiveInstance::instantiate() {
  const FunctionEntry& fn = *prog_->entry;
  auto fail = [&](const Error& e) { return make_error(e.kind, fmt::format("entry {}: {}", fn.id, e.message)); };
  store_ = std::make_unique<Store>();
  store_->limits.max_memory_bytes = fn.limits.memory_bytes.value_or(0);
  if (prog_->is_component || prog_->preview1) {
    wasi_ = std::make_unique<hostfns::WasiCtx>();
    wasi_->preopens = cfg_.preopens;
    wasi_->network = cfg_.network;
    wasi_->http = cfg_.http;
    wasi_->tls_trust = cfg_.tls_trust;
    wasi_->limits = cfg_.limits;
    wasi_->tcp_listeners = cfg_.tcp_listeners;
    if (cfg_.inherit_stdio) wasi_->inherit_stdio();
  }
  if (prog_->is_component) {
    auto ci = prog_->wasi_host->instantiate(*store_, *wasi_, prog_->component);
    if (!ci) return fail(ci.error());
    comp_ = std::move(*ci);
    auto f = comp_->func(prog_->export_name);
    if (!f) return fail(f.error());
    func_ = std::move(*f);
    sig_ = prog_->command ? nullptr : func_->sig.get();
    thunk_ = store_->create_host_func(FuncType{}, [this](HostContext& ctx, std::span<const Value>,
                                                         std::span<Value>) -> Result<void> {
      if (!pending_) return make_error(ErrorKind::Other, "no component call pending");
      return pending_(ctx.store);
    });
    return take_snapshot();
  }
  std::vector<Extern> imports;
  if (prog_->preview1) {
    auto p1 = hostfns::Preview1::create(*wasi_);
    if (!p1) return fail(p1.error());
    auto linked = p1->link(*store_, *prog_->module);
    if (!linked) return fail(linked.error());
    imports = std::move(*linked);
  }
  auto ci = wippy::instantiate(*store_, prog_->module, imports, prog_->code);
  if (!ci) return fail(ci.error());
  core_func_ = (*ci)->export_func(fn.method);
  if (!core_func_) return fail(make_error(ErrorKind::Unlinkable, fmt::format("no function export {}", fn.method)));
  sig_ = &*prog_->core_sig;
  // A preview1 reactor is initialized once, before its first call.
  if (FuncInst* init = (*ci)->export_func("_initialize"); init && prog_->preview1 && !prog_->command) {
    auto r = disp::this_fiber::in_fiber() ? disp::call_in_fiber(*store_, init, {}) : invoke(*store_, init, {});
    if (!r) return fail(make_error(r.error().kind, fmt::format("_initialize: {}", r.error().message)));
  }
  return take_snapshot();
}

Result<void> LiveInstance::take_snapshot() {
  restores_ = 0;
  Program::FirstImages& first = *prog_->first_images;
  std::vector<std::shared_ptr<const MemoryImage>> like;
  {
    std::lock_guard lock(first.mu);
    like = first.images;
  }
  auto snap = StoreSnapshot::capture(*store_, like);
  if (!snap) return make_error(snap.error().kind, fmt::format("entry {}: snapshot: {}", prog_->entry->id,
                                                              snap.error().message));
  {
    std::lock_guard lock(first.mu);
    if (!first.taken) {
      first.taken = true;
      first.images = snap->images();
    }
  }
  snapshot_ = std::move(*snap);
  return {};
}

Result<void> LiveInstance::reset(bool failed) {
  // A preview1 instance's fd table is not in the Store: it is made afresh.
  if (!failed && !prog_->preview1 && store_ && snapshot_ && restores_ < kFullResetEvery) {
    if (snapshot_->restore(*store_)) {
      ++restores_;
      return {};
    }
  }
  drop();
  return instantiate();
}

Result<std::vector<Val>> LiveInstance::call_component(std::span<const Val> args) {
  const uint64_t max_ms = prog_->entry->limits.max_execution_ms.value_or(0);
  if (!disp::this_fiber::in_fiber()) return func_->call(*store_, args);
  // The component call runs inside a host function invoked through
  // call_in_fiber, so the dispatcher's interrupt hook and deadline cover
  // every core call the component makes on this store.
  Result<std::vector<Val>> out = make_error(ErrorKind::Other, "component call did not run");
  pending_ = [&](Store& store) -> Result<void> {
    out = func_->call(store, args);
    if (!out) return out.error();
    return {};
  };
  disp::GuestCallOptions opts;
  opts.timeout_ns = max_ms * kNsPerMs;
  auto r = disp::call_in_fiber(*store_, thunk_, {}, opts);
  pending_ = nullptr;
  if (!r) return r.error();
  return out;
}

Result<std::vector<Val>> LiveInstance::call_core(std::span<const Val> args) {
  const component::FuncSig& sig = *prog_->core_sig;
  std::vector<Value> raw;
  raw.reserve(args.size());
  for (const Val& v : args) raw.push_back(core_value(v));
  Result<std::vector<Value>> r = make_error(ErrorKind::Other, "not called");
  if (disp::this_fiber::in_fiber()) {
    disp::GuestCallOptions opts;
    opts.timeout_ns = prog_->entry->limits.max_execution_ms.value_or(0) * kNsPerMs;
    r = disp::call_in_fiber(*store_, core_func_, raw, opts);
  } else {
    r = invoke(*store_, core_func_, raw);
  }
  if (!r) return r.error();
  std::vector<Val> out;
  if (sig.result && !r->empty()) out.push_back(scalar_val((*sig.result)->kind, r->front()));
  return out;
}

Result<InstanceResult> LiveInstance::call(const CallEnv& env, std::span<const Val> args) {
  if (!store_) return make_error(ErrorKind::Other, "instance was not reset after a failure");
  InstanceResult res;
  if (!wasi_) {
    auto r = call_core(args);
    if (!r) return r.error();
    res.values = std::move(*r);
    return res;
  }
  hostfns::WasiCtx& ctx = *wasi_;
  ctx.args = env.args;
  ctx.env = env.env;
  ctx.initial_cwd = env.cwd;
  ctx.exit_code.reset();
  if (!cfg_.inherit_stdio) {
    ctx.in.buffer = env.stdin_data;
    ctx.out.buffer.clear();
    ctx.err.buffer.clear();
  }
  auto r = prog_->is_component ? call_component(args) : call_core(args);
  if (!cfg_.inherit_stdio) {
    res.out = std::move(ctx.out.buffer);
    res.err = std::move(ctx.err.buffer);
  }
  if (prog_->command) {
    if (!r) {
      if (auto status = hostfns::exit_status(ctx, r.error())) {
        res.exit_code = *status;
        return res;
      }
      return r.error();
    }
    if (!prog_->is_component) {  // a preview1 `_start` that returned
      res.exit_code = 0;
      return res;
    }
    if (r->size() != 1 || r->front().kind != ValKind::Result)
      return make_error(ErrorKind::Trap, "wasi:cli/run#run did not return a result");
    res.exit_code = r->front().is_ok() ? 0 : 1;
    return res;
  }
  if (!r) return r.error();
  res.values = std::move(*r);
  return res;
}

}  // namespace wippy
