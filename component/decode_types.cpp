// decode_types.cpp — the decoder's types: value types, defined value
// types, function types, component and instance type declarators, and
// core types (function and module types). See decode_impl.h.
#include "component/decode_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "interp/decode/primitives.h"

namespace wippy::component::decode_detail {

// valtype ::= typeidx | primvaltype. Single bytes 0x40..0x7f are type
// codes (negative SLEB128); anything else is an unsigned type index.
ValType Decoder::valtype() {
  uint32_t at = reader_.pos();
  if (reader_.at_end()) {
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
  reader_.seek(at);
  return ValType::at(u32());
}

std::optional<ValType> Decoder::opt_valtype() {
  uint32_t at = reader_.pos();
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
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  if (b == 0x00) {
    f.result = valtype();
  } else if (b == 0x01) {
    uint32_t zat = reader_.pos();
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
        uint32_t rat = reader_.pos();
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
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  if (!ok()) return PrimValType::Bool;
  switch (b) {
    case 0x40: return functype();
    case 0x43: unsupported(at, "async function type"); return PrimValType::Bool;
    case 0x41: return componenttype();
    case 0x42: return instancetype();
    case 0x3f: {
      ResourceType t;
      uint32_t rat = reader_.pos();
      uint8_t rep = byte();
      if (ok() && rep != 0x7f) {
        fail_at(rat, fmt::format("invalid resource representation type 0x{:02x} (expected i32)", rep));
        return t;
      }
      uint32_t dat = reader_.pos();
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
  t.decls = typedecls(true);
  return t;
}

InstanceType Decoder::instancetype() {
  InstanceType t;
  t.decls = typedecls(false);
  return t;
}

namespace {
// Room for a type's declarators up front (at most 256: the count is not
// yet checked against what follows), so a WASI interface's few dozen are
// not regrown. Out of line: typedecls recurses, and its frame is on the
// nesting budget (test_depth.cpp).
[[gnu::noinline]] void reserve_decls(std::vector<Decl>& decls, uint32_t n) {
  decls.reserve(std::min<uint32_t>(n, 256));
}
}  // namespace

std::vector<Decl> Decoder::typedecls(bool allow_imports) {
  std::vector<Decl> decls;
  if (depth_ + 1 > kMaxDepth) {
    fail("type nesting too deep");
    return decls;
  }
  ++depth_;
  uint32_t n = count();
  reserve_decls(decls, n);
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = reader_.pos();
    uint8_t b = byte();
    if (!ok()) break;
    if (allow_imports && b == 0x03) {
      Decl d;
      d.kind = Decl::Kind::Import;
      d.offset = reader_.offset() - 1;
      d.name = extern_name();
      d.desc = externtype();
      decls.push_back(std::move(d));
    } else if (!instancedecl(b, at, decls)) {
      break;
    }
  }
  --depth_;
  return decls;
}

bool Decoder::instancedecl(uint8_t b, uint32_t at, std::vector<Decl>& out) {
  Decl d;
  d.offset = reader_.offset() - 1;
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
      if (!decode::read_valtype(reader_, t)) break;
      list->push_back(t);
    }
  }
  return f;
}

CoreExternType Decoder::core_externtype() {
  CoreExternType t;
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: t.kind = ExternKind::Func; t.func_type = u32(); break;
    case 0x01: t.kind = ExternKind::Table; decode::read_table_type(reader_, t.table); break;
    case 0x02: t.kind = ExternKind::Memory; decode::read_memory_type(reader_, t.memory); break;
    case 0x03: t.kind = ExternKind::Global; decode::read_global_type(reader_, t.global); break;
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
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  if (!ok()) return wippy::FuncType{};
  if (b == 0x60) return core_functype();
  if (b == 0x50) {
    CoreModuleType m;
    uint32_t n = count();
    for (uint32_t i = 0; i < n && ok(); ++i) {
      uint32_t dat = reader_.pos();
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
          uint32_t tat = reader_.pos();
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
          uint32_t sat = reader_.pos();
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
    const uint32_t cat = reader_.pos();
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

}  // namespace wippy::component::decode_detail
