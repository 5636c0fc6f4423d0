// wippy/linker.h — what the host offers to the modules and components it
// instantiates: core host functions ("env"."log") and component host
// interfaces ("my:app/host" with function "greet"), on top of the WASI 0.2
// host every component instance gets (configured per instance by
// WasiConfig, wippy/instance.h).
//
//   wippy::api::Linker linker(engine);
//   using wippy::component::Val, wippy::component::ValKind;
//   linker.define_func("my:app/host", "greet", {{ValKind::String}, ValKind::String},
//       [](std::span<const Val> args) -> wippy::Result<std::vector<Val>> {
//         return std::vector<Val>{Val::string("hi, " + args[0].str)};
//       });
//   auto inst = linker.instantiate(component, {});
//
// Contract:
//  * Host functions take and return component::Val (wippy/component/val.h).
//    Core functions see i32/i64/f32/f64 as Val kinds S32/S64/F32/F64 and
//    must return values of the declared CoreTypes; component functions see
//    the values of the types the component declares.
//  * Signature checks at instantiation: a core import must have exactly the
//    declared CoreFuncType; a component import's declared parameter count
//    and kinds, and its result's presence and kind, must match the
//    WitFuncType (kinds only: a record is checked to be a record). A
//    mismatch, or an import nothing offers, fails instantiate() with
//    ErrorKind::Unlinkable naming the import.
//  * Interface names match as the component model does: exactly, or with a
//    semver-compatible version ("my:app/host@0.1.2" serves imports of
//    "my:app/host@0.1.0").
//  * A host function returning an error ends the guest call with it (use
//    ErrorKind::Trap); a returned value of the wrong kind ends it with a
//    Trap naming the function. Exceptions thrown by a host function are
//    caught and become such a Trap; none leaves the API.
//  * Core modules get only the functions defined here (no WASI preview1).
// Threads: a Linker is a value (copies are independent). Defining is not
// thread-safe; a Linker no one modifies may instantiate from several
// threads at once. Host functions are called on the thread running the
// Instance's call, so one function shared by Instances on different threads
// must be thread-safe itself.
#pragma once
#include "require_cxx20.h"  // first: a clear error before any C++20 code

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "component/val.h"
#include "wippy/engine.h"

namespace wippy::api {

class Instance;
struct InstanceOptions;

// A host function: arguments in, results (zero or one for components) out.
using HostFunction = std::function<Result<std::vector<component::Val>>(std::span<const component::Val> args)>;

// Threads: plain values.
enum class CoreType : uint8_t { I32, I64, F32, F64 };
struct CoreFuncType {
  std::vector<CoreType> params;
  std::vector<CoreType> results;
};
struct WitFuncType {
  std::vector<component::ValKind> params;
  std::optional<component::ValKind> result;  // none: the function returns nothing
};

class Linker {
 public:
  explicit Linker(const Engine& engine);
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);
  Linker(Linker&&) noexcept;
  Linker& operator=(Linker&&) noexcept;

  // A core import `module`.`name` (e.g. "env", "log"). A later definition
  // of the same name replaces the earlier one.
  Linker& define_core_func(std::string module, std::string name, CoreFuncType type, HostFunction fn);
  // Function `name` of component host interface `interface` ("my:app/host").
  Linker& define_func(std::string interface, std::string name, WitFuncType type, HostFunction fn);

  // A new Instance (wippy/instance.h). Components are linked against the
  // WASI host configured by opts.wasi and this Linker's interfaces.
  Result<Instance> instantiate(const Component& component, const InstanceOptions& opts) const;
  Result<Instance> instantiate(const Module& module, const InstanceOptions& opts) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy::api
