// ref_bits.h — how a reference of the any and extern hierarchies is spelled
// in a 64-bit Value::ref. 0 is null. The top two bits tell the kinds apart:
//   10 (bit 63): an i31, the 31-bit payload in the low bits (canonical, so
//                ref.eq is a comparison of the 64 bits);
//   01 (bit 62): a GC object (struct or array), its address in the low bits;
//   00, non-zero: a host value (an externref, or one internalized into any).
// A host externref must therefore be non-zero and below 2^62 (kMaxHostRef).
// any.convert_extern and extern.convert_any change nothing in the bits, so
// externalizing and internalizing round-trip exactly. Funcrefs (FuncInst*)
// and exnrefs live in hierarchies of their own and are never tagged.
#pragma once
#include <cstdint>

#include "interp/types.h"

namespace wippy {

inline constexpr uint64_t kRefTagMask = uint64_t(3) << 62;
inline constexpr uint64_t kRefI31Tag = uint64_t(1) << 63;
inline constexpr uint64_t kRefObjTag = uint64_t(1) << 62;
inline constexpr uint64_t kMaxHostRef = (uint64_t(1) << 62) - 1;

inline constexpr uint64_t ref_i31(uint32_t v) { return kRefI31Tag | (v & 0x7FFFFFFFu); }
inline constexpr bool ref_is_i31(uint64_t r) { return (r & kRefTagMask) == kRefI31Tag; }
inline constexpr bool ref_is_obj(uint64_t r) { return (r & kRefTagMask) == kRefObjTag; }
inline constexpr bool ref_is_host(uint64_t r) { return r != 0 && (r & kRefTagMask) == 0; }
inline constexpr uint32_t i31_get_u(uint64_t r) { return uint32_t(r) & 0x7FFFFFFFu; }
inline constexpr uint32_t i31_get_s(uint64_t r) { return uint32_t(int32_t(uint32_t(r) << 1) >> 1); }

// The first words of every GC object (the collector's, runtime/gc_heap.h,
// follow): its canonical type id in the store and whether it is a struct
// or an array.
struct GcHead {
  uint32_t type_id = 0;
  CompKind kind = CompKind::Struct;
};

template <class T>
inline T* ref_obj(uint64_t r) { return reinterpret_cast<T*>(r & ~kRefTagMask); }
template <class T>
inline uint64_t obj_ref(const T* p) { return reinterpret_cast<uint64_t>(p) | kRefObjTag; }

// Whether non-null `r` of the any or extern hierarchy is of the abstract
// heap type `heap` (any, eq, i31, struct, array, extern; a bottom never is).
inline bool ref_of_abstract(uint64_t r, uint32_t heap) {
  switch (heap) {
    case kHeapAny:
    case kHeapExtern: return true;
    case kHeapEq: return (r & kRefTagMask) != 0;
    case kHeapI31: return ref_is_i31(r);
    case kHeapStruct: return ref_is_obj(r) && ref_obj<GcHead>(r)->kind == CompKind::Struct;
    case kHeapArray: return ref_is_obj(r) && ref_obj<GcHead>(r)->kind == CompKind::Array;
    default: return false;
  }
}

}  // namespace wippy
