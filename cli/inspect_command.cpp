// inspect_command.cpp — WIT-like listing of a component's imports and
// exports, and of a core module's.
#include "cli/inspect_command.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <variant>
#include <vector>

#include "cli/args.h"
#include "cli/report.h"
#include "component/decode.h"
#include "component/validate.h"
#include "runtime/input_file.h"

namespace wippy::cli {

namespace {

namespace wc = wippy::component;

constexpr const char* kUnknown = "/* unknown */";

struct Space;

// One entry of a type index space, as far as it can be known statically.
struct TEntry {
  const wc::TypeDef* def = nullptr;  // nullptr: unknown, or an abstract resource
  const Space* space = nullptr;      // where def's type indices point
  std::string name;                  // the name it was imported/exported under
  std::string alias_of;              // `(eq i)` of a type that had this other name
  bool resource = false;             // (sub resource), or a defined resource
};

// A type index space (a component's, or an instance/component type's), with
// the names its declarations export.
struct Space {
  const Space* parent = nullptr;
  std::vector<TEntry> types;
  std::map<std::string, uint32_t> exported_types;  // name -> type index
  std::map<std::string, uint32_t> exported_funcs;  // name -> func type index
};

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

class Printer {
 public:
  explicit Printer(const wc::Component& c) : c_(c) { build_root(); }

  std::vector<std::string> world() {
    std::vector<std::string> out;
    for (const auto& imp : c_.imports) extern_lines(out, "import", imp.name.name, imp.desc);
    for (const auto& exp : c_.exports) {
      if (exp.desc) extern_lines(out, "export", exp.name.name, *exp.desc);
      else item_lines(out, exp.name.name, exp.item);
    }
    return out;
  }

 private:
  // ---- type spaces ----

  static TEntry copy_named(const TEntry* from, const std::string& name) {
    TEntry e = from ? *from : TEntry{};
    if (!e.name.empty() && e.name != name) e.alias_of = e.name;
    else if (e.name == name && !name.empty()) e.alias_of = name;
    e.name = name;
    return e;
  }

  static const TEntry* at(const Space* s, uint32_t i) {
    return s && i < s->types.size() ? &s->types[i] : nullptr;
  }

  static TEntry bound_entry(const Space& s, const wc::ExternDesc& d, const std::string& name) {
    if (d.bound.sub_resource) {
      TEntry e;
      e.name = name;
      e.resource = true;
      return e;
    }
    return copy_named(at(&s, d.bound.index), name);
  }

  const Space* build_decls(const std::vector<wc::Decl>& decls, const Space* parent) {
    auto sp = std::make_unique<Space>();
    sp->parent = parent;
    Space& s = *sp;
    for (const auto& d : decls) {
      switch (d.kind) {
        case wc::Decl::Kind::Type: s.types.push_back({&d.type[0], &s, "", "", is_resource(d.type[0])}); break;
        case wc::Decl::Kind::Alias:
          if (d.alias.sort != wc::Sort::Type) break;
          if (d.alias.kind == wc::Alias::Kind::Outer) {
            const Space* up = &s;
            for (uint32_t k = 0; up && k < d.alias.outer_count; ++k) up = up->parent;
            const TEntry* e = at(up, d.alias.outer_index);
            s.types.push_back(e ? *e : TEntry{});
          } else {
            s.types.push_back({});
          }
          break;
        case wc::Decl::Kind::Import:
        case wc::Decl::Kind::Export:
          if (d.desc.sort == wc::Sort::Type) {
            s.types.push_back(bound_entry(s, d.desc, d.name.name));
            if (d.kind == wc::Decl::Kind::Export) s.exported_types[d.name.name] = uint32_t(s.types.size() - 1);
          } else if (d.desc.sort == wc::Sort::Func && d.kind == wc::Decl::Kind::Export) {
            s.exported_funcs[d.name.name] = d.desc.index;
          }
          break;
        case wc::Decl::Kind::CoreType: break;
      }
    }
    spaces_.push_back(std::move(sp));
    return spaces_.back().get();
  }

  static bool is_resource(const wc::TypeDef& t) { return std::holds_alternative<wc::ResourceType>(t); }

