// api_linker.cpp — Linker of the embedding API (include/wippy/linker.h):
// definitions, their signature checks, and the adapters that turn a
// HostFunction into a core host function or a component host function.
#include <fmt/format.h>

#include <exception>

#include "component/rtype.h"
#include "runtime/api_impl.h"
#include "runtime/no_throw.h"

namespace wippy::api {
namespace {

using component::Val;
using component::ValKind;

ValType core_valtype(CoreType t) {
  switch (t) {
    case CoreType::I64: return ValType::I64;
    case CoreType::F32: return ValType::F32;
    case CoreType::F64: return ValType::F64;
    case CoreType::I32: break;
  }
  return ValType::I32;
}

FuncType core_functype(const CoreFuncType& t) {
  FuncType out;
  for (CoreType p : t.params) out.params.push_back(core_valtype(p));
  for (CoreType r : t.results) out.results.push_back(core_valtype(r));
  return out;
}

// The Val kind a core value is seen as, and the conversions both ways.
ValKind core_kind(ValType t) {
  switch (t) {
    case ValType::I64: return ValKind::S64;
    case ValType::F32: return ValKind::F32;
    case ValType::F64: return ValKind::F64;
    default: return ValKind::S32;
  }
}

// Calls a HostFunction: exceptions become a Trap naming the function.
Result<std::vector<Val>> call_host(const HostFunction& fn, const std::string& name, std::span<const Val> args) {
  try {
    return fn(args);
  } catch (const std::exception& e) {
    return make_error(ErrorKind::Trap, fmt::format("host function {} threw: {}", name, e.what()));
  } catch (...) {
    return make_error(ErrorKind::Trap, fmt::format("host function {} threw", name));
  }
}

HostFunc core_adapter(std::string name, FuncType type, HostFunction fn) {
  return [name = std::move(name), type = std::move(type), fn = std::move(fn)](
             HostContext&, std::span<const Value> args, std::span<Value> results) -> Result<void> {
    std::vector<Val> in;
    in.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) in.push_back(core_to_val(type.params[i], args[i]));
    auto out = call_host(fn, name, in);
    if (!out) return out.error();
    if (out->size() != type.results.size())
      return make_error(ErrorKind::Trap, fmt::format("host function {} returned {} values, its type has {}", name,
                                                     out->size(), type.results.size()));
    for (size_t i = 0; i < results.size(); ++i) {
      if ((*out)[i].kind != core_kind(type.results[i]))
        return make_error(ErrorKind::Trap, fmt::format("host function {} result {}: expected {}", name, i,
                                                       valtype_name(type.results[i])));
      results[i] = val_to_core(type.results[i], (*out)[i]);
    }
    return {};
  };
}

// The link-time check of a component import against a WitFuncType.
component::HostSigCheck wit_check(std::string name, WitFuncType want) {
  return [name = std::move(name), want = std::move(want)](const component::FuncSig& sig) -> Result<void> {
    auto bad = [&](std::string what) {
      return make_error(ErrorKind::Unlinkable, fmt::format("host function {}: {}", name, what));
    };
    if (sig.params.size() != want.params.size())
      return bad(fmt::format("the component declares {} parameters, the host {}", sig.params.size(),
                             want.params.size()));
    for (size_t i = 0; i < sig.params.size(); ++i)
      if (sig.params[i]->kind != want.params[i])
        return bad(fmt::format("parameter {} is {} in the component, {} in the host", i + 1,
                               component::val_kind_name(sig.params[i]->kind), component::val_kind_name(want.params[i])));
    if (sig.result.has_value() != want.result.has_value())
      return bad(sig.result ? "the component expects a result, the host returns none"
                            : "the host returns a result, the component expects none");
    if (sig.result && (*sig.result)->kind != *want.result)
      return bad(fmt::format("the result is {} in the component, {} in the host", component::val_kind_name((*sig.result)->kind),
                             component::val_kind_name(*want.result)));
    return {};
  };
}

std::string core_key(const std::string& module, const std::string& name) { return module + '\0' + name; }

}  // namespace

Val core_to_val(ValType t, Value v) {
  switch (t) {
    case ValType::I64: return Val::s64(int64_t(v.i64));
    case ValType::F32: return Val::f32v(v.f32);
    case ValType::F64: return Val::f64v(v.f64);
    default: return Val::s32(int32_t(v.i32));
  }
}

Value val_to_core(ValType t, const Val& v) {
  switch (t) {
    case ValType::I64: return val_i64(v.u);
    case ValType::F32: return val_f32(v.f32);
    case ValType::F64: return val_f64(v.f64);
    default: return val_i32(uint32_t(v.u));
  }
}

Linker::Linker(const Engine& engine) : impl_(std::make_unique<Impl>()) { impl_->engine = engine.impl_; }
Linker::~Linker() = default;
Linker::Linker(const Linker& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
Linker::Linker(Linker&&) noexcept = default;
Linker& Linker::operator=(Linker&&) noexcept = default;

Linker& Linker::define_core_func(std::string module, std::string name, CoreFuncType type, HostFunction fn) {
  impl_->core.insert_or_assign(core_key(module, name), CoreDef{std::move(type), std::move(fn)});
  return *this;
}

Linker& Linker::define_func(std::string interface, std::string name, WitFuncType type, HostFunction fn) {
  impl_->wit[std::move(interface)].insert_or_assign(std::move(name), WitDef{std::move(type), std::move(fn)});
  return *this;
}

Result<Instance> Linker::instantiate(const Component& component, const InstanceOptions& opts) const {
  return no_throw([&] { return instantiate_component(*impl_, component, opts); }, "while instantiating");
}

Result<Instance> Linker::instantiate(const Module& module, const InstanceOptions& opts) const {
  return no_throw([&] { return instantiate_module(*impl_, module, opts); }, "while instantiating");
}

void offer_interfaces(const Linker::Impl& linker, component::Linker& to) {
  for (const auto& [iface, funcs] : linker.wit) {
    component::HostInstance& hi = to.instance(iface);
    for (const auto& [name, def] : funcs) {
      std::string full = iface + "#" + name;
      hi.func(
          name,
          [full, fn = def.fn](Store&, std::span<const Val> args) { return call_host(fn, full, args); },
          wit_check(full, def.type));
    }
  }
}

Result<std::vector<Extern>> core_imports(const Linker::Impl& linker, Store& store, const wippy::Module& module) {
  std::vector<Extern> out;
  for (const Import& imp : module.imports) {
    const std::string name = imp.module + "." + imp.name;
    auto it = linker.core.find(core_key(imp.module, imp.name));
    if (imp.kind != ExternKind::Func || it == linker.core.end())
      return make_error(ErrorKind::Unlinkable, fmt::format("unknown import {} (the Linker defines no such function)", name));
    const FuncType& want = module.types[imp.func_type];
    FuncType have = core_functype(it->second.type);
    if (!(have == want))
      return make_error(ErrorKind::Unlinkable, fmt::format("import {}: the module wants {}, the Linker defines {}", name,
                                                           functype_to_string(want), functype_to_string(have)));
    FuncInst* f = store.create_host_func(have, core_adapter(name, have, it->second.fn));
    out.push_back(Extern{ExternKind::Func, f});
  }
  return out;
}

}  // namespace wippy::api
