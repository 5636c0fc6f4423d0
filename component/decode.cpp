// decode.cpp — the component binary decoder. One Decoder per component
// (nested components get their own over the section payload); every read
// goes through a bounds-checked Reader, and the first failure stops decoding.
#include "component/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "interp/decode/decode.h"
#include "interp/decode/primitives.h"
#include "interp/reader.h"

namespace wippy::component {
namespace {

constexpr uint32_t kMaxDepth = kMaxComponentNesting;  // nested components and type declarators
// A start section's result count is not backed by bytes (each result is a
// new value index), so it is bounded here; a component function has at most
// one result, and validation checks the exact count against its type.
constexpr uint32_t kMaxStartResults = 1000;

// Names of the canon built-ins this decoder does not support (async,
// threads, error-context), by opcode.
const char* unsupported_canon_name(uint8_t op) {
  switch (op) {
    case 0x05: return "task.cancel";
    case 0x06: return "subtask.cancel";
    case 0x07: return "resource.drop async";
    case 0x09: return "task.return";
    case 0x0a: return "context.get";
    case 0x0b: return "context.set";
    case 0x0c: return "thread.yield";
    case 0x0d: return "subtask.drop";
    case 0x0e: return "stream.new";
    case 0x0f: return "stream.read";
    case 0x10: return "stream.write";
    case 0x11: return "stream.cancel-read";
    case 0x12: return "stream.cancel-write";
    case 0x13: return "stream.drop-readable";
    case 0x14: return "stream.drop-writable";
    case 0x15: return "future.new";
    case 0x16: return "future.read";
    case 0x17: return "future.write";
    case 0x18: return "future.cancel-read";
    case 0x19: return "future.cancel-write";
    case 0x1a: return "future.drop-readable";
    case 0x1b: return "future.drop-writable";
    case 0x1c: return "error-context.new";
    case 0x1d: return "error-context.debug-message";
    case 0x1e: return "error-context.drop";
    case 0x1f: return "waitable-set.new";
    case 0x20: return "waitable-set.wait";
    case 0x21: return "waitable-set.poll";
    case 0x22: return "waitable-set.drop";
    case 0x23: return "waitable.join";
    case 0x24: return "backpressure.inc";
    case 0x25: return "backpressure.dec";
    case 0x26: return "thread.index";
    case 0x27: return "thread.new-indirect";
    case 0x28: return "thread.resume-later";
    case 0x29: return "thread.suspend";
    case 0x2a: return "thread.suspend-then-resume";
    case 0x2b: return "thread.yield-then-resume";
    case 0x2c: return "thread.suspend-then-promote";
    case 0x2d: return "thread.yield-then-promote";
    case 0x40: return "thread.spawn-ref";
    case 0x41: return "thread.spawn-indirect";
    case 0x42: return "thread.available-parallelism";
    default: return nullptr;
  }
}

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, uint32_t base, uint32_t depth, CoreModuleReuse* reuse)
      : r_(bytes, base), depth_(depth), reuse_(reuse) {}

  Result<Component> run();
  // Decodes into c_ (run() moves it out; nested_component() too).
  Result<void> run_body();

 private:
  Reader r_;
  uint32_t depth_;
  CoreModuleReuse* reuse_;  // may be null
  Component c_;
  std::string error_;  // a complete message from a nested decoder

  bool ok() const { return r_.ok(); }
  void fail(const std::string& msg) { r_.fail(msg); }
  void fail_at(uint32_t rel, const std::string& msg) {
    r_.seek(rel);
    r_.fail(msg);
  }
  void unsupported(uint32_t rel, const std::string& what) { fail_at(rel, "unsupported: " + what); }

  uint8_t byte() { return r_.u8(); }
  uint32_t u32() { return r_.u32(); }
  // A vector count; each element takes at least one byte.
  uint32_t count() {
    uint32_t at = r_.pos();
    uint32_t n = r_.u32();
    if (ok() && n > r_.remaining())
      fail_at(at, fmt::format("unexpected end-of-file: vector count {} exceeds the {} bytes left", n, r_.remaining()));
    return ok() ? n : 0;
  }
  std::string name() { return r_.name(); }

  void add(Sort s, Origin o, uint32_t item) { c_.spaces[size_t(s)].push_back({o, item}); }
  void note(Origin o, uint32_t item, uint32_t offset) { c_.order.push_back({o, item, offset}); }

