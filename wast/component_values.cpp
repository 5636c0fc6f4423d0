// component_values.cpp — script values to Vals, result matching, printing.
#include "wast/component_values.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>

#include "interp/quote.h"

namespace wippy::wast {

namespace {

using component::Val;
using component::ValKind;
using component::VType;
using component::WastCValue;
using CKind = WastCValue::Kind;

Error mismatch(const WastCValue& v, const VType& type) {
  return make_error(ErrorKind::Other,
                    fmt::format("value {} does not fit type {}", format_cvalue(v), component::type_to_string(type)));
}

// The script kind(s) an integer/float type accepts, and its width in bits.
struct ScalarInfo {
  CKind own;
  CKind core;  // the core-value spelling also accepted (same as `own` when none)
  unsigned bits;
  bool is_signed;
};

bool scalar_info(ValKind k, ScalarInfo& out) {
  switch (k) {
    case ValKind::S8: out = {CKind::S8, CKind::S8, 8, true}; return true;
    case ValKind::U8: out = {CKind::U8, CKind::U8, 8, false}; return true;
    case ValKind::S16: out = {CKind::S16, CKind::S16, 16, true}; return true;
    case ValKind::U16: out = {CKind::U16, CKind::U16, 16, false}; return true;
    case ValKind::S32: out = {CKind::S32, CKind::CoreI32, 32, true}; return true;
    case ValKind::U32: out = {CKind::U32, CKind::CoreI32, 32, false}; return true;
    case ValKind::S64: out = {CKind::S64, CKind::CoreI64, 64, true}; return true;
    case ValKind::U64: out = {CKind::U64, CKind::CoreI64, 64, false}; return true;
    default: return false;
  }
}

int label_index(const VType& type, const std::string& name) {
  for (size_t i = 0; i < type.labels.size(); ++i)
    if (type.labels[i] == name) return int(i);
  return -1;
}

bool is_float_kind(CKind k, bool f32) {
  return f32 ? (k == CKind::F32 || k == CKind::CoreF32) : (k == CKind::F64 || k == CKind::CoreF64);
}

// A case payload: present exactly when the case has a type.
Result<std::optional<Val>> payload(const WastCValue& v, const VType* type) {
  if (!type) {
    if (!v.items.empty()) return make_error(ErrorKind::Other, "a payload was given for a case without one");
    return std::optional<Val>();
  }
  if (v.items.size() != 1) return make_error(ErrorKind::Other, "a case payload is missing");
  auto p = to_component_val(v.items[0], *type);
  if (!p) return p.error();
  return std::optional<Val>(std::move(*p));
}

bool float_matches(const WastCValue& e, bool f32, const Val& got) {
  uint64_t bits = f32 ? std::bit_cast<uint32_t>(got.f32) : std::bit_cast<uint64_t>(got.f64);
  uint64_t exp_mask = f32 ? 0x7f800000u : 0x7ff0000000000000ull;
  uint64_t frac_mask = f32 ? 0x007fffffu : 0x000fffffffffffffull;
  uint64_t quiet = f32 ? 0x00400000u : 0x0008000000000000ull;
  bool is_nan = (bits & exp_mask) == exp_mask && (bits & frac_mask) != 0;
  if (e.nan_canonical) return is_nan && (bits & frac_mask) == quiet;
  if (e.nan_arithmetic) return is_nan && (bits & quiet) != 0;
  return bits == e.bits;
}

}  // namespace

Result<Val> to_component_val(const WastCValue& v, const VType& type) {
  ScalarInfo si;
  if (scalar_info(type.kind, si)) {
    if (v.kind != si.own && v.kind != si.core) return mismatch(v, type);
    uint64_t b = v.bits;
    if (si.bits < 64) {
      b &= (uint64_t(1) << si.bits) - 1;
      if (si.is_signed && (b >> (si.bits - 1)) & 1) b |= ~uint64_t(0) << si.bits;
    }
    Val out;
    out.kind = type.kind;
    out.u = b;
    return out;
  }
  switch (type.kind) {
    case ValKind::Bool:
      if (v.kind != CKind::Bool) return mismatch(v, type);
      return Val::boolean(v.bits != 0);
    case ValKind::F32:
      if (!is_float_kind(v.kind, true) || v.nan_canonical || v.nan_arithmetic) return mismatch(v, type);
      return Val::f32v(std::bit_cast<float>(uint32_t(v.bits)));
    case ValKind::F64:
      if (!is_float_kind(v.kind, false) || v.nan_canonical || v.nan_arithmetic) return mismatch(v, type);
      return Val::f64v(std::bit_cast<double>(v.bits));
    case ValKind::Char:
      if (v.kind != CKind::Char) return mismatch(v, type);
      return Val::character(uint32_t(v.bits));
    case ValKind::String:
      if (v.kind != CKind::String) return mismatch(v, type);
      return Val::string(v.str);
    case ValKind::List:
    case ValKind::Tuple: {
      if (v.kind != (type.kind == ValKind::List ? CKind::List : CKind::Tuple)) return mismatch(v, type);
      if (type.kind == ValKind::Tuple && v.items.size() != type.elems.size()) return mismatch(v, type);
      std::vector<Val> items;
      for (size_t i = 0; i < v.items.size(); ++i) {
        auto e = to_component_val(v.items[i], *type.elems[type.kind == ValKind::List ? 0 : i]);
        if (!e) return e.error();
        items.push_back(std::move(*e));
      }
      return type.kind == ValKind::List ? Val::list(std::move(items)) : Val::tuple(std::move(items));
    }
    case ValKind::Record: {
      if (v.kind != CKind::Record || v.items.size() != type.labels.size()) return mismatch(v, type);
      std::vector<Val> fields(type.labels.size());
      std::vector<bool> seen(type.labels.size());
      for (size_t i = 0; i < v.items.size(); ++i) {
        int at = label_index(type, v.names[i]);
        if (at < 0 || seen[size_t(at)])
          return make_error(ErrorKind::Other, fmt::format("unknown or repeated field \"{}\"", quote_input(v.names[i])));
        seen[size_t(at)] = true;
        auto e = to_component_val(v.items[i], *type.elems[size_t(at)]);
        if (!e) return e.error();
        fields[size_t(at)] = std::move(*e);
      }
      return Val::record(std::move(fields));
    }
    case ValKind::Variant: {
      if (v.kind != CKind::Variant) return mismatch(v, type);
      int at = label_index(type, v.str);
      if (at < 0) return make_error(ErrorKind::Other, fmt::format("unknown case \"{}\"", quote_input(v.str)));
      auto p = payload(v, type.elems[size_t(at)].get());
      if (!p) return p.error();
      return Val::variant(uint32_t(at), std::move(*p));
    }
    case ValKind::Enum: {
      if (v.kind != CKind::Enum) return mismatch(v, type);
      int at = label_index(type, v.str);
      if (at < 0) return make_error(ErrorKind::Other, fmt::format("unknown case \"{}\"", quote_input(v.str)));
      return Val::enumeration(uint32_t(at));
    }
    case ValKind::Option: {
      if (v.kind != CKind::Option) return mismatch(v, type);
      if (!v.is_some) return Val::none();
      auto p = payload(v, type.elems[0].get());
      if (!p) return p.error();
      return Val::some(std::move(**p));
    }
    case ValKind::Result: {
      if (v.kind != CKind::Result) return mismatch(v, type);
      auto p = payload(v, type.elems[v.is_ok ? 0 : 1].get());
      if (!p) return p.error();
      return v.is_ok ? Val::ok(std::move(*p)) : Val::err(std::move(*p));
    }
    case ValKind::Flags: {
      if (v.kind != CKind::Flags) return mismatch(v, type);
      uint64_t bits = 0;
      for (const auto& n : v.names) {
        int at = label_index(type, n);
        if (at < 0) return make_error(ErrorKind::Other, fmt::format("unknown flag \"{}\"", quote_input(n)));
        bits |= uint64_t(1) << at;
      }
      Val out = Val::flags(0);
      out.u = bits;
      return out;
    }
    case ValKind::Own:
    case ValKind::Borrow:
      return make_error(ErrorKind::Other, "resource handles have no script value");
    default:
      return mismatch(v, type);
  }
}

bool component_val_matches(const WastCValue& e, const VType& type, const Val& got) {
  if (got.kind != type.kind) return false;
  switch (type.kind) {
    case ValKind::F32:
    case ValKind::F64: {
      bool f32 = type.kind == ValKind::F32;
      return is_float_kind(e.kind, f32) && float_matches(e, f32, got);
    }
    case ValKind::List:
    case ValKind::Tuple: {
      if (e.kind != (type.kind == ValKind::List ? CKind::List : CKind::Tuple)) return false;
      std::vector<Val> scratch;
      auto& items = list_elems(got, scratch);
      if (e.items.size() != items.size()) return false;
      if (type.kind == ValKind::Tuple && type.elems.size() != items.size()) return false;
      for (size_t i = 0; i < e.items.size(); ++i)
        if (!component_val_matches(e.items[i], *type.elems[type.kind == ValKind::List ? 0 : i], items[i]))
          return false;
      return true;
    }
    case ValKind::Record: {
      if (e.kind != CKind::Record || e.items.size() != type.labels.size()) return false;
      if (got.items.size() != type.labels.size()) return false;
      for (size_t i = 0; i < e.items.size(); ++i) {
        int at = label_index(type, e.names[i]);
        if (at < 0 || !component_val_matches(e.items[i], *type.elems[size_t(at)], got.items[size_t(at)]))
          return false;
      }
      return true;
    }
    case ValKind::Variant:
    case ValKind::Option:
    case ValKind::Result: {
      uint32_t want = 0;
      const VType* ptype = nullptr;
      if (type.kind == ValKind::Variant) {
        if (e.kind != CKind::Variant) return false;
        int at = label_index(type, e.str);
        if (at < 0) return false;
        want = uint32_t(at);
        ptype = type.elems[want].get();
      } else if (type.kind == ValKind::Option) {
        if (e.kind != CKind::Option) return false;
        want = e.is_some ? 1 : 0;
        ptype = e.is_some ? type.elems[0].get() : nullptr;
      } else {
        if (e.kind != CKind::Result) return false;
        want = e.is_ok ? 0 : 1;
        ptype = type.elems[want].get();
      }
      if (got.case_index() != want) return false;
      if (!ptype) return e.items.empty() && got.items.empty();
      return e.items.size() == 1 && got.items.size() == 1 && component_val_matches(e.items[0], *ptype, got.items[0]);
    }
    case ValKind::Own:
    case ValKind::Borrow:
      return false;
    default: {
      auto want = to_component_val(e, type);
      return want && *want == got;
    }
  }
}

std::string format_cvalue(const WastCValue& v) {
  auto seq = [&](const char* open, const char* close) {
    std::string s = open;
    for (size_t i = 0; i < v.items.size(); ++i) {
      s += i ? ", " : "";
      if (v.kind == CKind::Record) s += v.names[i] + ": ";
      s += format_cvalue(v.items[i]);
    }
    return s + close;
  };
  auto cased = [&](const std::string& head) {
    return v.items.empty() ? head : head + "(" + format_cvalue(v.items[0]) + ")";
  };
  auto sext = [&](unsigned bits) {
    uint64_t b = v.bits;
    if (bits < 64 && (b >> (bits - 1)) & 1) b |= ~uint64_t(0) << bits;
    return int64_t(b);
  };
  switch (v.kind) {
    case CKind::Bool: return v.bits ? "true" : "false";
    case CKind::S8: return fmt::format("{}", sext(8));
    case CKind::S16: return fmt::format("{}", sext(16));
    case CKind::S32: case CKind::CoreI32: return fmt::format("{}", sext(32));
    case CKind::S64: case CKind::CoreI64: return fmt::format("{}", int64_t(v.bits));
    case CKind::U8: case CKind::U16: case CKind::U32: case CKind::U64: return fmt::format("{}", v.bits);
    case CKind::F32: case CKind::CoreF32:
    case CKind::F64: case CKind::CoreF64: {
      if (v.nan_canonical) return "nan:canonical";
      if (v.nan_arithmetic) return "nan:arithmetic";
      bool f32 = v.kind == CKind::F32 || v.kind == CKind::CoreF32;
      if (f32) return fmt::format("{} (0x{:08x})", std::bit_cast<float>(uint32_t(v.bits)), v.bits);
      return fmt::format("{} (0x{:016x})", std::bit_cast<double>(v.bits), v.bits);
    }
    case CKind::Char: return fmt::format("char U+{:04X}", v.bits);
    case CKind::String: return "\"" + v.str + "\"";
    case CKind::List: return seq("[", "]");
    case CKind::Tuple: return seq("(", ")");
    case CKind::Record: return seq("{", "}");
    case CKind::Variant: return cased(v.str);
    case CKind::Enum: return v.str;
    case CKind::Option: return v.is_some ? cased("some") : "none";
    case CKind::Result: return cased(v.is_ok ? "ok" : "err");
    case CKind::Flags: {
      std::string s = "{";
      for (size_t i = 0; i < v.names.size(); ++i) s += (i ? ", " : "") + v.names[i];
      return s + "}";
    }
  }
  return "?";
}

}  // namespace wippy::wast
