// values.cpp — argument conversion, result matching and formatting.
#include "wast/values.h"

#include <bit>
#include <cstring>
#include <fmt/format.h>

#include "interp/ref_bits.h"

namespace wippy::wast {

namespace {
// Both reference types are in one hierarchy (func, extern, any or exn); a
// type index (a function, struct or array type: the script does not know
// which) goes with any hierarchy but extern.
bool same_hierarchy(ValType a, ValType b) {
  if (ref_heap(a) >= kHeapTypeBase || ref_heap(b) >= kHeapTypeBase)
    return heap_top(TypeGraph{}, ref_heap(a)) != kHeapExtern && heap_top(TypeGraph{}, ref_heap(b)) != kHeapExtern;
  return heap_top(TypeGraph{}, ref_heap(a)) == heap_top(TypeGraph{}, ref_heap(b));
}
}  // namespace

std::optional<Value> to_value(const WastValue& v, ValType type, std::string& why) {
  auto mismatch = [&]() -> std::optional<Value> {
    why = fmt::format("argument {} does not fit parameter type {}", format_expected(v), valtype_name(type));
    return std::nullopt;
  };
  switch (v.kind) {
    case WastValue::Num:
      if (v.type != type) return mismatch();
      if (type == ValType::I32 || type == ValType::F32) return val_i32(uint32_t(v.bits));
      return val_i64(v.bits);
    case WastValue::RefNull:
      if (!is_ref(type) || !ref_nullable(type) || !same_hierarchy(v.type, type)) return mismatch();
      return val_ref(0);
    case WastValue::RefExtern:
      if (!is_ref(type) || ref_heap(type) != kHeapExtern) return mismatch();
      return val_ref(extern_payload(v.bits));
    case WastValue::RefHost:
      if (!is_ref(type) || ref_heap(type) != kHeapAny) return mismatch();  // of no narrower type
      return val_ref(extern_payload(v.bits));
    case WastValue::V128:
      why = "v128 values are not supported by this engine";
      return std::nullopt;
    default:
      return mismatch();
  }
}

bool append_arg(const WastValue& v, ValType type, std::vector<Value>& out, std::string& why) {
  if (v.kind == WastValue::V128 && type == ValType::V128) {
    uint64_t lo, hi;
    std::memcpy(&lo, v.v128, 8);
    std::memcpy(&hi, v.v128 + 8, 8);
    out.push_back(val_i64(lo));
    out.push_back(val_i64(hi));
    return true;
  }
  auto x = to_value(v, type, why);
  if (!x) return false;
  out.push_back(*x);
  return true;
}

namespace {

bool nan_matches(WastValue::Kind kind, ValType type, Value got) {
  if (type == ValType::F32) {
    uint32_t b = got.i32;
    if (kind == WastValue::NanCanonical) return (b & 0x7FFFFFFFu) == 0x7FC00000u;
    return (b & 0x7FC00000u) == 0x7FC00000u;
  }
  if (type == ValType::F64) {
    uint64_t b = got.i64;
    if (kind == WastValue::NanCanonical) return (b & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
    return (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
  }
  return false;
}

}  // namespace

bool matches(const WastValue& e, ValType type, Value got) {
  switch (e.kind) {
    case WastValue::Num:
      if (e.type != type) return false;
      if (type == ValType::I32 || type == ValType::F32) return got.i32 == uint32_t(e.bits);
      return got.i64 == e.bits;
    case WastValue::NanCanonical:
    case WastValue::NanArithmetic:
      return e.type == type && nan_matches(e.kind, type, got);
    case WastValue::RefNull:
      if (e.type == kAnyNullRef) return is_ref(type) && got.ref == 0;
      return is_ref(type) && same_hierarchy(e.type, type) && got.ref == 0;
    case WastValue::RefExtern:
      // (ref.extern) without a number is a RefOf pattern.
      return is_ref(type) && ref_heap(type) == kHeapExtern && got.ref == extern_payload(e.bits);
    case WastValue::RefFunc:
      return is_ref(type) && ref_heap(type) != kHeapExtern && got.ref != 0;
    case WastValue::RefHost:
      return is_ref(type) && heap_top(TypeGraph{}, ref_heap(type)) == kHeapAny && got.ref == extern_payload(e.bits);
    case WastValue::RefOf:
      return is_ref(type) && same_hierarchy(e.type, type) && got.ref != 0 && ref_of_abstract(got.ref, ref_heap(e.type));
    case WastValue::V128:
      return false;
  }
  return false;
}

bool matches_packed(const WastValue& e, ValType type, const Value* got) {
  if (type != ValType::V128) return matches(e, type, *got);
  if (e.kind != WastValue::V128) return false;
  uint8_t bytes[16];
  std::memcpy(bytes, got, 16);
  if (e.lanes.empty()) return std::memcmp(bytes, e.v128, 16) == 0;
  unsigned lb = e.lane_bits / 8;
  for (size_t i = 0; i < e.lanes.size(); ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, bytes + i * lb, lb);
    if (!matches(e.lanes[i], e.lane_type, val_i64(bits))) return false;
  }
  return true;
}

namespace {

std::string hex_bytes(const uint8_t* b) {
  std::string s = "v128:i32x4";
  for (int i = 0; i < 4; ++i) {
    uint32_t w;
    std::memcpy(&w, b + 4 * i, 4);
    s += fmt::format(" 0x{:08x}", w);
  }
  return s;
}

}  // namespace

std::string format_packed(ValType type, const Value* v) {
  if (type != ValType::V128) return format_value(type, *v);
  uint8_t b[16];
  std::memcpy(b, v, 16);
  return hex_bytes(b);
}

std::string format_value(ValType type, Value v) {
  switch (type) {
    case ValType::I32: return fmt::format("i32:{}", int32_t(v.i32));
    case ValType::I64: return fmt::format("i64:{}", int64_t(v.i64));
    case ValType::F32: return fmt::format("f32:{} (0x{:08x})", std::bit_cast<float>(v.i32), v.i32);
    case ValType::F64: return fmt::format("f64:{} (0x{:016x})", std::bit_cast<double>(v.i64), v.i64);
    case ValType::FuncRef: return v.ref ? "ref.func" : "ref.null func";
    case ValType::ExternRef:
      if (!v.ref) return "ref.null extern";
      return ref_is_host(v.ref) ? fmt::format("ref.extern {}", v.ref - 1) : "ref.extern (an externalized anyref)";
    case ValType::V128: return "v128";
  }
  if (is_ref(type) && v.ref && heap_top(TypeGraph{}, ref_heap(type)) == kHeapAny) {
    if (ref_is_i31(v.ref)) return fmt::format("ref.i31 {}", i31_get_u(v.ref));
    if (ref_is_obj(v.ref)) return ref_of_abstract(v.ref, kHeapStruct) ? "ref.struct" : "ref.array";
    return fmt::format("ref.host {}", v.ref - 1);
  }
  if (is_ref(type)) return v.ref ? "ref" : "ref.null";
  return "?";
}

std::string format_expected(const WastValue& v) {
  switch (v.kind) {
    case WastValue::Num: {
      Value x = (v.type == ValType::I32 || v.type == ValType::F32) ? val_i32(uint32_t(v.bits)) : val_i64(v.bits);
      return format_value(v.type, x);
    }
    case WastValue::NanCanonical: return fmt::format("{}:nan:canonical", valtype_name(v.type));
    case WastValue::NanArithmetic: return fmt::format("{}:nan:arithmetic", valtype_name(v.type));
    case WastValue::RefNull:
      if (v.type == kAnyNullRef) return "ref.null";
      return v.type == ValType::FuncRef ? "ref.null func" : "ref.null extern";
    case WastValue::RefExtern: return fmt::format("ref.extern {}", v.bits);
    case WastValue::RefFunc: return "ref.func";
    case WastValue::RefHost: return fmt::format("ref.host {}", v.bits);
    case WastValue::RefOf:
      switch (ref_heap(v.type)) {
        case kHeapI31: return "ref.i31";
        case kHeapEq: return "ref.eq";
        case kHeapStruct: return "ref.struct";
        case kHeapArray: return "ref.array";
        case kHeapExtern: return "ref.extern";
        default: return "ref.any";
      }
    case WastValue::V128:
      if (v.lanes.empty()) return hex_bytes(v.v128);
      {
        std::string s = fmt::format("v128:{}x{}", valtype_name(v.lane_type), 128 / v.lane_bits);
        for (const WastValue& l : v.lanes) s += " " + format_expected(l);
        return s;
      }
  }
  return "?";
}

}  // namespace wippy::wast