  std::shared_ptr<const Module> premade_module(std::span<const uint8_t> payload);
  [[gnu::noinline]] void nested_component(std::span<const uint8_t> payload);
  [[gnu::noinline]] void section(uint8_t id, std::span<const uint8_t> payload);

  Sort core_sort();
  Sort sort();
  ValType valtype();
  std::optional<ValType> opt_valtype();
  TypeDef deftype(bool in_decl);
  TypeDef defvaltype(uint8_t b, uint32_t at);
  FuncType functype();
  ComponentType componenttype();
  InstanceType instancetype();
  bool instancedecl(uint8_t b, uint32_t at, std::vector<Decl>& out);
  CoreTypeDef core_type();
  wippy::FuncType core_functype();
  CoreExternType core_externtype();
  ExternName extern_name();
  ExternDesc externtype();
  Alias alias();
  CanonOptions options();
  Canon canon();
};

Sort Decoder::core_sort() {
  uint32_t at = r_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: return Sort::CoreFunc;
    case 0x01: return Sort::CoreTable;
    case 0x02: return Sort::CoreMemory;
    case 0x03: return Sort::CoreGlobal;
    case 0x04: return Sort::CoreTag;
    case 0x10: return Sort::CoreType;
    case 0x11: return Sort::CoreModule;
    case 0x12: return Sort::CoreInstance;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for core external kind", b));
      return Sort::CoreFunc;
  }
}

Sort Decoder::sort() {
  uint32_t at = r_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: return core_sort();
    case 0x01: return Sort::Func;
    case 0x02: return Sort::Value;
    case 0x03: return Sort::Type;
    case 0x04: return Sort::Component;
    case 0x05: return Sort::Instance;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for component external kind", b));
      return Sort::Func;
  }
}

// valtype ::= typeidx | primvaltype. Single bytes 0x40..0x7f are type
// codes (negative SLEB128); anything else is an unsigned type index.
ValType Decoder::valtype() {
  uint32_t at = r_.pos();
  if (r_.at_end()) {
    fail("unexpected end");
    return {};
  }
  uint8_t b = byte();
  if (b >= 0x40 && b < 0x80) {
    if (is_prim_byte(b)) return ValType::of(PrimValType(b));
    if (b == 0x64) {
      unsupported(at, "error-context type (async)");
    } else {
      fail_at(at, fmt::format("invalid leading byte ({:#x}) for component value type", b));
    }
    return {};
  }
  r_.seek(at);
  return ValType::at(u32());
}

std::optional<ValType> Decoder::opt_valtype() {
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (b == 0x00) return std::nullopt;
  if (b == 0x01) return valtype();
  if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for optional value type", b));
  return std::nullopt;
}

FuncType Decoder::functype() {
  FuncType f;
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    Field p;
    p.name = name();
    p.type = valtype();
    f.params.push_back(std::move(p));
  }
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (b == 0x00) {
    f.result = valtype();
  } else if (b == 0x01) {
    uint32_t zat = r_.pos();
    uint8_t z = byte();
    if (ok() && z != 0x00)
      fail_at(zat, fmt::format("invalid leading byte ({:#x}) for number of results (named results are gone: "
                               "0x01 must be followed by 0x00)",
                               z));
  } else if (ok()) {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for component function results", b));
  }
  return f;
}

TypeDef Decoder::defvaltype(uint8_t b, uint32_t at) {
  if (is_prim_byte(b)) return PrimValType(b);
  switch (b) {
    case 0x72: {
      RecordType t;
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) {
        Field f;
        f.name = name();
        f.type = valtype();
        t.fields.push_back(std::move(f));
      }
      return t;
    }
    case 0x71: {
      VariantType t;
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) {
        Case c;
        c.name = name();
        c.type = opt_valtype();
        uint32_t rat = r_.pos();
        uint8_t z = byte();
        if (ok() && z != 0x00)
          fail_at(rat, fmt::format("invalid leading byte ({:#x}) for zero byte required after a variant case", z));
        t.cases.push_back(std::move(c));
      }
      return t;
    }
    case 0x70: return ListType{valtype(), std::nullopt};
    case 0x67: {
      ValType elem = valtype();
      return ListType{elem, u32()};
    }
    case 0x63: {
      ValType key = valtype();
      return MapType{key, valtype()};
    }
    case 0x6f: {
      TupleType t;
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) t.elems.push_back(valtype());
      return t;
    }
    case 0x6e:
    case 0x6d: {
      std::vector<std::string> names;
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) names.push_back(name());
      if (b == 0x6e) return FlagsType{std::move(names)};
      return EnumType{std::move(names)};
    }
    case 0x6b: return OptionType{valtype()};
    case 0x6a: {
      ResultType t;
      t.ok = opt_valtype();
      t.err = opt_valtype();
      return t;
    }
    case 0x69: return OwnType{u32()};
    case 0x68: return BorrowType{u32()};
    case 0x66: unsupported(at, "stream type (async)"); return PrimValType::Bool;
    case 0x65: unsupported(at, "future type (async)"); return PrimValType::Bool;
    case 0x64: unsupported(at, "error-context type (async)"); return PrimValType::Bool;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for component defined type", b));
      return PrimValType::Bool;
  }
}

