// sections.cpp — contents of the type (with GC recursion groups, subtypes,
// struct and array types; at most 1,000,000 types), import, function, table,
// memory, global, export, start, element, data count, code, data and custom
// sections.
#include "interp/decode/sections.h"

#include <algorithm>

#include <fmt/format.h>

#include "interp/decode/primitives.h"
#include "interp/decode/scan_bodies.h"
#include "interp/type_canon.h"

namespace wippy::decode {

namespace {
// Locals beyond this are rejected as "too many locals" even though the
// format allows up to 2^32-1: no real module needs them and they would only
// serve to exhaust memory later.
constexpr uint64_t kMaxLocals = 50000;
// Type definitions beyond this (the JS API's limit) are refused as "too many
// types": canonical ids then always fit a reference type's heap field.
constexpr uint32_t kMaxTypes = 1000000;
}  // namespace

bool SectionDecoder::decode_custom(uint32_t start, uint32_t size) {
  CustomSection c;
  if (!read_name(r_, total_, c.name)) return false;
  uint32_t used = r_.pos() - start;
  if (used > size) {
    r_.fail("unexpected end");
    return false;
  }
  c.begin = r_.pos();
  r_.bytes(size - used);
  if (!r_.ok()) return false;
  c.end = r_.pos();
  m_.customs.push_back(std::move(c));
  return true;
}

// A type section entry is a recursion group (0x4e vec(subtype)) or one
// subtype: 0x50 / 0x4f (final) vec(typeidx) comptype, or a bare comptype
// (final, no supertypes). comptype: 0x60 func, 0x5f struct, 0x5e array.
bool SectionDecoder::decode_types() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    uint8_t form = r_.u8();
    if (!r_.ok()) return false;
    const uint32_t begin = uint32_t(m_.types.size());
    uint32_t count = 1;
    if (form == 0x4E) {
      count = read_len(r_, total_);
      if (!r_.ok()) return false;
      for (uint32_t k = 0; k < count; ++k)
        if (!sub_type(r_.u8())) return false;
    } else if (!sub_type(form)) {
      return false;
    }
    for (uint32_t k = begin; k < begin + count; ++k) m_.subtypes[k].rec_begin = begin, m_.subtypes[k].rec_size = count;
  }
  if (!r_.ok()) return false;
  canonicalize_types(m_);
  return true;
}

bool SectionDecoder::sub_type(uint8_t form) {
  if (!r_.ok()) return false;
  if (m_.types.size() >= kMaxTypes) {
    fail_at(r_, r_.pos() - 1, fmt::format("too many types (more than {})", kMaxTypes));
    return false;
  }
  SubType s;
  if (form == 0x50 || form == 0x4F) {
    s.final = form == 0x4F;
    s.num_supers = read_len(r_, total_);
    for (uint32_t k = 0; k < s.num_supers && r_.ok(); ++k) {
      uint32_t super = r_.u32();
      if (k == 0) s.super = super;
    }
    form = r_.u8();
    if (!r_.ok()) return false;
  }
  if (form & 0x80) {  // the form is a one-byte signed LEB128
    fail_at(r_, r_.pos() - 1, "integer representation too long");
    return false;
  }
  FuncType t;
  if (form == 0x60) {
    uint32_t np = read_len(r_, total_);
    t.params.resize(np);
    for (uint32_t k = 0; k < np; ++k)
      if (!read_valtype(r_, t.params[k])) return false;
    uint32_t nr = read_len(r_, total_);
    t.results.resize(nr);
    for (uint32_t k = 0; k < nr; ++k)
      if (!read_valtype(r_, t.results[k])) return false;
  } else if (form == 0x5F || form == 0x5E) {
    s.kind = form == 0x5F ? CompKind::Struct : CompKind::Array;
    uint32_t nf = form == 0x5F ? read_len(r_, total_) : 1;
    s.fields.resize(nf);
    for (uint32_t k = 0; k < nf; ++k)
      if (!field_type(s.fields[k])) return false;
  } else {
    fail_at(r_, r_.pos() - 1, fmt::format("malformed composite type 0x{:02x}", form));
    return false;
  }
  if (!r_.ok()) return false;
  m_.types.push_back(std::move(t));
  m_.subtypes.push_back(std::move(s));
  return true;
}

// storagetype (a value type, 0x78 i8 or 0x77 i16) and mutability (0 | 1).
bool SectionDecoder::field_type(FieldType& f) {
  uint32_t at = r_.pos();
  uint8_t b = r_.u8();
  if (!r_.ok()) return false;
  if (b == uint8_t(kPackedI8) || b == uint8_t(kPackedI16)) {
    f.type = ValType(b);
  } else {
    r_.seek(at);
    if (!read_valtype(r_, f.type)) return false;
  }
  return read_mutability(r_, f.mut);
}

