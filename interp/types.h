// types.h — WebAssembly types: value types (with 3.0 typed function
// references), function types, limits, table/memory/global types and
// extern kinds.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace wippy {

// Value types. Numeric and vector types are their binary byte. Reference
// types: funcref (= ref null func) and externref (= ref null extern) are
// their byte too; every other reference type (typed function references)
// is `0x64` (ref ht) or `0x63` (ref null ht) in the low byte with the heap
// type above it: kHeapFunc / kHeapExtern, or kHeapTypeBase + a type index
// of the module. make_ref() keeps one spelling per type (ref null func is
// always FuncRef), so equal types compare equal.
enum class ValType : uint32_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline constexpr uint32_t kHeapFunc = 0x70;
inline constexpr uint32_t kHeapExtern = 0x6F;
inline constexpr uint32_t kHeapExn = 0x69;    // exception references (exnref = ref null exn)
inline constexpr uint32_t kHeapNoExn = 0x74;  // the bottom of exn (nullexnref = ref null noexn)
inline constexpr uint32_t kHeapTypeBase = 0x100;  // heap kHeapTypeBase + i: type index i
inline constexpr uint32_t kMaxTypeIndexInRef = (1u << 24) - kHeapTypeBase;

inline ValType make_ref(bool nullable, uint32_t heap) {
  if (nullable && heap == kHeapFunc) return ValType::FuncRef;
  if (nullable && heap == kHeapExtern) return ValType::ExternRef;
  return ValType((heap << 8) | (nullable ? 0x63u : 0x64u));
}
inline bool is_ref(ValType t) {
  uint32_t b = uint32_t(t) & 0xFF;
  return t == ValType::FuncRef || t == ValType::ExternRef || ((b == 0x63 || b == 0x64) && uint32_t(t) > 0xFF);
}
inline bool ref_nullable(ValType t) {  // t is a reference type
  return t == ValType::FuncRef || t == ValType::ExternRef || (uint32_t(t) & 0xFF) == 0x63;
}
inline uint32_t ref_heap(ValType t) {  // t is a reference type
  if (t == ValType::FuncRef) return kHeapFunc;
  if (t == ValType::ExternRef) return kHeapExtern;
  return uint32_t(t) >> 8;
}
// The type index of a (ref null? $t), or -1.
inline int64_t ref_type_index(ValType t) {
  if (!is_ref(t) || ref_heap(t) < kHeapTypeBase) return -1;
  return int64_t(ref_heap(t) - kHeapTypeBase);
}
// Whether a local of type t needs no initialization (numbers, nullable refs).
inline bool is_defaultable(ValType t) { return !is_ref(t) || ref_nullable(t); }
// a <: b for the function-references type system: a non-null reference is a
// subtype of the nullable one; any function heap type is below `func`.
inline bool is_subtype(ValType a, ValType b) {
  if (a == b) return true;
  if (!is_ref(a) || !is_ref(b)) return false;
  if (ref_nullable(a) && !ref_nullable(b)) return false;
  uint32_t ha = ref_heap(a), hb = ref_heap(b);
  return ha == hb || (hb == kHeapFunc && ha >= kHeapTypeBase) || (hb == kHeapExn && ha == kHeapNoExn);
}
// The one-byte shorthands exnref (0x69) and nullexnref (0x74).
inline bool is_exn_shorthand_byte(uint8_t b) { return b == kHeapExn || b == kHeapNoExn; }
inline constexpr ValType kExnRef = ValType((kHeapExn << 8) | 0x63u);
inline bool is_valtype_byte(uint8_t b) {
  return b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F;
}
const char* valtype_name(ValType t);  // "i32", "funcref", "(ref null typeidx)", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string functype_to_string(const FuncType& t);  // "(i32 i64) -> (f32)"

struct Limits {
  uint64_t min = 0;
  bool has_max = false;
  uint64_t max = 0;
  bool is64 = false;  // memory64 / table64: the address type is i64 (else i32)
};
// The address type of a memory or table with these limits.
inline ValType addr_type(const Limits& l) { return l.is64 ? ValType::I64 : ValType::I32; }

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;        // in 64 KiB pages
  bool shared = false;  // threads proposal: decoded, checked on import (needs a
                        // maximum, must match); no atomics, one thread runs it
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* extern_kind_name(ExternKind k);

inline constexpr uint32_t kPageSize = 65536;
inline constexpr uint32_t kMaxPages = 65536;  // 4 GiB for 32-bit memories
// memory64's limit on declared sizes (2^48 pages); a memory's reservation,
// and so how far it can actually grow, stays kMaxPages.
inline constexpr uint64_t kMaxPages64 = uint64_t(1) << 48;

}  // namespace wippy