TypeDef Decoder::deftype(bool in_decl) {
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (!ok()) return PrimValType::Bool;
  switch (b) {
    case 0x40: return functype();
    case 0x43: unsupported(at, "async function type"); return PrimValType::Bool;
    case 0x41: return componenttype();
    case 0x42: return instancetype();
    case 0x3f: {
      ResourceType t;
      uint32_t rat = r_.pos();
      uint8_t rep = byte();
      if (ok() && rep != 0x7f) {
        fail_at(rat, fmt::format("invalid resource representation type 0x{:02x} (expected i32)", rep));
        return t;
      }
      uint32_t dat = r_.pos();
      uint8_t d = byte();
      if (d == 0x01) {
        t.dtor = u32();
      } else if (ok() && d != 0x00) {
        fail_at(dat, fmt::format("invalid leading byte ({:#x}) for optional destructor", d));
      }
      (void)in_decl;
      return t;
    }
    default: return defvaltype(b, at);
  }
}

ComponentType Decoder::componenttype() {
  ComponentType t;
  if (depth_ + 1 > kMaxDepth) {
    fail("type nesting too deep");
    return t;
  }
  ++depth_;
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = r_.pos();
    uint8_t b = byte();
    if (!ok()) break;
    if (b == 0x03) {
      Decl d;
      d.kind = Decl::Kind::Import;
      d.offset = r_.offset() - 1;
      d.name = extern_name();
      d.desc = externtype();
      t.decls.push_back(std::move(d));
    } else if (!instancedecl(b, at, t.decls)) {
      break;
    }
  }
  --depth_;
  return t;
}

InstanceType Decoder::instancetype() {
  InstanceType t;
  if (depth_ + 1 > kMaxDepth) {
    fail("type nesting too deep");
    return t;
  }
  ++depth_;
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = r_.pos();
    uint8_t b = byte();
    if (!ok() || !instancedecl(b, at, t.decls)) break;
  }
  --depth_;
  return t;
}

bool Decoder::instancedecl(uint8_t b, uint32_t at, std::vector<Decl>& out) {
  Decl d;
  d.offset = r_.offset() - 1;
  switch (b) {
    case 0x00:
      d.kind = Decl::Kind::CoreType;
      d.core_type.push_back(core_type());
      break;
    case 0x01:
      d.kind = Decl::Kind::Type;
      d.type.push_back(deftype(true));
      break;
    case 0x02:
      d.kind = Decl::Kind::Alias;
      d.alias = alias();
      break;
    case 0x04:
      d.kind = Decl::Kind::Export;
      d.name = extern_name();
      d.desc = externtype();
      break;
    default:
      fail_at(at, fmt::format("invalid leading byte ({:#x}) for component or instance type declaration", b));
      return false;
  }
  out.push_back(std::move(d));
  return ok();
}

wippy::FuncType Decoder::core_functype() {
  wippy::FuncType f;
  for (auto* list : {&f.params, &f.results}) {
    uint32_t n = count();
    for (uint32_t i = 0; i < n && ok(); ++i) {
      wippy::ValType t{};
      if (!decode::read_valtype(r_, t)) break;
      list->push_back(t);
    }
  }
  return f;
}

CoreExternType Decoder::core_externtype() {
  CoreExternType t;
  uint32_t at = r_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: t.kind = ExternKind::Func; t.func_type = u32(); break;
    case 0x01: t.kind = ExternKind::Table; decode::read_table_type(r_, t.table); break;
    case 0x02: t.kind = ExternKind::Memory; decode::read_memory_type(r_, t.memory); break;
    case 0x03: t.kind = ExternKind::Global; decode::read_global_type(r_, t.global); break;
    case 0x04:  // tag: attribute 0 (exception), then its function type index
      t.kind = ExternKind::Tag;
      if (byte() != 0x00 && ok()) fail_at(at + 1, "invalid tag attribute");
      t.func_type = u32();
      break;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for core extern type", b));
  }
  return t;
}

