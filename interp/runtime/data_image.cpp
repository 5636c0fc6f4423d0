// data_image.cpp — per-module memory images of the active data segments
// (see data_image.h).
#include "interp/runtime/data_image.h"

#include <optional>

#include "interp/exec/code.h"
#include "interp/runtime/const_eval.h"
#include "interp/runtime/memory_image.h"

namespace wippy {

namespace {

// Null when the module does not qualify (data_image.h).
Result<std::shared_ptr<const DataImages>> build(const Module& m) {
  const uint32_t imported = m.num_imported_memories();
  std::vector<uint64_t> end(m.memories.size(), 0);  // bytes the segments reach
  uint64_t total = 0;
  for (const DataSegment& seg : m.datas) {
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory < imported) return std::shared_ptr<const DataImages>();
    auto off = constant_offset(m, seg.offset);
    if (!off) return std::shared_ptr<const DataImages>();
    const uint64_t pages = m.memories[seg.memory - imported].limits.min;
    const uint64_t limit = pages > UINT64_MAX / kPageSize ? UINT64_MAX : pages * kPageSize;
    if (*off > limit || seg.end - seg.begin > limit - *off) return std::shared_ptr<const DataImages>();
    const uint64_t reach = *off + (seg.end - seg.begin);
    end[seg.memory - imported] = std::max(end[seg.memory - imported], reach);
    total += seg.end - seg.begin;
  }
  if (total < kDataImageMinBytes) return std::shared_ptr<const DataImages>();
  // An image is as long as the reach of its segments: a few bytes far into
  // a big memory would make a huge one (copying them costs little).
  for (uint64_t e : end)
    if (e > kDataImageAnyBytes && e > kDataImageMaxSparsity * total) return std::shared_ptr<const DataImages>();

  auto images = std::make_shared<DataImages>();
  images->memories.resize(m.memories.size());
  images->kept = m.datas.size();
  while (images->kept > 0 && m.datas[images->kept - 1].mode == SegmentMode::Active) --images->kept;
  const uint64_t page = os_page_size();
  for (uint32_t k = 0; k < m.memories.size(); ++k) {
    if (end[k] == 0) continue;
    std::vector<uint8_t> contents((end[k] + page - 1) / page * page, 0);
    for (const DataSegment& seg : m.datas) {
      if (seg.mode != SegmentMode::Active || seg.memory != imported + k) continue;
      const uint64_t off = *constant_offset(m, seg.offset);
      std::span<const uint8_t> bytes = m.span(seg.begin, seg.end);
      std::copy(bytes.begin(), bytes.end(), contents.begin() + ptrdiff_t(off));
    }
    auto img = make_memory_image(contents.data(), contents.size(), UINT64_MAX, /*module_data=*/true);
    if (!img) return img.error();
    images->memories[k] = std::move(*img);
  }
  return std::shared_ptr<const DataImages>(std::move(images));
}

}  // namespace

Result<std::shared_ptr<const DataImages>> data_images(CompiledModule& code) {
  std::lock_guard lock(code.images_mu);
  // The first instance copies: a module instantiated once (a one-shot run)
  // does not pay for an image it would use once.
  if (code.image_requests < 2) ++code.image_requests;
  if (!code.images_built && code.image_requests >= 2) {
    auto built = build(*code.module);
    if (!built) return built.error();
    code.images = std::move(*built);
    code.images_built = true;
  }
  return code.images;
}

}  // namespace wippy
