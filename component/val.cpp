// val.cpp — Val names, packed list elements, equality and rendering.
#include "component/val.h"

#include <fmt/format.h>

#include <cstring>

#include "base/utf8.h"

namespace wippy::component {

const char* val_kind_name(ValKind k) {
  static const char* const names[] = {
      "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
      "string", "list", "record", "tuple", "variant", "enum", "option", "result", "flags",
      "own", "borrow"};
  return names[size_t(k)];
}

uint32_t Val::packed_size(ValKind k) {
  switch (k) {
    case ValKind::S8: case ValKind::U8: return 1;
    case ValKind::S16: case ValKind::U16: return 2;
    case ValKind::S32: case ValKind::U32: case ValKind::F32: return 4;
    case ValKind::S64: case ValKind::U64: case ValKind::F64: return 8;
    default: return 0;
  }
}

Val Val::list_item(size_t i) const {
  if (!packed) return items[i];
  uint32_t n = packed_size(packed_kind);
  const uint8_t* p = packed_raw.data() + i * n;
  uint64_t bits = 0;
  for (uint32_t k = 0; k < n; ++k) bits |= uint64_t(p[k]) << (8 * k);
  switch (packed_kind) {
    case ValKind::S8: return s8(int8_t(bits));
    case ValKind::S16: return s16(int16_t(bits));
    case ValKind::S32: return s32(int32_t(bits));
    case ValKind::S64: return s64(int64_t(bits));
    case ValKind::F32: { float f; uint32_t b = uint32_t(bits); std::memcpy(&f, &b, 4); return f32v(f); }
    case ValKind::F64: { double d; std::memcpy(&d, &bits, 8); return f64v(d); }
    default: return scalar(packed_kind, bits);
  }
}

std::vector<Val> Val::list_items() const {
  if (!packed) return items;
  std::vector<Val> out;
  out.reserve(list_size());
  for (size_t i = 0; i < list_size(); ++i) out.push_back(list_item(i));
  return out;
}

const std::vector<Val>& list_elems(const Val& v, std::vector<Val>& scratch) {
  if (!v.is_packed()) return v.items;
  scratch = v.list_items();
  return scratch;
}

namespace {
bool lists_equal(const Val& a, const Val& b) {
  if (!a.is_packed() && !b.is_packed()) return a.items == b.items;
  bool floats = a.packed_kind == ValKind::F32 || a.packed_kind == ValKind::F64;
  if (a.is_packed() && b.is_packed() && a.packed_kind == b.packed_kind && !floats) return a.packed_raw == b.packed_raw;
  if (a.list_size() != b.list_size()) return false;
  for (size_t i = 0; i < a.list_size(); ++i)
    if (!(a.list_item(i) == b.list_item(i))) return false;
  return true;
}
}  // namespace

bool Val::operator==(const Val& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case ValKind::List: return lists_equal(*this, o);
    case ValKind::F32: return f32 == o.f32 || (f32 != f32 && o.f32 != o.f32);
    case ValKind::F64: return f64 == o.f64 || (f64 != f64 && o.f64 != o.f64);
    case ValKind::String: return str == o.str;
    case ValKind::Own: case ValKind::Borrow: return u == o.u && resource == o.resource;
    default: return u == o.u && items == o.items;
  }
}

std::string to_string(const Val& v) {
  auto seq = [&](const char* open, const char* close) {
    std::string s = open;
    for (size_t i = 0; i < v.list_size(); ++i) s += (i ? ", " : "") + to_string(v.list_item(i));
    return s + close;
  };
  auto cased = [&](std::string head) {
    return v.items.empty() ? head : head + "(" + to_string(v.items[0]) + ")";
  };
  switch (v.kind) {
    case ValKind::Bool: return v.u ? "true" : "false";
    case ValKind::S8: case ValKind::S16: case ValKind::S32: case ValKind::S64:
      return fmt::format("{}", int64_t(v.u));
    case ValKind::U8: case ValKind::U16: case ValKind::U32: case ValKind::U64:
      return fmt::format("{}", v.u);
    case ValKind::F32: return fmt::format("{}", v.f32);
    case ValKind::F64: return fmt::format("{}", v.f64);
    case ValKind::Char: { std::string s = "'"; encode_utf8(char32_t(v.u), s); return s + "'"; }
    case ValKind::String: return "\"" + v.str + "\"";
    case ValKind::List: return seq("[", "]");
    case ValKind::Record: return seq("{", "}");
    case ValKind::Tuple: return seq("(", ")");
    case ValKind::Variant: return cased(fmt::format("case{}", v.u));
    case ValKind::Enum: return fmt::format("enum{}", v.u);
    case ValKind::Option: return v.u ? cased("some") : "none";
    case ValKind::Result: return cased(v.u ? "err" : "ok");
    case ValKind::Flags: return fmt::format("flags({:#x})", v.u);
    case ValKind::Own: return fmt::format("own({})", v.u);
    case ValKind::Borrow: return fmt::format("borrow({})", v.u);
  }
  return "?";
}

}  // namespace wippy::component
