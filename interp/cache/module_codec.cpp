// module_codec.cpp — encode_module / decode_cached_module (see module_codec.h).
#include "interp/cache/module_codec.h"

#include <optional>
#include <string>

#include "interp/cache/codec_io.h"
#include "interp/type_canon.h"

namespace wippy {
namespace {

// A field added to one of these structs must be added to the codec too:
// these sizes make such a change fail to compile here (x86-64 / aarch64).
// Not encoded on purpose: Module::bodies_scanned and FuncBody::body_begin,
// which only matter for scanning bodies of a module not yet validated (a
// cached module was validated: it decodes as scanned).
static_assert(sizeof(void*) != 8 || sizeof(Module) == 560, "Module changed: update module_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(Import) == 160, "Import changed: update module_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(ElemSegment) == 80, "ElemSegment changed: update module_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(FuncBody) == 40, "FuncBody changed: update module_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(DataSegment) == 24, "DataSegment changed: update module_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(SubType) == 48, "SubType changed: update module_codec.cpp");
static_assert(sizeof(FieldType) == 8, "FieldType changed: update module_codec.cpp");

struct Out : ByteOut {
  void limits(const Limits& l) { u64(l.min), u8(l.has_max), u64(l.max), u8(l.is64); }
  // ValType is 32 bits: typed references carry a type index above the byte codes.
  void valtype(ValType v) { u32(uint32_t(v)); }
  void table(const TableType& t) { valtype(t.elem), limits(t.limits); }
  void memory(const MemoryType& t) { limits(t.limits), u8(t.shared); }
  void global(const GlobalType& t) { valtype(t.type), u8(t.mut); }
  void expr(const ConstExpr& e) { u32(e.begin), u32(e.end); }
};

struct In : ByteIn {
  using ByteIn::ByteIn;
  ValType valtype() { return ValType(u32()); }
  Limits limits() {
    Limits l;
    l.min = u64(), l.has_max = flag(), l.max = u64(), l.is64 = flag();
    return l;
  }
  TableType table() {
    TableType t;
    t.elem = valtype(), t.limits = limits();
    return t;
  }
  MemoryType memory() {
    MemoryType t;
    t.limits = limits(), t.shared = flag();
    return t;
  }
  GlobalType global() {
    GlobalType g;
    g.type = valtype(), g.mut = flag();
    return g;
  }
  ConstExpr expr() {
    ConstExpr e;
    e.begin = u32(), e.end = u32();
    return e;
  }
};

void encode_functype(Out& o, const FuncType& t) {
  o.vec(t.params, [&](ValType v) { o.valtype(v); });
  o.vec(t.results, [&](ValType v) { o.valtype(v); });
}

FuncType decode_functype(In& in) {
  FuncType t;
  t.params = in.vec<ValType>(4, [&] { return in.valtype(); });
  t.results = in.vec<ValType>(4, [&] { return in.valtype(); });
  return t;
}

void encode_subtype(Out& o, const SubType& s) {
  o.u8(uint8_t(s.kind)), o.u8(s.final), o.u32(s.super), o.u32(s.num_supers), o.u32(s.rec_begin), o.u32(s.rec_size);
  o.vec(s.fields, [&](const FieldType& f) { o.valtype(f.type), o.u8(f.mut); });
}

SubType decode_subtype(In& in) {
  SubType s;
  uint8_t kind = in.u8();
  if (kind > uint8_t(CompKind::Array)) in.ok = false;
  s.kind = CompKind(kind), s.final = in.flag(), s.super = in.u32(), s.num_supers = in.u32();
  s.rec_begin = in.u32(), s.rec_size = in.u32();
  s.fields = in.vec<FieldType>(5, [&] {
    FieldType f;
    f.type = in.valtype(), f.mut = in.flag();
    return f;
  });
  return s;
}

bool in_bytes(uint32_t begin, uint32_t end, size_t size) { return begin <= end && end <= size; }

// Every offset into Module::bytes is inside it.
bool ranges_ok(const Module& m) {
  const size_t n = m.bytes.size();
  auto expr_ok = [&](const ConstExpr& e) { return in_bytes(e.begin, e.end, n); };
  for (const Global& g : m.globals)
    if (!expr_ok(g.init)) return false;
  for (const ElemSegment& e : m.elems) {
    if (!expr_ok(e.offset)) return false;
    for (const ConstExpr& x : e.inits)
      if (!expr_ok(x)) return false;
  }
  for (const FuncBody& c : m.codes)
    if (!in_bytes(c.code_begin, c.code_end, n)) return false;
  for (const DataSegment& d : m.datas)
    if (!expr_ok(d.offset) || !in_bytes(d.begin, d.end, n)) return false;
  for (const CustomSection& c : m.customs)
    if (!in_bytes(c.begin, c.end, n)) return false;
  for (const SubType& s : m.subtypes)
    if (s.rec_begin > m.subtypes.size() || s.rec_size > m.subtypes.size() - s.rec_begin) return false;
  return m.codes.size() == m.funcs.size() && m.subtypes.size() == m.types.size();
}

}  // namespace

std::vector<uint8_t> encode_module(const Module& m) {
  Out o;
  o.b.reserve(64 * m.codes.size() + 4096);
  o.u64(m.bytes.size());  // the binary itself is not stored (see the header)
  o.vec(m.types, [&](const FuncType& t) { encode_functype(o, t); });
  o.vec(m.subtypes, [&](const SubType& s) { encode_subtype(o, s); });
  o.vec(m.imports, [&](const Import& i) {
    o.str(i.module), o.str(i.name), o.u8(uint8_t(i.kind)), o.u32(i.func_type);
    o.table(i.table), o.memory(i.memory), o.global(i.global);
  });
  o.vec(m.funcs, [&](uint32_t f) { o.u32(f); });
  o.vec(m.tables, [&](const TableType& t) { o.table(t); });
  o.vec(m.table_inits, [&](const ConstExpr& x) { o.expr(x); });
  o.vec(m.memories, [&](const MemoryType& t) { o.memory(t); });
  o.vec(m.globals, [&](const Global& g) { o.global(g.type), o.expr(g.init); });
  o.vec(m.exports, [&](const Export& e) { o.str(e.name), o.u8(uint8_t(e.kind)), o.u32(e.index); });
  o.u8(m.start.has_value()), o.u32(m.start.value_or(0));
  o.vec(m.elems, [&](const ElemSegment& e) {
    o.u8(uint8_t(e.mode)), o.u32(e.table), o.expr(e.offset), o.valtype(e.type);
    o.vec(e.inits, [&](const ConstExpr& x) { o.expr(x); });
    o.vec(e.func_indices, [&](uint32_t f) { o.u32(f); });
    o.u8(e.uses_indices);
  });
  o.u8(m.data_count.has_value()), o.u32(m.data_count.value_or(0));
  o.vec(m.codes, [&](const FuncBody& c) {
    o.vec(c.locals, [&](const LocalDecl& l) { o.u32(l.count), o.valtype(l.type); });
    o.u32(c.num_locals), o.u32(c.code_begin), o.u32(c.code_end);
  });
  o.vec(m.datas, [&](const DataSegment& d) {
    o.u8(uint8_t(d.mode)), o.u32(d.memory), o.expr(d.offset), o.u32(d.begin), o.u32(d.end);
  });
  o.vec(m.customs, [&](const CustomSection& c) { o.str(c.name), o.u32(c.begin), o.u32(c.end); });
  o.vec(m.func_names, [&](const std::string& s) { o.str(s); });
  o.vec(m.imported_func_types, [&](uint32_t t) { o.u32(t); });
  o.vec(m.imported_tables, [&](const TableType& t) { o.table(t); });
  o.vec(m.imported_memories, [&](const MemoryType& t) { o.memory(t); });
  o.vec(m.imported_globals, [&](const GlobalType& t) { o.global(t); });
  o.vec(m.tags, [&](uint32_t t) { o.u32(t); });
  o.vec(m.imported_tag_types, [&](uint32_t t) { o.u32(t); });
  return std::move(o.b);
}

Result<Module> decode_cached_module(std::span<const uint8_t> bytes, SharedBytes binary) {
  In in{bytes};
  Module m;
  if (in.u64() != binary.size() || !in.ok)
    return make_error(ErrorKind::Malformed, "cached module: written for a binary of another size");
  m.bytes = std::move(binary);
  m.types = in.vec<FuncType>(8, [&] { return decode_functype(in); });
  m.subtypes = in.vec<SubType>(22, [&] { return decode_subtype(in); });
  m.imports = in.vec<Import>(4 + 4 + 1 + 4 + 18 + 18 + 2, [&] {
    Import i;
    i.module = in.str(), i.name = in.str(), i.kind = ExternKind(in.u8()), i.func_type = in.u32();
    i.table = in.table(), i.memory = in.memory(), i.global = in.global();
    return i;
  });
  m.funcs = in.u32_vec();
  m.tables = in.vec<TableType>(18, [&] { return in.table(); });
  m.table_inits = in.vec<ConstExpr>(8, [&] { return in.expr(); });
  m.memories = in.vec<MemoryType>(18, [&] { return in.memory(); });
  m.globals = in.vec<Global>(10, [&] {
    Global g;
    g.type = in.global(), g.init = in.expr();
    return g;
  });
  m.exports = in.vec<Export>(9, [&] {
    Export e;
    e.name = in.str(), e.kind = ExternKind(in.u8()), e.index = in.u32();
    return e;
  });
  m.start = in.optional_u32();
  m.elems = in.vec<ElemSegment>(23, [&] {
    ElemSegment e;
    e.mode = SegmentMode(in.u8()), e.table = in.u32(), e.offset = in.expr(), e.type = in.valtype();
    e.inits = in.vec<ConstExpr>(8, [&] { return in.expr(); });
    e.func_indices = in.u32_vec();
    e.uses_indices = in.flag();
    return e;
  });
  m.data_count = in.optional_u32();
  m.codes = in.vec<FuncBody>(16, [&] {
    FuncBody c;
    c.locals = in.vec<LocalDecl>(8, [&] {
      LocalDecl l;
      l.count = in.u32(), l.type = in.valtype();
      return l;
    });
    c.num_locals = in.u32(), c.code_begin = in.u32(), c.code_end = in.u32();
    return c;
  });
  m.datas = in.vec<DataSegment>(21, [&] {
    DataSegment d;
    d.mode = SegmentMode(in.u8()), d.memory = in.u32(), d.offset = in.expr();
    d.begin = in.u32(), d.end = in.u32();
    return d;
  });
  m.customs = in.vec<CustomSection>(12, [&] {
    CustomSection c;
    c.name = in.str(), c.begin = in.u32(), c.end = in.u32();
    return c;
  });
  m.func_names = in.vec<std::string>(4, [&] { return in.str(); });
  m.imported_func_types = in.u32_vec();
  m.imported_tables = in.vec<TableType>(18, [&] { return in.table(); });
  m.imported_memories = in.vec<MemoryType>(18, [&] { return in.memory(); });
  m.imported_globals = in.vec<GlobalType>(2, [&] { return in.global(); });
  m.tags = in.u32_vec();
  m.imported_tag_types = in.u32_vec();
  if (!in.ok || in.pos != bytes.size())
    return make_error(ErrorKind::Malformed, "cached module: truncated or overlong entry");
  if (!ranges_ok(m)) return make_error(ErrorKind::Malformed, "cached module: an offset lies outside the binary");
  canonicalize_types(m);
  return m;
}

}  // namespace wippy