CoreTypeDef Decoder::core_type() {
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (!ok()) return wippy::FuncType{};
  if (b == 0x60) return core_functype();
  if (b == 0x50) {
    CoreModuleType m;
    uint32_t n = count();
    for (uint32_t i = 0; i < n && ok(); ++i) {
      uint32_t dat = r_.pos();
      uint8_t k = byte();
      CoreModuleDecl d;
      switch (k) {
        case 0x00: {
          d.kind = CoreModuleDecl::Kind::Import;
          d.import.module = name();
          d.import.name = name();
          CoreExternType e = core_externtype();
          d.import.kind = e.kind;
          d.import.func_type = e.func_type;
          d.import.table = e.table;
          d.import.memory = e.memory;
          d.import.global = e.global;
          break;
        }
        case 0x01: {
          d.kind = CoreModuleDecl::Kind::Type;
          uint32_t tat = r_.pos();
          uint8_t tb = byte();
          if (tb == 0x60) {
            d.type = core_functype();
          } else if (tb == 0x50) {
            if (ok())
              fail_at(tat, fmt::format("invalid leading byte ({:#x}) for a type in a module type: module types "
                                       "cannot be nested",
                                       tb));
          } else if (ok()) {
            unsupported(tat, fmt::format("core type 0x{:02x} (GC types)", tb));
          }
          break;
        }
        case 0x02: {
          d.kind = CoreModuleDecl::Kind::Alias;
          uint32_t sat = r_.pos();
          uint8_t s = byte();
          uint8_t o = byte();
          if (ok() && s != 0x10) {
            fail_at(sat, fmt::format("invalid leading byte ({:#x}) for outer alias kind (module types alias only "
                                     "core types)",
                                     s));
            break;
          }
          if (ok() && o != 0x01) {
            fail_at(sat + 1, fmt::format("invalid leading byte ({:#x}) for outer alias target", o));
            break;
          }
          d.outer_count = u32();
          d.outer_index = u32();
          break;
        }
        case 0x03:
          d.kind = CoreModuleDecl::Kind::Export;
          d.export_name = name();
          d.export_type = core_externtype();
          break;
        default:
          if (ok()) fail_at(dat, fmt::format("invalid leading byte ({:#x}) for type definition in a module type", k));
      }
      m.decls.push_back(std::move(d));
    }
    return m;
  }
  if (b == 0x00 || b == 0x4f) {
    // A subtype: 0x00 0x50 (non-final; a bare 0x50 is a module type) or
    // 0x4f (final), its supertypes, then the composite type. A function
    // type is kept as one (core types here are only used as signatures).
    if (b == 0x00 && byte() != 0x50 && ok()) {
      fail_at(at + 1, "invalid leading byte for a non-final core subtype (expected 0x50)");
      return wippy::FuncType{};
    }
    const uint32_t supers = count();
    for (uint32_t i = 0; i < supers && ok(); ++i) u32();
    const uint32_t cat = r_.pos();
    const uint8_t c = byte();
    if (!ok()) return wippy::FuncType{};
    if (c == 0x60) return core_functype();
    if (c == 0x5e || c == 0x5f)
      unsupported(cat, fmt::format("core type 0x{:02x} (GC types)", c));
    else
      fail_at(cat, fmt::format("invalid leading byte ({:#x}) for a core composite type", c));
  } else if (b == 0x4e || b == 0x5e || b == 0x5f) {
    unsupported(at, fmt::format("core type 0x{:02x} (GC types)", b));
  } else {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for core type", b));
  }
  return wippy::FuncType{};
}

ExternName Decoder::extern_name() {
  ExternName n;
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (!ok()) return n;
  if (b > 0x02) {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for component name", b));
    return n;
  }
  n.name = name();
  if (b == 0x02) {
    uint32_t m = count();
    for (uint32_t i = 0; i < m && ok(); ++i) {
      uint32_t aat = r_.pos();
      uint8_t k = byte();
      std::optional<std::string>* slot = nullptr;
      const char* what = "";
      switch (k) {
        case 0x00: slot = &n.implements; what = "implements"; break;
        case 0x01: slot = &n.version_suffix; what = "versionsuffix"; break;
        case 0x02: slot = &n.external_id; what = "external-id"; break;
        default:
          if (ok()) fail_at(aat, fmt::format("invalid leading byte ({:#x}) for name option", k));
          return n;
      }
      std::string v = name();
      if (!ok()) return n;
      if (slot->has_value()) {
        fail_at(aat, fmt::format("duplicate '{}' option in name", what));
        return n;
      }
      *slot = std::move(v);
    }
  }
  return n;
}