  // The space of the instance at `index` in the root's instance space, when
  // it is an imported instance (its declared instance type).
  const Space* instance_space(uint32_t index) {
    if (auto it = instance_spaces_.find(index); it != instance_spaces_.end()) return it->second;
    const Space* out = nullptr;
    const auto& space = c_.space(wc::Sort::Instance);
    if (index < space.size() && space[index].origin == wc::Origin::Import) {
      const auto& desc = c_.imports[space[index].item].desc;
      if (auto* it = instance_type(root_, desc.index)) out = it;
    }
    instance_spaces_[index] = out;
    return out;
  }

  // The built space of the instance type at type index `ti` of `s`.
  const Space* instance_type(const Space* s, uint32_t ti) {
    const TEntry* e = at(s, ti);
    if (!e || !e->def) return nullptr;
    auto* it = std::get_if<wc::InstanceType>(e->def);
    if (!it) return nullptr;
    auto key = std::make_pair(static_cast<const void*>(it), static_cast<const void*>(e->space));
    if (auto f = built_.find(key); f != built_.end()) return f->second;
    const Space* sp = build_decls(it->decls, e->space);
    built_[key] = sp;
    return sp;
  }

  void build_root() {
    auto sp = std::make_unique<Space>();
    root_ = sp.get();
    spaces_.push_back(std::move(sp));
    Space& s = *root_;
    for (const auto& ie : c_.space(wc::Sort::Type)) {
      TEntry e;
      switch (ie.origin) {
        case wc::Origin::Type: e = {&c_.types[ie.item], &s, "", "", is_resource(c_.types[ie.item])}; break;
        case wc::Origin::Import: e = bound_entry(s, c_.imports[ie.item].desc, c_.imports[ie.item].name.name); break;
        case wc::Origin::Export: {
          const auto& ex = c_.exports[ie.item];
          e = copy_named(at(&s, ex.item.index), ex.name.name);
          break;
        }
        case wc::Origin::Alias: {
          const auto& a = c_.aliases[ie.item];
          if (a.kind == wc::Alias::Kind::Export) {
            const Space* is = instance_space(a.instance);
            if (is) {
              auto f = is->exported_types.find(a.name);
              if (f != is->exported_types.end()) e = *at(is, f->second);
            }
          }
          break;
        }
        default: break;
      }
      s.types.push_back(std::move(e));
    }
  }

  // The signature of root function `index`: its space and type.
  std::pair<const Space*, const wc::FuncType*> func_sig(uint32_t index) {
    const auto& space = c_.space(wc::Sort::Func);
    if (index >= space.size()) return {nullptr, nullptr};
    const auto& ie = space[index];
    const Space* s = root_;
    uint32_t ti = 0;
    if (ie.origin == wc::Origin::Canon && c_.canons[ie.item].kind == wc::Canon::Kind::Lift) {
      ti = c_.canons[ie.item].type;
    } else if (ie.origin == wc::Origin::Import) {
      ti = c_.imports[ie.item].desc.index;
    } else if (ie.origin == wc::Origin::Alias && c_.aliases[ie.item].kind == wc::Alias::Kind::Export) {
      const auto& a = c_.aliases[ie.item];
      s = instance_space(a.instance);
      if (!s) return {nullptr, nullptr};
      auto f = s->exported_funcs.find(a.name);
      if (f == s->exported_funcs.end()) return {nullptr, nullptr};
      ti = f->second;
    } else {
      return {nullptr, nullptr};
    }
    const TEntry* e = at(s, ti);
    if (!e || !e->def) return {nullptr, nullptr};
    return {e->space, std::get_if<wc::FuncType>(e->def)};
  }

  // ---- rendering ----

  std::string val(const Space* s, const wc::ValType& t) {
    if (t.is_prim) return wc::prim_name(t.prim);
    const TEntry* e = at(s, t.index);
    if (!e) return kUnknown;
    if (!e->name.empty()) return e->name;
    return structural(*e);
  }

  std::string opt_val(const Space* s, const std::optional<wc::ValType>& t) { return t ? val(s, *t) : "_"; }

  std::string resource_name(const Space* s, uint32_t index) {
    const TEntry* e = at(s, index);
    return e && !e->name.empty() ? e->name : "/* resource */";
  }

