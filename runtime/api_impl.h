// api_impl.h — the private halves (pimpl) of the embedding API's types
// (include/wippy/engine.h, linker.h, instance.h), shared by the api_*.cpp
// files that implement them. Nothing outside runtime/api_* uses it.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "component/component.h"
#include "dispatcher/loop.h"
#include "interp/memory_pool.h"
#include "interp/module.h"
#include "component/linker.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_ctx.h"
#include "interp/store.h"
#include "runtime/caller_loops.h"
#include "wippy/engine.h"
#include "wippy/instance.h"
#include "wippy/linker.h"

namespace wippy::api {

struct Engine::Impl {
  explicit Impl(const EngineOptions& o) : opts(o), caller_loops(loop_options(o)) {}
  // The loop each call made outside any fiber runs on.
  static disp::LoopOptions loop_options(const EngineOptions& o);

  EngineOptions opts;
  // Linear-memory reservations that instances give back when dropped and
  // later instances reuse (interp/memory_pool.h); shared by the threads
  // that use this engine.
  std::shared_ptr<MemoryPool> memory_pool = std::make_shared<MemoryPool>();
  // The loops that calls made outside any fiber run on, kept per calling
  // thread (runtime/caller_loops.h). Instances keep the engine alive, so
  // these outlive every instance that ran on them.
  mutable CallerLoops caller_loops;
};

struct Module::Impl {
  std::shared_ptr<const Engine::Impl> engine;
  std::shared_ptr<const wippy::Module> module;  // interp's decoded module
  std::shared_ptr<CompiledModule> code;         // shared by every instance
};

struct Component::Impl {
  std::shared_ptr<const Engine::Impl> engine;
  std::shared_ptr<const component::Component> component;
  std::shared_ptr<const hostfns::WasiHost> wasi;  // its WASI imports, defined once for every instance
};

struct CoreDef {
  CoreFuncType type;
  HostFunction fn;
};
struct WitDef {
  WitFuncType type;
  HostFunction fn;
};

struct Linker::Impl {
  std::shared_ptr<const Engine::Impl> engine;
  // Keyed by "module\0name" / "interface\0name".
  std::map<std::string, CoreDef> core;
  std::map<std::string, std::map<std::string, WitDef>> wit;  // interface -> function -> def
};

// What an InterruptHandle and the Instance's running call share.
struct InterruptHandle::State {
  std::atomic<bool> requested{false};
  std::mutex mu;              // guards loop and fiber
  disp::Loop* loop = nullptr; // the loop running the call in progress (made outside a fiber)
  disp::FiberHandle fiber;    // its fiber
};

// A live instance. Members are destroyed in reverse order: the component
// instance before the linker, the store and the WASI context it refers to.
struct Instance::Impl {
  std::shared_ptr<const Engine::Impl> engine;
  Limits limits;
  bool inherit_stdio = false;
  std::shared_ptr<const Module::Impl> module;        // core modules
  std::shared_ptr<const Component::Impl> component;  // components
  std::unique_ptr<hostfns::WasiCtx> wasi;            // components
  std::unique_ptr<Store> store;
  std::unique_ptr<component::Linker> linker;
  std::unique_ptr<component::ComponentInstance> comp;
  wippy::Instance* core = nullptr;
  // A host function in the store that runs `pending`: every call goes
  // through it under disp::call_in_fiber, so that the deadline, the time
  // slices and interrupt requests cover all the guest code the call runs.
  FuncInst* thunk = nullptr;
  std::function<Result<void>(Store&)> pending;
  std::shared_ptr<InterruptHandle::State> interrupt = std::make_shared<InterruptHandle::State>();

  // Runs `body` on a fiber with the instance's limits; errors classified
  // (Interrupted, Exit) as instance.h says.
  Result<void> guarded(const std::function<Result<void>(Store&)>& body);
};

// The Linker's definitions bound for one instance (api_linker.cpp): its
// interfaces offered on a component linker; a core module's imports as host
// functions created in `store` (Unlinkable for a missing or mistyped one).
void offer_interfaces(const Linker::Impl& linker, component::Linker& to);
Result<std::vector<Extern>> core_imports(const Linker::Impl& linker, Store& store, const wippy::Module& module);

// A core value as the Val kind the API shows it as (i32 -> S32, i64 ->
// S64, f32, f64), and back (api_linker.cpp).
component::Val core_to_val(ValType t, Value v);
Value val_to_core(ValType t, const component::Val& v);

// An export of an instance with its signature (api_instance.cpp).
struct ExportTarget {
  component::ComponentFuncRef comp;
  FuncInst* core = nullptr;
  std::optional<component::FuncSig> core_sig;
  const component::FuncSig& sig() const { return comp ? *comp->sig : *core_sig; }
};
Result<ExportTarget> find_export(Instance::Impl& im, std::string_view name);
Result<std::vector<component::Val>> call_export(Instance::Impl& im, const ExportTarget& t,
                                                std::span<const component::Val> args);

// What the C API reaches of an Instance.
struct InstanceAccess {
  static Instance::Impl& impl(Instance& i) { return *i.impl_; }
};

// Instantiation (api_instance.cpp), called by Linker::instantiate.
Result<Instance> instantiate_component(const Linker::Impl& linker, const Component& component,
                                       const InstanceOptions& opts);
Result<Instance> instantiate_module(const Linker::Impl& linker, const Module& module,
                                    const InstanceOptions& opts);

}  // namespace wippy::api