bool SectionDecoder::decode_imports() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    Import im;
    if (!read_name(r_, total_, im.module) || !read_name(r_, total_, im.name)) return false;
    uint8_t kind = r_.u8();
    if (!r_.ok()) return false;
    switch (kind) {
      case 0x00:
        im.kind = ExternKind::Func;
        im.func_type = r_.u32();
        if (!r_.ok()) return false;
        m_.imported_func_types.push_back(im.func_type);
        break;
      case 0x01:
        im.kind = ExternKind::Table;
        if (!read_table_type(r_, im.table)) return false;
        m_.imported_tables.push_back(im.table);
        break;
      case 0x02:
        im.kind = ExternKind::Memory;
        if (!read_memory_type(r_, im.memory)) return false;
        m_.imported_memories.push_back(im.memory);
        break;
      case 0x03:
        im.kind = ExternKind::Global;
        if (!read_global_type(r_, im.global)) return false;
        m_.imported_globals.push_back(im.global);
        break;
      case 0x04:
        im.kind = ExternKind::Tag;
        if (!tag_type(im.func_type)) return false;
        m_.imported_tag_types.push_back(im.func_type);
        break;
      default:
        fail_at(r_, r_.pos() - 1, fmt::format("malformed import kind 0x{:02x}", kind));
        return false;
    }
    m_.imports.push_back(std::move(im));
  }
  return r_.ok();
}

bool SectionDecoder::decode_functions() {
  uint32_t n = read_len(r_, total_);
  m_.funcs.reserve(n);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.funcs.push_back(r_.u32());
  return r_.ok();
}

bool SectionDecoder::decode_tables() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    TableType t;
    ConstExpr init;
    uint32_t start = r_.pos();
    if (r_.u8() == 0x40 && r_.ok()) {
      // 0x40 0x00 tabletype expr: a table with an initializer expression.
      uint32_t at = r_.pos();
      if (r_.u8() != 0x00) {
        if (r_.ok()) fail_at(r_, at, "malformed table");
        return false;
      }
      if (!read_table_type(r_, t) || !const_expr(init)) return false;
    } else {
      if (!r_.ok()) return false;
      r_.seek(start);
      if (!read_table_type(r_, t)) return false;
    }
    m_.tables.push_back(t);
    m_.table_inits.push_back(init);
  }
  return r_.ok();
}

bool SectionDecoder::decode_memories() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    MemoryType t;
    if (!read_memory_type(r_, t)) return false;
    m_.memories.push_back(t);
  }
  return r_.ok();
}

bool SectionDecoder::tag_type(uint32_t& type_index) {
  uint8_t attr = r_.u8();
  if (!r_.ok()) return false;
  if (attr != 0) {
    fail_at(r_, r_.pos() - 1, fmt::format("malformed tag attribute 0x{:02x}", attr));
    return false;
  }
  type_index = r_.u32();
  return r_.ok();
}

bool SectionDecoder::decode_tags() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    uint32_t t = 0;
    if (!tag_type(t)) return false;
    m_.tags.push_back(t);
  }
  return r_.ok();
}

bool SectionDecoder::const_expr(ConstExpr& out) {
  out.begin = r_.pos();
  if (!scanner_.scan(r_, false)) return false;
  out.end = r_.pos();
  return true;
}

bool SectionDecoder::decode_globals() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    Global g;
    if (!read_global_type(r_, g.type) || !const_expr(g.init)) return false;
    m_.globals.push_back(g);
  }
  return r_.ok();
}

bool SectionDecoder::decode_exports() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    Export e;
    if (!read_name(r_, total_, e.name)) return false;
    uint8_t kind = r_.u8();
    if (!r_.ok()) return false;
    if (kind > 4) {
      fail_at(r_, r_.pos() - 1, fmt::format("malformed export kind 0x{:02x}", kind));
      return false;
    }
    e.kind = ExternKind(kind);
    e.index = r_.u32();
    m_.exports.push_back(std::move(e));
  }
  return r_.ok();
}

bool SectionDecoder::decode_start() {
  m_.start = r_.u32();
  return r_.ok();
}

bool SectionDecoder::func_indices(std::vector<uint32_t>& out) {
  uint32_t n = read_len(r_, total_);
  out.reserve(n);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) out.push_back(r_.u32());
  return r_.ok();
}

bool SectionDecoder::elem_kind() {
  uint8_t k = r_.u8();
  if (!r_.ok()) return false;
  if (k != 0x00) {
    fail_at(r_, r_.pos() - 1, fmt::format("malformed element kind 0x{:02x}", k));
    return false;
  }
  return true;
}