  std::string structural(const TEntry& e) {
    if (!e.def) return e.resource ? "/* resource */" : kUnknown;
    const Space* s = e.space;
    return std::visit(
        Overload{
            [&](wc::PrimValType p) -> std::string { return wc::prim_name(p); },
            [&](const wc::RecordType& r) -> std::string {
              std::vector<std::string> f;
              for (const auto& x : r.fields) f.push_back(x.name + ": " + val(s, x.type));
              return "record { " + join(f, ", ") + " }";
            },
            [&](const wc::VariantType& v) -> std::string {
              std::vector<std::string> f;
              for (const auto& x : v.cases) f.push_back(x.type ? x.name + "(" + val(s, *x.type) + ")" : x.name);
              return "variant { " + join(f, ", ") + " }";
            },
            [&](const wc::ListType& l) -> std::string {
              return "list<" + val(s, l.elem) + (l.length ? ", " + std::to_string(*l.length) : "") + ">";
            },
            [&](const wc::MapType& m) -> std::string { return "map<" + val(s, m.key) + ", " + val(s, m.value) + ">"; },
            [&](const wc::TupleType& t) -> std::string {
              std::vector<std::string> f;
              for (const auto& x : t.elems) f.push_back(val(s, x));
              return "tuple<" + join(f, ", ") + ">";
            },
            [&](const wc::FlagsType& f) -> std::string { return "flags { " + join(f.names, ", ") + " }"; },
            [&](const wc::EnumType& f) -> std::string { return "enum { " + join(f.names, ", ") + " }"; },
            [&](const wc::OptionType& o) -> std::string { return "option<" + val(s, o.elem) + ">"; },
            [&](const wc::ResultType& r) -> std::string {
              if (!r.ok && !r.err) return "result";
              if (!r.err) return "result<" + val(s, *r.ok) + ">";
              return "result<" + opt_val(s, r.ok) + ", " + val(s, *r.err) + ">";
            },
            [&](const wc::OwnType& o) -> std::string { return resource_name(s, o.resource); },
            [&](const wc::BorrowType& b) -> std::string { return "borrow<" + resource_name(s, b.resource) + ">"; },
            [&](const wc::FuncType& f) -> std::string { return func(s, f); },
            [&](const wc::ComponentType&) -> std::string { return "component"; },
            [&](const wc::InstanceType&) -> std::string { return "interface"; },
            [&](const wc::ResourceType&) -> std::string { return "/* resource */"; },
        },
        *e.def);
  }

  std::string func(const Space* s, const wc::FuncType& f) {
    std::vector<std::string> ps;
    for (const auto& p : f.params) ps.push_back(p.name + ": " + val(s, p.type));
    std::string out = "func(" + join(ps, ", ") + ")";
    if (f.result) out += " -> " + val(s, *f.result);
    return out;
  }

  // `resource r;`, `record r { ... }`, `type r = ...;` for a named type.
  std::string type_def(const std::string& name, const TEntry& e) {
    if (e.resource) return "resource " + name + ";";
    if (!e.alias_of.empty())
      return e.alias_of == name ? "use " + name + ";" : "type " + name + " = " + e.alias_of + ";";
    if (!e.def) return "type " + name + ";  " + kUnknown;
    const Space* s = e.space;
    if (auto* r = std::get_if<wc::RecordType>(e.def)) {
      std::vector<std::string> f;
      for (const auto& x : r->fields) f.push_back(x.name + ": " + val(s, x.type));
      return "record " + name + " { " + join(f, ", ") + " }";
    }
    if (auto* v = std::get_if<wc::VariantType>(e.def)) {
      std::vector<std::string> f;
      for (const auto& x : v->cases) f.push_back(x.type ? x.name + "(" + val(s, *x.type) + ")" : x.name);
      return "variant " + name + " { " + join(f, ", ") + " }";
    }
    if (auto* en = std::get_if<wc::EnumType>(e.def)) return "enum " + name + " { " + join(en->names, ", ") + " }";
    if (auto* fl = std::get_if<wc::FlagsType>(e.def)) return "flags " + name + " { " + join(fl->names, ", ") + " }";
    return "type " + name + " = " + structural(e) + ";";
  }

