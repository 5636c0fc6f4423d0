// gc_roots.h — the collector's view of the interpreter. Functions of a
// module that can hold GC references are compiled with stack maps (code.h
// GcStackMap): which frame slots hold references at each call and each
// allocating instruction. An allocating handler publishes its own frame on
// the frame stack (pc + 1) and calls gc_alloc(); a call into the host
// publishes the caller's frame the same way, so nested invoke()s continue
// above it. A collection marks every wasm frame on the store's frame stack
// through its function's map at the frame's pc, every exception payload,
// and the store's own roots (Store::gc_mark_roots: globals, tables, element
// segments, pins), then sweeps. No root is guessed from a word's bits.
#pragma once
#include "code.h"

namespace wippy {
struct GcObject;
}

namespace wippy::exec {

// Whether a value of type `t` (of module `m`) can reference a GC object:
// a reference into the any or extern hierarchy (not i31, not a bottom type).
bool holds_gc_refs(const Module& m, ValType t);
// Whether any value of `m` can: its functions then get stack maps.
bool module_holds_gc_refs(const Module& m);

// An object of canonical type `id` (`length` elements for an array), or
// nullptr when it does not fit the store's limits even after a collection.
// The frames [st.frames, frames_end) are every wasm frame of the
// store, the allocating one included; frames_end null: do not collect.
GcObject* gc_alloc(Store& store, Store::ExecState& st, const Frame* frames_end, uint32_t id, uint32_t length);
// A collection now (the same roots); returns the objects freed.
uint64_t gc_collect(Store& store, Store::ExecState& st, const Frame* frames_end);

}  // namespace wippy::exec