bool SectionDecoder::decode_elements() {
  uint32_t n = read_len(r_, total_);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    uint32_t flags_pos = r_.pos();
    uint32_t flags = r_.u32();
    if (!r_.ok()) return false;
    if (flags > 7) {
      fail_at(r_, flags_pos, fmt::format("malformed elements segment kind {}", flags));
      return false;
    }
    // bit 0: passive/declarative (else active); bit 1: explicit table index
    // (active) or declarative (bit 0 set); bit 2: expressions instead of indices.
    ElemSegment s;
    bool not_active = flags & 1;
    bool bit1 = flags & 2;
    bool exprs = flags & 4;
    s.mode = !not_active ? SegmentMode::Active
                         : (bit1 ? SegmentMode::Declarative : SegmentMode::Passive);
    if (!not_active) {
      if (bit1) s.table = r_.u32();
      if (!r_.ok() || !const_expr(s.offset)) return false;
    }
    // Forms 0 and 4 have no type byte (funcref implied).
    if (not_active || bit1) {
      if (exprs) {
        if (!read_reftype(r_, s.type)) return false;
      } else if (!elem_kind()) {
        return false;
      }
    }
    if (exprs) {
      uint32_t count = read_len(r_, total_);
      s.inits.reserve(count);
      for (uint32_t k = 0; k < count && r_.ok(); ++k) {
        ConstExpr e;
        if (!const_expr(e)) return false;
        s.inits.push_back(e);
      }
    } else {
      // A vector of function indices holds non-null references (3.0:
      // its type is (ref func), so it may fill a (ref func) table).
      s.uses_indices = true;
      s.type = make_ref(false, kHeapFunc);
      if (!func_indices(s.func_indices)) return false;
    }
    if (!r_.ok()) return false;
    m_.elems.push_back(std::move(s));
  }
  return r_.ok();
}

bool SectionDecoder::decode_data_count() {
  m_.data_count = r_.u32();
  scanner_.set_has_data_count(true);
  return r_.ok();
}

bool SectionDecoder::body_header(FuncBody& out, uint32_t& start, uint32_t& end) {
  uint32_t size = read_len(r_, total_);
  if (!r_.ok()) return false;
  start = r_.pos();
  end = start + size;
  uint32_t runs = read_len(r_, total_);
  uint64_t total_locals = 0;
  out.locals.reserve(runs);
  for (uint32_t i = 0; i < runs && r_.ok(); ++i) {
    LocalDecl d;
    d.count = r_.u32();
    if (!r_.ok() || !read_valtype(r_, d.type)) return false;
    total_locals += d.count;
    out.locals.push_back(d);
  }
  if (!r_.ok()) return false;
  if (total_locals > 0xFFFFFFFFull || total_locals > kMaxLocals) {
    fail_at(r_, start, fmt::format("too many locals ({})", total_locals));
    return false;
  }
  out.num_locals = uint32_t(total_locals);
  out.code_begin = r_.pos();
  return true;
}

// Headers first, in order (each body's size says where the next starts);
// then, unless scanning is left to validation (scan_bodies_ false), the
// bodies' instructions (scan_bodies.h). A header's error comes after the
// errors of the bodies before it, so those are scanned even then; so are
// bodies whose locals run past their size (the scan's error is theirs, and
// their instructions would start after their end), and bodies that run
// past the end of the module (read_len lets a length overrun by its own
// encoding, so that reading on reports the reference interpreter's
// "unexpected end"; validation must never be handed such a span).
bool SectionDecoder::decode_code() {
  uint32_t n = read_len(r_, total_);
  if (!r_.ok()) return false;
  const Reader clean = r_;
  m_.codes.reserve(n);
  bool overrun = false;
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    FuncBody b;
    uint32_t start = 0, end = 0;
    if (!body_header(b, start, end)) break;  // r_ holds the error
    b.body_begin = start;
    b.code_end = end;
    overrun = overrun || b.code_begin > end || end > total_;
    m_.codes.push_back(std::move(b));
    r_.seek(end);
  }
  if (r_.ok() && !scan_bodies_ && !overrun) {
    m_.bodies_scanned = false;
    return true;
  }
  Reader r = clean;
  if (!scan_bodies(r, scanner_, m_.codes)) {
    r_ = r;
    return false;
  }
  return r_.ok();
}

bool SectionDecoder::decode_data() {
  uint32_t n = read_len(r_, total_);
  m_.datas.reserve(n);
  for (uint32_t i = 0; i < n && r_.ok(); ++i) {
    uint32_t flags_pos = r_.pos();
    uint32_t flags = r_.u32();
    if (!r_.ok()) return false;
    DataSegment d;
    switch (flags) {
      case 0:
        if (!const_expr(d.offset)) return false;
        break;
      case 1:
        d.mode = SegmentMode::Passive;
        break;
      case 2:
        d.memory = r_.u32();
        if (!r_.ok() || !const_expr(d.offset)) return false;
        break;
      default:
        fail_at(r_, flags_pos, fmt::format("malformed data segment kind {}", flags));
        return false;
    }
    uint32_t len = read_len(r_, total_);
    if (!r_.ok()) return false;
    d.begin = r_.pos();
    r_.bytes(len);
    if (!r_.ok()) return false;
    d.end = r_.pos();
    m_.datas.push_back(d);
  }
  return r_.ok();
}

}  // namespace wippy::decode