  // The body of an instance type: its type exports and function exports.
  void interface_body(std::vector<std::string>& out, const Space* s, const wc::InstanceType& it) {
    uint32_t next_type = 0;
    for (const auto& d : it.decls) {
      bool adds_type = (d.kind == wc::Decl::Kind::Type) ||
                       (d.kind == wc::Decl::Kind::Alias && d.alias.sort == wc::Sort::Type) ||
                       ((d.kind == wc::Decl::Kind::Import || d.kind == wc::Decl::Kind::Export) &&
                        d.desc.sort == wc::Sort::Type);
      uint32_t ti = next_type;
      if (adds_type) ++next_type;
      if (d.kind != wc::Decl::Kind::Export) continue;
      if (d.desc.sort == wc::Sort::Type) {
        out.push_back("    " + type_def(d.name.name, *at(s, ti)));
      } else if (d.desc.sort == wc::Sort::Func) {
        const TEntry* e = at(s, d.desc.index);
        const wc::FuncType* f = e && e->def ? std::get_if<wc::FuncType>(e->def) : nullptr;
        out.push_back("    " + d.name.name + ": " + (f ? func(e->space, *f) : std::string(kUnknown)) + ";");
      } else {
        out.push_back(fmt::format("    {}: {};", d.name.name, wc::sort_name(d.desc.sort)));
      }
    }
  }

  void interface_lines(std::vector<std::string>& out, const std::string& head, const Space* body,
                       const wc::InstanceType* it) {
    if (!it || !body) {
      out.push_back(head + ": interface { " + kUnknown + " }");
      return;
    }
    out.push_back(head + ": interface {");
    interface_body(out, body, *it);
    out.push_back("  }");
  }

  void extern_lines(std::vector<std::string>& out, const char* dir, const std::string& name,
                    const wc::ExternDesc& d) {
    std::string head = fmt::format("  {} {}", dir, name);
    switch (d.sort) {
      case wc::Sort::Func: {
        const TEntry* e = at(root_, d.index);
        const wc::FuncType* f = e && e->def ? std::get_if<wc::FuncType>(e->def) : nullptr;
        out.push_back(head + ": " + (f ? func(e->space, *f) : std::string(kUnknown)) + ";");
        return;
      }
      case wc::Sort::Instance: {
        const TEntry* e = at(root_, d.index);
        const wc::InstanceType* it = e && e->def ? std::get_if<wc::InstanceType>(e->def) : nullptr;
        interface_lines(out, head, instance_type(root_, d.index), it);
        return;
      }
      case wc::Sort::Type:
        out.push_back(fmt::format("  {} {}", dir, type_def(name, bound_entry(*root_, d, name))));
        return;
      case wc::Sort::CoreModule: out.push_back(head + ": core module;"); return;
      case wc::Sort::Component: out.push_back(head + ": component;"); return;
      case wc::Sort::Value: out.push_back(head + ": value;"); return;
      default: out.push_back(fmt::format("{}: {};", head, wc::sort_name(d.sort))); return;
    }
  }

