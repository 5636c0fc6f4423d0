// table_image.cpp — per-module images of the tables a module defines, as
// its active element segments fill them (see table_image.h).
#include "interp/runtime/table_image.h"

#include "interp/runtime/const_eval.h"
#include "interp/store.h"

namespace wippy {

void mark_defined_func(std::vector<uint64_t>& bits, const Module& m, uint32_t func_index) {
  const uint32_t imported = m.num_imported_funcs();
  if (func_index < imported || func_index - imported >= m.funcs.size()) return;
  const uint32_t d = func_index - imported;
  if (bits.empty()) bits.assign((m.funcs.size() + 63) / 64, 0);
  bits[d >> 6] |= uint64_t{1} << (d & 63);
}

std::unique_ptr<const TableImages> build_table_images(const Module& m) {
  const uint32_t imported = m.num_imported_tables();
  for (const ConstExpr& init : m.table_inits)
    if (init.begin != init.end) return nullptr;
  std::vector<uint64_t> reach(m.tables.size(), 0), written(m.tables.size(), 0);
  bool any = false;
  for (const ElemSegment& seg : m.elems) {
    if (seg.mode != SegmentMode::Active) continue;
    if (!seg.uses_indices) return nullptr;
    const auto off = constant_offset(m, seg.offset);
    const uint64_t size = m.table_type(seg.table).limits.min;
    if (!off || *off > size || seg.size() > size - *off) return nullptr;
    if (seg.table < imported) continue;
    const uint32_t k = seg.table - imported;
    if (seg.size() != 0) reach[k] = std::max(reach[k], *off + seg.size());
    written[k] += seg.size();
    any = true;
  }
  if (!any) return nullptr;
  for (size_t k = 0; k < reach.size(); ++k)
    if (reach[k] > kTableImageAnyEntries && reach[k] > kTableImageMaxSparsity * written[k]) return nullptr;

  auto images = std::make_unique<TableImages>();
  images->tables.resize(m.tables.size());
  for (size_t k = 0; k < reach.size(); ++k) images->tables[k].assign(reach[k], 0);
  for (const ElemSegment& seg : m.elems) {
    if (seg.mode != SegmentMode::Active) continue;
    const uint64_t off = *constant_offset(m, seg.offset);
    if (seg.table >= imported) {
      uint64_t* to = images->tables[seg.table - imported].data() + off;
      for (uint32_t fi : seg.func_indices) *to++ = lazy_func_entry(fi);
      continue;
    }
    for (uint32_t fi : seg.func_indices) mark_defined_func(images->imported_table_funcs, m, fi);
  }
  return images;
}

}  // namespace wippy
