// type_graph.h — the WebAssembly 3.0 subtyping relation. A TypeGraph views
// a list of defined types: each one's kind and declared supertype, and a
// canonical id per index (equal ids: equivalent types, by iso-recursive
// equivalence of their recursion groups). A Module gives one over its type
// indices (module_graph(), ids = Module::type_canon); a Store over its
// interned ids (canonical already: `canon` empty). heap_subtype() and
// val_subtype() implement the abstract lattice of types.h plus declared
// subtyping; neither ever reads outside the graph (an index past its end is
// a subtype of nothing, as in a module that is not yet validated).
#pragma once
#include <cstdint>
#include <span>

#include "types.h"

namespace wippy {

struct TypeGraph {
  std::span<const SubType> subs;    // per index: kind, final, declared super (an index here)
  std::span<const uint32_t> canon;  // canonical id per index; empty: the index itself

  bool has(uint32_t i) const { return i < subs.size(); }
  uint32_t canonical(uint32_t i) const { return canon.empty() ? i : canon[i]; }
};

// The top of a heap type's hierarchy: kHeapAny, kHeapFunc, kHeapExtern or kHeapExn.
inline uint32_t heap_top(const TypeGraph& g, uint32_t h) {
  if (h >= kHeapTypeBase) {
    uint32_t i = h - kHeapTypeBase;
    return g.has(i) && g.subs[i].kind != CompKind::Func ? kHeapAny : kHeapFunc;
  }
  switch (h) {
    case kHeapFunc: case kHeapNoFunc: return kHeapFunc;
    case kHeapExtern: case kHeapNoExtern: return kHeapExtern;
    case kHeapExn: case kHeapNoExn: return kHeapExn;
    default: return kHeapAny;
  }
}

// The bottom of a heap type's hierarchy: kHeapNone, kHeapNoFunc, ...
inline uint32_t heap_bottom(const TypeGraph& g, uint32_t h) {
  switch (heap_top(g, h)) {
    case kHeapFunc: return kHeapNoFunc;
    case kHeapExtern: return kHeapNoExtern;
    case kHeapExn: return kHeapNoExn;
    default: return kHeapNone;
  }
}

// Defined type a (an index of g) declares b, or a type equivalent to it,
// among its supertypes (itself included).
inline bool defined_subtype(const TypeGraph& g, uint32_t a, uint32_t b) {
  if (!g.has(a) || !g.has(b)) return false;
  const uint32_t want = g.canonical(b);
  for (size_t steps = 0; steps <= g.subs.size(); ++steps) {
    uint32_t ca = g.canonical(a);
    if (ca == want) return true;
    a = g.subs[a].super;
    if (!g.has(a)) return false;
  }
  return false;  // a cycle (only in a graph that failed validation)
}

inline bool heap_subtype(const TypeGraph& g, uint32_t a, uint32_t b) {
  if (a == b) return true;
  const bool da = a >= kHeapTypeBase, db = b >= kHeapTypeBase;
  if (da && db) return defined_subtype(g, a - kHeapTypeBase, b - kHeapTypeBase);
  if (da) {
    uint32_t i = a - kHeapTypeBase;
    if (!g.has(i)) return false;
    switch (g.subs[i].kind) {
      case CompKind::Func: return b == kHeapFunc;
      case CompKind::Struct: return b == kHeapStruct || b == kHeapEq || b == kHeapAny;
      case CompKind::Array: return b == kHeapArray || b == kHeapEq || b == kHeapAny;
    }
    return false;
  }
  if (db) return g.has(b - kHeapTypeBase) && a == heap_bottom(g, b);
  switch (b) {
    case kHeapAny: return a == kHeapEq || a == kHeapI31 || a == kHeapStruct || a == kHeapArray || a == kHeapNone;
    case kHeapEq: return a == kHeapI31 || a == kHeapStruct || a == kHeapArray || a == kHeapNone;
    case kHeapI31: case kHeapStruct: case kHeapArray: return a == kHeapNone;
    case kHeapFunc: return a == kHeapNoFunc;
    case kHeapExtern: return a == kHeapNoExtern;
    case kHeapExn: return a == kHeapNoExn;
    default: return false;
  }
}

// a <: b for value types: numeric and vector types only match themselves;
// (ref null? ha) <: (ref null? hb) when ha <: hb and a is not nullable
// where b is not.
inline bool val_subtype(const TypeGraph& g, ValType a, ValType b) {
  if (a == b) return true;
  if (!is_ref(a) || !is_ref(b)) return false;
  if (ref_nullable(a) && !ref_nullable(b)) return false;
  return heap_subtype(g, ref_heap(a), ref_heap(b));
}

// Equivalent types: subtypes of each other.
inline bool val_equivalent(const TypeGraph& g, ValType a, ValType b) {
  return val_subtype(g, a, b) && val_subtype(g, b, a);
}

}  // namespace wippy