  // An export without an ascribed type: described by what it exports.
  void item_lines(std::vector<std::string>& out, const std::string& name, const wc::SortIdx& item) {
    std::string head = "  export " + name;
    switch (item.sort) {
      case wc::Sort::Func: {
        auto [s, f] = func_sig(item.index);
        out.push_back(head + ": " + (f ? func(s, *f) : std::string(kUnknown)) + ";");
        return;
      }
      case wc::Sort::Instance: {
        const auto& space = c_.space(wc::Sort::Instance);
        if (item.index >= space.size()) break;
        const auto& ie = space[item.index];
        if (ie.origin == wc::Origin::Import) {
          extern_lines(out, "export", name, c_.imports[ie.item].desc);
          return;
        }
        if (ie.origin == wc::Origin::Instance && !c_.instances[ie.item].instantiate) {
          out.push_back(head + ": interface {");
          for (const auto& ex : c_.instances[ie.item].exports) {
            if (ex.item.sort == wc::Sort::Func) {
              auto [s, f] = func_sig(ex.item.index);
              out.push_back("    " + ex.name.name + ": " + (f ? func(s, *f) : std::string(kUnknown)) + ";");
            } else if (ex.item.sort == wc::Sort::Type) {
              const TEntry* e = at(root_, ex.item.index);
              out.push_back("    " + type_def(ex.name.name, copy_named(e, ex.name.name)));
            } else {
              out.push_back(fmt::format("    {}: {};", ex.name.name, wc::sort_name(ex.item.sort)));
            }
          }
          out.push_back("  }");
          return;
        }
        if (ie.origin == wc::Origin::Instance) {
          if (const wc::Component* nested = nested_component(c_.instances[ie.item].component)) {
            // (instance (instantiate C ...)): what C exports, in C's own
            // type space (its type exports name the types).
            Printer inner(*nested);
            out.push_back(head + ": interface {");
            inner.export_members(out);
            out.push_back("  }");
            return;
          }
        }
        break;
      }
      case wc::Sort::Type: {
        const TEntry* e = at(root_, item.index);
        out.push_back("  export " + type_def(name, copy_named(e, name)));
        return;
      }
      default:
        out.push_back(fmt::format("{}: {};", head, wc::sort_name(item.sort)));
        return;
    }
    out.push_back(fmt::format("{}: {} {};", head, wc::sort_name(item.sort), kUnknown));
  }

  // The component defined at index `ci` of the component space (nullptr
  // for an imported or aliased one: no definition to read).
  const wc::Component* nested_component(uint32_t ci) const {
    const auto& space = c_.space(wc::Sort::Component);
    if (ci >= space.size() || space[ci].origin != wc::Origin::Component) return nullptr;
    return space[ci].item < c_.components.size() ? c_.components[space[ci].item].get() : nullptr;
  }

  // This component's exports as the members of an interface: functions
  // with their signatures, types by their definitions, the rest by sort.
  void export_members(std::vector<std::string>& out) {
    for (const auto& exp : c_.exports) {
      const std::string& name = exp.name.name;
      const wc::Sort sort = exp.desc ? exp.desc->sort : exp.item.sort;
      if (sort == wc::Sort::Func) {
        const wc::FuncType* f = nullptr;
        const Space* s = nullptr;
        if (exp.desc) {
          const TEntry* e = at(root_, exp.desc->index);
          f = e && e->def ? std::get_if<wc::FuncType>(e->def) : nullptr;
          s = e ? e->space : nullptr;
        } else {
          std::tie(s, f) = func_sig(exp.item.index);
        }
        out.push_back("    " + name + ": " + (f ? func(s, *f) : std::string(kUnknown)) + ";");
      } else if (sort == wc::Sort::Type) {
        TEntry e = exp.desc ? bound_entry(*root_, *exp.desc, name) : copy_named(at(root_, exp.item.index), name);
        out.push_back("    " + type_def(name, e));
      } else {
        out.push_back(fmt::format("    {}: {};", name, wc::sort_name(sort)));
      }
    }
  }

