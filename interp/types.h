// types.h — WebAssembly types: value types (with 3.0 typed function
// references and the GC proposal's abstract heap types), function types,
// GC type definitions (SubType: struct/array/func in a recursion group),
// limits, table/memory/global types and extern kinds. Subtyping is
// type_graph.h's; canonical type ids are type_canon.h's.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
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

// Abstract heap types are their binary byte (the s33 heap type's low 7 bits).
// The 3.0 lattice: none <: i31, struct, array, concrete struct/array types
// <: eq <: any; nofunc <: concrete function types <: func; noextern <:
// extern; noexn <: exn.
inline constexpr uint32_t kHeapFunc = 0x70;
inline constexpr uint32_t kHeapExtern = 0x6F;
inline constexpr uint32_t kHeapAny = 0x6E;
inline constexpr uint32_t kHeapEq = 0x6D;
inline constexpr uint32_t kHeapI31 = 0x6C;
inline constexpr uint32_t kHeapStruct = 0x6B;
inline constexpr uint32_t kHeapArray = 0x6A;
inline constexpr uint32_t kHeapExn = 0x69;    // exception references (exnref = ref null exn)
inline constexpr uint32_t kHeapNone = 0x71;   // the bottom of any (nullref)
inline constexpr uint32_t kHeapNoExtern = 0x72;
inline constexpr uint32_t kHeapNoFunc = 0x73;
inline constexpr uint32_t kHeapNoExn = 0x74;  // the bottom of exn (nullexnref = ref null noexn)
inline constexpr uint32_t kHeapTypeBase = 0x100;  // heap kHeapTypeBase + i: type index i
inline constexpr uint32_t kMaxTypeIndexInRef = (1u << 24) - kHeapTypeBase;

// Whether b is an abstract heap type's byte; each is also the one-byte
// value type (ref null b): funcref, anyref, nullref, exnref, ...
inline constexpr bool is_abstract_heap(uint32_t b) {
  return (b >= kHeapExn && b <= kHeapFunc) || (b >= kHeapNone && b <= kHeapNoExn);
}

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
inline constexpr ValType kExnRef = ValType((kHeapExn << 8) | 0x63u);
// Packed storage types of struct and array fields (never a value type).
inline constexpr ValType kPackedI8 = ValType(0x78);
inline constexpr ValType kPackedI16 = ValType(0x77);
inline bool is_packed(ValType t) { return t == kPackedI8 || t == kPackedI16; }
// The value type a field of storage type t is read and written as.
inline ValType unpacked(ValType t) { return is_packed(t) ? ValType::I32 : t; }
inline bool is_valtype_byte(uint8_t b) {
  return b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F;
}
const char* valtype_name(ValType t);
// The abstract heap type named `name` once `suffix` is removed from it:
// ("any", "") and ("anyref", "ref") give kHeapAny; the bottoms' shorthands
// drop their "no" ("nullref", "nullfuncref"). Nothing for other names.
std::optional<uint32_t> abstract_heap_named(std::string_view name, std::string_view suffix);  // "i32", "funcref", "(ref null typeidx)", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string functype_to_string(const FuncType& t);  // "(i32 i64) -> (f32)"

// GC proposal type definitions. Every type index of a module is a subtype
// (`sub final? $super? comptype`) inside a recursion group; a plain
// `(type (func ...))` is a final subtype without supertype alone in its group.
enum class CompKind : uint8_t { Func = 0, Struct = 1, Array = 2 };
struct FieldType {
  ValType type = ValType::I32;  // a value type, kPackedI8 or kPackedI16
  bool mut = false;
  bool operator==(const FieldType&) const = default;
};
inline constexpr uint32_t kNoSuper = UINT32_MAX;
struct SubType {
  CompKind kind = CompKind::Func;  // Func: the signature is Module::types[i]
  bool final = true;
  uint32_t super = kNoSuper;       // declared supertype (type index)
  uint32_t num_supers = 0;         // as declared (more than one is invalid)
  uint32_t rec_begin = 0;          // its recursion group: [rec_begin, rec_begin + rec_size)
  uint32_t rec_size = 1;
  std::vector<FieldType> fields;   // Struct: the fields; Array: one element field
};

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
