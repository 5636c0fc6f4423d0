// table_image.h — the entries a module's active element segments give the
// tables it defines, built once per module (its CompiledModule) and copied
// into every instance's tables as lazy entries (TableInst in store.h): no
// function is made until its entry is read (internal to interp/runtime;
// instantiate.cpp uses it).
// A module qualifies when every active element segment is of function
// indices, at a constant offset (const_eval.h) within its table's initial
// size (a defined table's minimum; an imported one's declared minimum,
// which the table linked in has at least), no table it defines has an
// initializer expression, and no image would be long and mostly null
// (kTableImageAnyEntries). Then no segment can fail and no segment sees
// another table's, so writing a defined table's image at once is what
// writing its segments in order would give. Segments into imported tables
// are still written in order by instantiation, their functions made first
// (`imported_table_funcs`). Otherwise instantiation writes every segment as
// the spec describes.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "interp/module.h"

namespace wippy {

// An image longer than this many entries is at most
// kTableImageMaxSparsity times the entries its segments write.
inline constexpr uint64_t kTableImageAnyEntries = 4096;
inline constexpr uint64_t kTableImageMaxSparsity = 4;

struct TableImages {
  // Per defined table: its first entries (lazy_func_entry or 0); the rest
  // of the table is null.
  std::vector<std::vector<uint64_t>> tables;
  // The defined functions that segments into imported tables name (bit d
  // % 64 of word d / 64, as CompiledModule::elem_funcs); empty if none.
  std::vector<uint64_t> imported_table_funcs;
};

// Sets the bit of `func_index` in `bits` (bit d % 64 of word d / 64, d its
// index among the module's defined functions), sizing `bits` on first use;
// an imported function sets nothing.
void mark_defined_func(std::vector<uint64_t>& bits, const Module& m, uint32_t func_index);

// The module's images, or null when it does not qualify.
std::unique_ptr<const TableImages> build_table_images(const Module& m);

}  // namespace wippy