  const wc::Component& c_;
  std::vector<std::unique_ptr<Space>> spaces_;
  Space* root_ = nullptr;
  std::map<uint32_t, const Space*> instance_spaces_;
  std::map<std::pair<const void*, const void*>, const Space*> built_;
};

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string limits_text(const Limits& l) {
  return l.has_max ? fmt::format("{}..{}", l.min, l.max) : fmt::format("{}", l.min);
}

std::string core_import_type(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func:
      return "func " + (imp.func_type < m.types.size() ? functype_to_string(m.types[imp.func_type]) : "?");
    case ExternKind::Table: return fmt::format("table {} {}", valtype_name(imp.table.elem), limits_text(imp.table.limits));
    case ExternKind::Memory: return "memory " + limits_text(imp.memory.limits);
    case ExternKind::Global:
      return fmt::format("global {}{}", imp.global.mut ? "mut " : "", valtype_name(imp.global.type));
    case ExternKind::Tag:
      return "tag " + (imp.func_type < m.types.size() ? functype_to_string(m.types[imp.func_type]) : "?");
  }
  return "?";
}

void print_module(const Module& m) {
  // The index spaces: imports first, then definitions.
  std::vector<const FuncType*> funcs;
  std::vector<std::string> tables, memories, globals, tags;
  for (const auto& imp : m.imports) {
    std::string t = core_import_type(m, imp);
    switch (imp.kind) {
      case ExternKind::Func:
        funcs.push_back(imp.func_type < m.types.size() ? &m.types[imp.func_type] : nullptr);
        break;
      case ExternKind::Table: tables.push_back(t); break;
      case ExternKind::Memory: memories.push_back(t); break;
      case ExternKind::Global: globals.push_back(t); break;
      case ExternKind::Tag: tags.push_back(t); break;
    }
  }
  for (uint32_t ti : m.tags) tags.push_back("tag " + (ti < m.types.size() ? functype_to_string(m.types[ti]) : "?"));
  for (uint32_t ti : m.funcs) funcs.push_back(ti < m.types.size() ? &m.types[ti] : nullptr);
  for (const auto& t : m.tables) tables.push_back(fmt::format("table {} {}", valtype_name(t.elem), limits_text(t.limits)));
  for (const auto& mem : m.memories) memories.push_back("memory " + limits_text(mem.limits));
  for (const auto& g : m.globals)
    globals.push_back(fmt::format("global {}{}", g.type.mut ? "mut " : "", valtype_name(g.type.type)));

  fmt::print("core module: {} imports, {} exports\n", m.imports.size(), m.exports.size());
  for (const auto& imp : m.imports) fmt::print("  import \"{}\" \"{}\": {}\n", imp.module, imp.name, core_import_type(m, imp));
  for (const auto& ex : m.exports) {
    std::string t = "?";
    auto pick = [&](const std::vector<std::string>& v) { return ex.index < v.size() ? v[ex.index] : std::string("?"); };
    switch (ex.kind) {
      case ExternKind::Func:
        if (ex.index < funcs.size() && funcs[ex.index]) t = "func " + functype_to_string(*funcs[ex.index]);
        break;
      case ExternKind::Table: t = pick(tables); break;
      case ExternKind::Memory: t = pick(memories); break;
      case ExternKind::Global: t = pick(globals); break;
      case ExternKind::Tag: t = pick(tags); break;
    }
    fmt::print("  export \"{}\": {}\n", ex.name, t);
  }
}

constexpr OptionSpec kInspectOptions[] = {{"--help", false, "-h"}};

}  // namespace

const char* const kInspectHelp =
    "  wippy-run inspect FILE.wasm|FILE.wat\n"
    "      Print a component's imports and exports as a WIT-like world, with\n"
    "      function signatures and named types (an exported instance with the\n"
    "      functions and types it exports); for a core module, its imports and\n"
    "      exports with kinds and function types. FILE may be binary or text\n"
    "      (core or component WAT). Exit status: 0, 1 when FILE cannot be\n"
    "      read, decoded or validated, 2 for bad usage.\n";

int inspect_command(std::span<const std::string> args) {
  auto p = parse_args(args, kInspectOptions);
  if (!p) return report_usage("inspect: " + p.error().message, "inspect");
  if (p->has("--help")) {
    fmt::print("usage:\n{}", kInspectHelp);
    return 0;
  }
  if (p->positionals.size() != 1) return report_usage("inspect: expected one FILE", "inspect");
  const std::string& path = p->positionals[0];
  auto bin = read_input_binary(path);
  if (!bin) return report_error(bin.error().message);
  std::span<const uint8_t> bytes(*bin);
  auto fail = [&](const Error& e) { return report_error(fmt::format("{}: {}: {}", path, error_kind_name(e.kind), e.message)); };
  if (wc::is_component_binary(bytes)) {
    auto comp = wc::decode_component(bytes);
    if (!comp) return fail(comp.error());
    if (auto v = wc::validate_component(*comp); !v) return fail(v.error());
    Printer printer(*comp);
    fmt::print("world {} {{\n", file_stem(path));
    for (const auto& line : printer.world()) fmt::print("{}\n", line);
    fmt::print("}}\n");
    return 0;
  }
  auto mod = compile_module(bytes);
  if (!mod) return fail(mod.error());
  print_module(**mod);
  return 0;
}

}  // namespace wippy::cli
