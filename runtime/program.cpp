// program.cpp — load_program (see program.h): bytes, decoding, gating by
// profiles and method resolution.
#include "runtime/program.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "component/decode.h"
#include "component/load.h"
#include "component/names.h"
#include "component/validate.h"
#include "hostfns/wasi_preview1.h"
#include "interp/compile_module.h"
#include "interp/text/wat.h"
#include "runtime/component_cache.h"
#include "runtime/module_source.h"
#include "runtime/wit_signature.h"

namespace wippy {
namespace {

using component::Sort;

Error entry_error(const FunctionEntry& fn, const Error& e) {
  return make_error(e.kind, fmt::format("entry {}: {}", fn.id, e.message));
}

std::string_view without_version(std::string_view name) { return component::split_version(name).first; }

// "guests:c-exports/geometry@0.1.0" -> "geometry"
std::string_view interface_own_name(std::string_view full) {
  std::string_view base = without_version(full);
  auto slash = base.rfind('/');
  return slash == std::string_view::npos ? base : base.substr(slash + 1);
}

std::string export_list(const component::Component& c) {
  std::vector<std::string> names;
  for (const auto& e : c.exports)
    if (e.item.sort == Sort::Func || e.item.sort == Sort::Instance)
      names.push_back(e.item.sort == Sort::Instance ? e.name.name + "#..." : e.name.name);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

Result<void> resolve_component_method(Program& p) {
  const FunctionEntry& fn = *p.entry;
  const component::Component& c = *p.component;
  const std::string& method = fn.method;
  auto not_found = [&]() {
    return make_error(ErrorKind::Unlinkable,
                      fmt::format("entry {}: method {} is not exported by the component (exports: {})",
                                  fn.id, method, export_list(c)));
  };
  auto hash = method.find('#');
  if (hash == std::string::npos) {
    if (method == "run") {
      for (const auto& e : c.exports)
        if (e.item.sort == Sort::Instance && without_version(e.name.name) == "wasi:cli/run") {
          p.command = true;
          p.export_name = e.name.name + "#run";
          return {};
        }
    }
    for (const auto& e : c.exports)
      if (e.item.sort == Sort::Func && e.name.name == method) {
        p.export_name = method;
        return {};
      }
    return not_found();
  }
  std::string_view iface = std::string_view(method).substr(0, hash);
  std::string_view func = std::string_view(method).substr(hash + 1);
  const bool short_name = iface.find(':') == std::string_view::npos && iface.find('/') == std::string_view::npos;
  std::vector<const component::ComponentExport*> hits;
  for (const auto& e : c.exports) {
    if (e.item.sort != Sort::Instance) continue;
    const std::string& full = e.name.name;
    bool match = full == iface || without_version(full) == without_version(iface) ||
                 (short_name && interface_own_name(full) == iface);
    if (match) hits.push_back(&e);
  }
  if (hits.empty()) return not_found();
  if (hits.size() > 1) {
    std::vector<std::string> names;
    for (auto* h : hits) names.push_back(h->name.name);
    return make_error(ErrorKind::Invalid,
                      fmt::format("entry {}: method {} is ambiguous: it matches {} (write the full "
                                  "interface name)",
                                  fn.id, method, fmt::join(names, ", ")));
  }
  p.export_name = fmt::format("{}#{}", hits[0]->name.name, func);
  p.command = without_version(hits[0]->name.name) == "wasi:cli/run" && func == "run";
  return {};
}

// The hex digest of an entry's `hash: sha256:...` (its cache key).
std::string_view entry_digest(const FunctionEntry& fn) {
  return std::string_view(fn.hash).substr(std::min<size_t>(fn.hash.size(), 7));
}

Result<void> load_component(Program& p, SharedBytes bytes, const CodeCache* cache) {
  const FunctionEntry& fn = *p.entry;
  // Decoded and validated once; instances share it (component/load.h). The
  // bytes matched fn.hash already (read_module), so it keys the cache.
  auto loaded = load_component_cached(std::move(bytes), entry_digest(fn), fn.cache ? cache : nullptr);
  if (!loaded) return entry_error(fn, loaded.error());
  // Capability gating: every import must belong to a granted profile.
  // (A type import with an `eq` bound, e.g. a record defined at world
  // level, only names a type: it grants nothing and needs no grant.)
  for (const auto& imp : (*loaded)->imports) {
    if (imp.desc.sort == Sort::Type && !imp.desc.bound.sub_resource) continue;
    if (auto g = hostfns::check_import_granted(fn.imports, fn.id, imp.name.name); !g) return g.error();
  }
  p.component = std::move(*loaded);
  p.is_component = true;
  p.wasi_host = std::make_shared<const hostfns::WasiHost>(hostfns::WasiPackages::for_imports(*p.component));
  return resolve_component_method(p);
}

Result<void> load_core(Program& p, SharedBytes bytes) {
  const FunctionEntry& fn = *p.entry;
  auto compiled = compile_module(std::move(bytes));
  if (!compiled) return entry_error(fn, compiled.error());
  const Module& m = **compiled;
  if (hostfns::imports_preview1(m)) {
    // wasi_snapshot_preview1 needs the wasi1 grant, and every import must
    // be one of its functions with the right signature.
    if (!fn.imports.has(hostfns::Profile::Wasi1))
      return make_error(ErrorKind::Unlinkable,
                        fmt::format("core module imports {}, which entry {} does not grant (add {} to imports)",
                                    hostfns::kPreview1Module, fn.id, hostfns::profile_name(hostfns::Profile::Wasi1)));
    if (auto c = hostfns::check_preview1_imports(m); !c) return entry_error(fn, c.error());
    p.preview1 = true;
    p.command = fn.method == "_start";
  } else if (!m.imports.empty()) {
    const Import& imp = m.imports.front();
    return make_error(ErrorKind::Unlinkable,
                      fmt::format("entry {}: core module imports {}.{}, which no host provides to core "
                                  "modules (use a component for WASI, or wasi_snapshot_preview1 with "
                                  "the wasi1 grant)",
                                  fn.id, imp.module, imp.name));
  }
  const Export* ex = nullptr;
  for (const Export& e : m.exports)
    if (e.name == fn.method && e.kind == ExternKind::Func) ex = &e;
  if (!ex) {
    std::vector<std::string> funcs;
    for (const Export& e : m.exports)
      if (e.kind == ExternKind::Func) funcs.push_back(e.name);
    return make_error(ErrorKind::Unlinkable,
                      fmt::format("entry {}: method {} is not a function exported by the module "
                                  "(exports: {})",
                                  fn.id, fn.method, funcs.empty() ? "none" : fmt::format("{}", fmt::join(funcs, ", "))));
  }
  auto sig = signature_for_core(fn.wit, m.func_type(ex->index));
  if (!sig) return entry_error(fn, sig.error());
  p.core_sig = std::move(*sig);
  p.module = std::move(*compiled);
  p.code = prepare_code(p.module);
  return {};
}

// wasi.tcp_listen preopens sockets for preview1's sock_accept; a component
// opens its own through wasi:sockets.
Result<std::shared_ptr<const Program>> finish(std::shared_ptr<Program> p) {
  const FunctionEntry& fn = *p->entry;
  if (!fn.wasi.tcp_listen.empty() && !p->preview1)
    return make_error(ErrorKind::Invalid,
                      fmt::format("entry {}: wasi tcp_listen ({}) is for preview1 modules (importing {} under "
                                  "the {} grant); {}",
                                  fn.id, fn.wasi.tcp_listen.front().loc.str(), hostfns::kPreview1Module,
                                  hostfns::profile_name(hostfns::Profile::Wasi1),
                                  p->is_component ? "a component listens with wasi:sockets"
                                                  : "this core module imports no WASI"));
  return std::shared_ptr<const Program>(std::move(p));
}

}  // namespace

void save_program_code(const Program& p, const CodeCache* cache) {
  if (p.is_component && p.component && p.entry->cache) save_component_code(*p.component, entry_digest(*p.entry), cache);
}

Result<std::shared_ptr<const Program>> load_program(const Registry& reg, const FunctionEntry& fn,
                                                    const CodeCache* cache) {
  auto p = std::make_shared<Program>();
  p->entry = &fn;
  if (fn.kind == FunctionKind::Wat) {
    auto bin = wat_to_wasm(fn.wat_source);
    if (!bin) {
      std::string where = fn.wat_file ? fn.wat_file->string() : std::string("source");
      return make_error(bin.error().kind,
                        fmt::format("entry {}: {}: {}", fn.id, where, bin.error().message));
    }
    if (auto r = load_core(*p, SharedBytes::take(std::move(*bin))); !r) return r.error();
    return finish(std::move(p));
  }
  auto bytes = read_module(reg, fn);  // hash checked before anything decodes them
  if (!bytes) return bytes.error();
  Result<void> r = component::is_component_binary(*bytes) ? load_component(*p, std::move(*bytes), cache)
                                                          : load_core(*p, std::move(*bytes));
  if (!r) return r.error();
  return finish(std::move(p));
}

}  // namespace wippy