ExternDesc Decoder::externtype() {
  ExternDesc d;
  uint32_t at = r_.pos();
  uint8_t b = byte();
  if (!ok()) return d;
  switch (b) {
    case 0x00: {
      uint8_t m = byte();
      if (ok() && m != 0x11) {
        fail_at(at + 1, fmt::format("invalid leading byte ({:#x}) for component external kind (only core modules "
                                    "are imported or exported)",
                                    m));
        return d;
      }
      d.sort = Sort::CoreModule;
      d.index = u32();
      return d;
    }
    case 0x01: d.sort = Sort::Func; d.index = u32(); return d;
    case 0x02: {
      d.sort = Sort::Value;
      uint32_t vat = r_.pos();
      uint8_t k = byte();
      if (k == 0x00) {
        d.value_is_eq = true;
        d.index = u32();
      } else if (k == 0x01) {
        d.value_type = valtype();
      } else if (ok()) {
        fail_at(vat, fmt::format("invalid leading byte ({:#x}) for value bound", k));
      }
      return d;
    }
    case 0x03: {
      d.sort = Sort::Type;
      uint32_t tat = r_.pos();
      uint8_t k = byte();
      if (k == 0x00) {
        d.bound.index = u32();
      } else if (k == 0x01) {
        d.bound.sub_resource = true;
      } else if (ok()) {
        fail_at(tat, fmt::format("invalid leading byte ({:#x}) for type bound", k));
      }
      return d;
    }
    case 0x04: d.sort = Sort::Component; d.index = u32(); return d;
    case 0x05: d.sort = Sort::Instance; d.index = u32(); return d;
    default:
      fail_at(at, fmt::format("invalid leading byte ({:#x}) for component external kind", b));
      return d;
  }
}

Alias Decoder::alias() {
  Alias a;
  // The target decides which sorts are valid, so read it first.
  uint32_t sat = r_.pos();
  uint8_t s0 = byte();
  uint8_t s1 = s0 == 0x00 ? byte() : 0;
  uint32_t at = r_.pos();
  uint8_t k = byte();
  if (!ok()) return a;
  if (k > 0x02) {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for alias", k));
    return a;
  }
  if (k == 0x02 && !(s0 == 0x03 || s0 == 0x04 || (s0 == 0x00 && (s1 == 0x10 || s1 == 0x11)))) {
    fail_at(s0 == 0x00 ? sat + 1 : sat,
            fmt::format("invalid leading byte ({:#x}) for component outer alias kind (outer aliases name "
                        "types, components, core types and core modules)",
                        s0 == 0x00 ? s1 : s0));
    return a;
  }
  r_.seek(sat);
  a.sort = sort();
  r_.seek(at + 1);
  if (!ok()) return a;
  switch (k) {
    case 0x00:
      a.kind = Alias::Kind::Export;
      a.instance = u32();
      a.name = name();
      break;
    case 0x01:
      a.kind = Alias::Kind::CoreExport;
      a.instance = u32();
      a.name = name();
      break;
    case 0x02:
      a.kind = Alias::Kind::Outer;
      a.outer_count = u32();
      a.outer_index = u32();
      break;
  }
  return a;
}

CanonOptions Decoder::options() {
  CanonOptions o;
  o.offset = r_.offset();
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = r_.pos();
    uint8_t b = byte();
    if (!ok()) break;
    auto once = [&](std::optional<uint32_t>& slot, const char* what) {
      uint32_t v = u32();
      if (!ok()) return;
      if (slot) {
        fail_at(at, fmt::format("canonical option `{}` is specified more than once", what));
        return;
      }
      slot = v;
    };
    switch (b) {
      case 0x00:
      case 0x01:
      case 0x02:
        if (o.string_encoding_set) {
          fail_at(at, fmt::format("canonical encoding option `{}` conflicts with option `{}`",
                                  string_encoding_name(o.string_encoding),
                                  string_encoding_name(StringEncoding(b))));
          break;
        }
        o.string_encoding = StringEncoding(b);
        o.string_encoding_set = true;
        break;
      case 0x03: once(o.memory, "memory"); break;
      case 0x04: once(o.realloc, "realloc"); break;
      case 0x05: once(o.post_return, "post-return"); break;
      case 0x06: unsupported(at, "canonical option `async`"); break;
      case 0x07: unsupported(at, "canonical option `callback`"); break;
      default: fail_at(at, fmt::format("invalid leading byte ({:#x}) for canonical option", b));
    }
  }
  return o;
}

