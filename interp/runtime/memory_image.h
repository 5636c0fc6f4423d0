// memory_image.h — copy-on-write images of linear memories (internal to
// interp/runtime; the mechanism behind snapshot.h).
// An image is a sealed memfd holding a memory's bytes at capture time, up to
// the last OS page that is not all zero (zero pages are holes in the file and
// take no space). capture_memory_image() maps the image MAP_PRIVATE over the
// start of the memory's reservation, so the guest keeps running on the same
// address with the same contents, and every page it writes afterwards becomes
// a private copy. reset_memory() drops those private copies with
// madvise(MADV_DONTNEED): the next access reads the image again (or zero past
// it), so a reset costs time for the pages touched since the last reset, not
// for the size of the memory.
//
// A small image (up to kCopiedImageMaxBytes) is not mapped over a memory
// that holds its bytes in anonymous pages already (a fresh instance's data
// segments, copied): MemoryInst::image_copied. Mapping it would cost an
// mmap that replaces those pages (a TLB shootdown on the other cores) and
// a fault on each page used again; a reset compares and copies back the
// few pages written as before, and one that drops every page copies the
// image in again.
//
// Invariant kept for every MemoryInst: [0, image->bytes) is mapped from
// `image`, or holds a copy of its bytes in anonymous memory (image_copied;
// nothing when image is null), the rest of the reservation is
// anonymous memory, [0, committed) is read-write, [size, committed) reads
// zero, and [committed, reserved) is PROT_NONE and reads zero when it is
// committed again. A reset that copies back a few pages leaves memory grown
// since the capture open past the new size (zeroed), so neither the reset
// nor the next call's growth makes a system call.
#pragma once
#include <cstdint>
#include <memory>

#include "base/result.h"
#include "interp/store.h"

namespace wippy {

struct MemoryImage {
  int fd = -1;         // sealed memfd (size, contents immutable)
  uint64_t bytes = 0;  // length of the file-backed prefix (whole OS pages)
  // The file mapped read-only once, for comparing a memory against the
  // image without a mapping (and its page faults) per comparison. Set
  // whenever bytes > 0 (make_memory_image fails otherwise).
  const uint8_t* view = nullptr;
  // A module's data image (data_image.h), which later instances ask for:
  // a memory mapping it may go back to a MemoryPool with it mapped
  // (memory_pool.h). Snapshot images are never asked for, so not pooled.
  bool module_data = false;
  MemoryImage() = default;
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;
  ~MemoryImage();
};

// The largest image capture_memory_image leaves copied (not mapped).
inline constexpr uint64_t kCopiedImageMaxBytes = 16 * 1024;

// The OS page size (images are whole OS pages).
uint64_t os_page_size();

// A new image holding `size` bytes from `data` (size a multiple of the OS
// page size; bytes past the last non-zero page are left out, zero pages are
// holes). Null when every byte is zero. When `data` is page-aligned, the
// bytes from `anonymous_from` on may be declared private anonymous memory:
// pages of it the kernel holds nothing for are known zero without reading
// them (held_pages.h). `module_data` is stored in the image.
Result<std::shared_ptr<const MemoryImage>> make_memory_image(const uint8_t* data, uint64_t size,
                                                             uint64_t anonymous_from = UINT64_MAX,
                                                             bool module_data = false);

// Writes m's current contents into a new image and maps it over m (the
// contents do not change), or leaves it copied (image_copied: a small image
// over anonymous memory), or leaves it mapped when it is m's mapped image
// already. Returns null when the memory is all zero: then
// the whole memory is anonymous and a reset only has to zero it. When m
// holds exactly `like`'s bytes (followed by zeros), `like` itself is used
// and returned instead of a new image: stores of one program share it.
Result<std::shared_ptr<const MemoryImage>> capture_memory_image(
    MemoryInst& m, const std::shared_ptr<const MemoryImage>& like = nullptr);

// Gives m the size `size` (bytes, whole wasm pages) and the contents of
// `image` followed by zeros. Cheap when `image` is the one mapped in m
// (the usual case); otherwise the reservation is remapped. On error the
// memory's contents are unspecified (the store should be discarded).
Result<void> reset_memory(MemoryInst& m, const std::shared_ptr<const MemoryImage>& image, uint64_t size);

// The same for a memory just created: one with no image that reads all
// zero (a fresh reservation or a pool's block, memory_pool.h) at its
// current size: the image mapped over its start is all it takes when the
// image fits that size (one mmap instead of three system calls); otherwise
// reset_memory(m, image, m.size). A pool's block that comes with `image`
// mapped (reset when it was given back) needs nothing.
Result<void> map_image_fresh(MemoryInst& m, const std::shared_ptr<const MemoryImage>& image);

}  // namespace wippy