Canon Decoder::canon() {
  Canon c;
  uint32_t at = r_.pos();
  uint8_t op = byte();
  if (!ok()) return c;
  auto func_sort = [&](const char* which) {
    uint32_t sat = r_.pos();
    uint8_t z = byte();
    if (ok() && z != 0x00) fail_at(sat, fmt::format("invalid leading byte ({:#x}) for canonical function {}", z, which));
  };
  switch (op) {
    case 0x00:
      c.kind = Canon::Kind::Lift;
      func_sort("lift");
      c.func = u32();
      c.options = options();
      c.type = u32();
      break;
    case 0x01:
      c.kind = Canon::Kind::Lower;
      func_sort("lower");
      c.func = u32();
      c.options = options();
      break;
    case 0x02: c.kind = Canon::Kind::ResourceNew; c.type = u32(); break;
    case 0x03: c.kind = Canon::Kind::ResourceDrop; c.type = u32(); break;
    case 0x04: c.kind = Canon::Kind::ResourceRep; c.type = u32(); break;
    default:
      if (const char* n = unsupported_canon_name(op)) {
        unsupported(at, fmt::format("canon {}", n));
      } else {
        fail_at(at, fmt::format("invalid leading byte ({:#x}) for canonical function", op));
      }
  }
  return c;
}

// Decodes one section whose payload is the current Reader (already bounded).
// A nested component section, kept out of section() (whose frame is
// large) so that each level of nesting costs little stack: run() ->
// nested_component() -> run(); the nested decoder and its result live on
// the heap.
void Decoder::nested_component(std::span<const uint8_t> payload) {
  uint32_t abs = r_.offset();
  if (depth_ + 1 > kMaxDepth) {
    fail("component nesting too deep");
    return;
  }
  auto sub = std::make_unique<Decoder>(payload, abs, depth_ + 1, reuse_);
  if (auto r = sub->run_body(); !r) {
    error_ = r.error().message;
    return;
  }
  uint32_t item = uint32_t(c_.components.size());
  c_.components.push_back(std::make_shared<const Component>(std::move(sub->c_)));
  add(Sort::Component, Origin::Component, item);
  note(Origin::Component, item, abs);
  r_.seek(payload.size());
}

std::shared_ptr<const Module> Decoder::premade_module(std::span<const uint8_t> payload) {
  if (!reuse_) return nullptr;
  size_t next = reuse_->seen.size();
  if (next >= reuse_->premade.size()) return nullptr;
  const auto& m = reuse_->premade[next];
  if (!m || !std::equal(payload.begin(), payload.end(), m->bytes.begin(), m->bytes.end())) return nullptr;
  ++reuse_->reused;
  return m;
}

void Decoder::section(uint8_t id, std::span<const uint8_t> payload) {
  uint32_t abs = r_.offset();
  switch (id) {
    case 0:  // custom: a name, then anything
      name();
      r_.seek(payload.size());
      return;
    case 1: {  // core module
      if (payload.size() >= 8 && payload[6] == 0x01 && payload[7] == 0x00) {
        error_ = fmt::format("in core module at offset {}: expected a version header for a module, found a "
                             "component's",
                             abs);
        return;
      }
      std::shared_ptr<const Module> module = premade_module(payload);
      if (!module) {
        auto m = decode_module(payload);
        if (!m) {
          error_ = fmt::format("in core module at offset {}: {}", abs, m.error().message);
          return;
        }
        module = std::make_shared<const Module>(std::move(*m));
      }
      if (reuse_) reuse_->seen.push_back(module);
      uint32_t item = uint32_t(c_.core_modules.size());
      c_.core_modules.push_back(std::move(module));
      add(Sort::CoreModule, Origin::CoreModule, item);
      note(Origin::CoreModule, item, abs);
      r_.seek(payload.size());
      return;
    }
    case 4: nested_component(payload); return;
    case 9: {  // start
      Start s;
      s.func = u32();
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) s.args.push_back(u32());
      uint32_t results_at = r_.pos();
      s.results = u32();
      if (ok() && s.results > kMaxStartResults)
        fail_at(results_at, fmt::format("start function declares {} results (at most {})", s.results, kMaxStartResults));
      if (!ok()) return;
      uint32_t item = uint32_t(c_.starts.size());
      for (uint32_t i = 0; i < s.results; ++i) add(Sort::Value, Origin::Start, item);
      c_.starts.push_back(std::move(s));
      note(Origin::Start, item, abs);
      return;
    }
    default: break;
  }
  // The remaining sections are vectors of items.
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = r_.offset();
    switch (id) {
      case 2: {  // core instance
        CoreInstance ci;
        uint32_t kat = r_.pos();
        uint8_t k = byte();
        if (k == 0x00) {
          ci.module = u32();
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            CoreInstanceArg a;
            a.name = name();
            uint32_t sat = r_.pos();
            uint8_t s = byte();
            if (ok() && s != 0x12) {
              fail_at(sat, fmt::format("invalid leading byte ({:#x}) for instantiation arg kind", s));
              break;
            }
            a.instance = u32();
            ci.args.push_back(std::move(a));
          }
        } else if (k == 0x01) {
          ci.instantiate = false;
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            CoreInlineExport e;
            e.name = name();
            e.item.sort = core_sort();
            e.item.index = u32();
            ci.exports.push_back(std::move(e));
          }
        } else if (ok()) {
          fail_at(kat, fmt::format("invalid leading byte ({:#x}) for core instance", k));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(c_.core_instances.size());
        c_.core_instances.push_back(std::move(ci));
        add(Sort::CoreInstance, Origin::CoreInstance, item);
        note(Origin::CoreInstance, item, at);
        break;
      }
      case 3: {  // core type
        CoreTypeDef t = core_type();
        if (!ok()) return;
        uint32_t item = uint32_t(c_.core_types.size());
        c_.core_types.push_back(std::move(t));
        add(Sort::CoreType, Origin::CoreType, item);
        note(Origin::CoreType, item, at);
        break;
      }
      case 5: {  // instance
        Instance inst;
        uint32_t kat = r_.pos();
        uint8_t k = byte();
        if (k == 0x00) {
          inst.component = u32();
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            InstanceArg a;
            a.name = name();
            a.item.sort = sort();
            a.item.index = u32();
            inst.args.push_back(std::move(a));
          }
        } else if (k == 0x01) {
          inst.instantiate = false;
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            InlineExport e;
            e.name = extern_name();
            e.item.sort = sort();
            e.item.index = u32();
            inst.exports.push_back(std::move(e));
          }
        } else if (ok()) {
          fail_at(kat, fmt::format("invalid leading byte ({:#x}) for instance", k));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(c_.instances.size());
        c_.instances.push_back(std::move(inst));
        add(Sort::Instance, Origin::Instance, item);
        note(Origin::Instance, item, at);
        break;
      }
      case 6: {  // alias
        Alias a = alias();
        if (!ok()) return;
        uint32_t item = uint32_t(c_.aliases.size());
        add(a.sort, Origin::Alias, item);
        c_.aliases.push_back(std::move(a));
        note(Origin::Alias, item, at);
        break;
      }
      case 7: {  // type
        TypeDef t = deftype(false);
        if (!ok()) return;
        uint32_t item = uint32_t(c_.types.size());
        c_.types.push_back(std::move(t));
        add(Sort::Type, Origin::Type, item);
        note(Origin::Type, item, at);
        break;
      }
      case 8: {  // canon
        Canon cn = canon();
        if (!ok()) return;
        uint32_t item = uint32_t(c_.canons.size());
        add(cn.kind == Canon::Kind::Lift ? Sort::Func : Sort::CoreFunc, Origin::Canon, item);
        c_.canons.push_back(std::move(cn));
        note(Origin::Canon, item, at);
        break;
      }
      case 10: {  // import
        ComponentImport imp;
        imp.name = extern_name();
        imp.desc = externtype();
        if (!ok()) return;
        uint32_t item = uint32_t(c_.imports.size());
        add(imp.desc.sort, Origin::Import, item);
        c_.imports.push_back(std::move(imp));
        note(Origin::Import, item, at);
        break;
      }
      case 11: {  // export
        ComponentExport e;
        e.name = extern_name();
        e.item.sort = sort();
        e.item.index = u32();
        uint32_t oat = r_.pos();
        uint8_t has = byte();
        if (has == 0x01) {
          e.desc = externtype();
        } else if (ok() && has != 0x00) {
          fail_at(oat, fmt::format("invalid leading byte ({:#x}) for optional component export type", has));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(c_.exports.size());
        add(e.item.sort, Origin::Export, item);
        c_.exports.push_back(std::move(e));
        note(Origin::Export, item, at);
        break;
      }
      case 12: {  // value
        ValueDef v;
        v.type = valtype();
        uint32_t len = count();
        auto b = r_.bytes(len);
        if (!ok()) return;
        v.bytes.assign(b.begin(), b.end());
        uint32_t item = uint32_t(c_.values.size());
        c_.values.push_back(std::move(v));
        add(Sort::Value, Origin::Value, item);
        note(Origin::Value, item, at);
        break;
      }
      default:
        fail(fmt::format("malformed section id {}", id));
        return;
    }
  }
}

// The shared Reader says "unexpected end"; components word it as
// wasm-tools does.
Error malformed(std::string msg) {
  if (msg.starts_with("unexpected end") && !msg.starts_with("unexpected end-of-file"))
    msg = "unexpected end-of-file" + msg.substr(14);
  return make_error(ErrorKind::Malformed, std::move(msg));
}

Result<Component> Decoder::run() {
  if (auto r = run_body(); !r) return r.error();
  return std::move(c_);
}

Result<void> Decoder::run_body() {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  auto magic = r_.bytes(4);
  if (!ok() || std::memcmp(magic.data(), kMagic, 4) != 0) {
    return make_error(ErrorKind::Malformed, fmt::format("magic header not detected at offset {}", r_.offset() - (ok() ? 4 : 0)));
  }
  r_.seek(4);
  uint8_t v0 = byte(), v1 = byte(), l0 = byte(), l1 = byte();
  if (!ok()) return make_error(ErrorKind::Malformed, fmt::format("unexpected end-of-file at offset {}", r_.offset()));
  if (l0 == 0x00 && l1 == 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("expected a version header for a component, found a core module's (layer 0 at "
                                  "offset {})",
                                  r_.offset() - 2));
  }
  if (l0 != 0x01 || l1 != 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("unknown binary layer 0x{:02x}{:02x} at offset {}", l1, l0, r_.offset() - 2));
  }
  if (v0 != 0x0d || v1 != 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("unknown binary version 0x{:02x}{:02x} (component version 0x000d expected) at "
                                  "offset {}",
                                  v1, v0, r_.offset() - 4));
  }
  while (!r_.at_end()) {
    uint32_t sec_at = r_.offset();
    uint8_t id = byte();
    if (ok() && id > 12)
      return make_error(ErrorKind::Malformed, fmt::format("malformed section id {} at offset {}", id, sec_at));
    uint32_t size = u32();
    if (!ok()) break;
    if (size > r_.remaining()) {
      return make_error(ErrorKind::Malformed,
                        fmt::format("unexpected end-of-file: section size {} exceeds the {} bytes left at offset {}",
                                    size, r_.remaining(), sec_at));
    }
    uint32_t payload_rel = r_.pos();
    uint32_t payload_abs = r_.offset();
    auto payload = r_.bytes(size);
    Reader outer = r_;
    r_ = Reader(payload, payload_abs);
    if (id == 4) nested_component(payload);
    else section(id, payload);
    if (!error_.empty()) return make_error(ErrorKind::Malformed, error_);
    if (ok() && !r_.at_end()) fail("section size mismatch: unexpected trailing bytes");
    if (!ok()) return malformed(r_.error());
    r_ = outer;
    r_.seek(payload_rel + size);
  }
  if (!ok()) return malformed(r_.error());
  return {};
}

}  // namespace

bool is_component_binary(std::span<const uint8_t> b) {
  return b.size() >= 8 && b[0] == 0x00 && b[1] == 0x61 && b[2] == 0x73 && b[3] == 0x6d && b[6] == 0x01 &&
         b[7] == 0x00;
}

Result<Component> decode_component(std::span<const uint8_t> bytes, CoreModuleReuse* reuse) {
  if (bytes.size() > UINT32_MAX) return make_error(ErrorKind::Malformed, "component too large");
  Decoder d(bytes, 0, 0, reuse);
  return d.run();
}

Result<Component> decode_component(std::span<const uint8_t> bytes) { return decode_component(bytes, nullptr); }

}  // namespace wippy::component
