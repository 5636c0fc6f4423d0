// snapshot.h — StoreSnapshot: capture a Store's mutable state once (after
// instantiation, before any call) and bring the store back to it before
// each reuse, as warm instance pools need.
//
// What is captured and restored: every memory (contents and size: memory
// grown since the capture shrinks back, and the excess reads zero when it
// is grown again), every table (size and elements), every mutable global,
// and each instance's data and element segments (undoing data.drop and
// elem.drop). A component instance is many core instances in one Store, so
// the snapshot covers the whole store.
//
// Mechanism for memories (interp/runtime/memory_image.h): capture writes
// each memory into its own sealed memfd (zero pages left as holes) and maps
// it MAP_PRIVATE over the memory's fixed reservation, so the guest writes to
// private copy-on-write pages; restore copies back the few pages that
// differ (up to 64, found through /proc/self/pagemap; pages grown since the
// capture are zeroed and stay read-write past the restored size, which
// bounds every access) or else calls madvise(MADV_DONTNEED) on the memory,
// which discards exactly the pages touched since the last restore (the next
// access faults in the image page, or zero), and mprotects pages grown
// since the capture back to PROT_NONE. The cost is proportional to the
// pages touched, not to the memory size, and needs no per-store copy of the
// image. This is the approach of wasmtime's pooling allocator; it was chosen
// over soft-dirty bits (clearing them is process-wide and needs /proc) and
// userfaultfd (a fault-handling thread, often disabled for unprivileged
// processes). Tables and globals are small and restored by copying.
//
// Rules: restore only into the store that was captured, and only while no
// call into it is running (after a call returned or trapped is fine: a trap
// leaves nothing behind but state that restore overwrites). Objects created
// in the store after the capture (more instances, memories, tables,
// globals) make restore fail, since it could not undo them; so does any GC
// object ever allocated in the store (GC heaps are not captured). Snapshots of
// different stores are independent, even for the same module. A second
// capture of the same store is allowed; restoring an older snapshot then
// remaps its image (slower, still correct). If restore fails (a system call
// failed) the store's state is unspecified and it should be discarded.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "interp/store.h"

namespace wippy {

class StoreSnapshot {
 public:
  // `like` (optional): memory images of another store of the same program,
  // by memory index (as images() returned them); a memory whose contents
  // equal its image there shares that image instead of getting a new one.
  static Result<StoreSnapshot> capture(Store& store,
                                       std::span<const std::shared_ptr<const MemoryImage>> like = {});
  Result<void> restore(Store& store) const;

  // Bytes of memory images held (file-backed prefixes, holes included).
  uint64_t image_bytes() const;
  // The memory images, by memory index (null: that memory was all zero).
  std::vector<std::shared_ptr<const MemoryImage>> images() const;

 private:
  struct Memory {
    std::shared_ptr<const MemoryImage> image;  // null: all zero at capture
    uint64_t size = 0;
  };
  struct Segments {
    std::vector<std::vector<uint64_t>> elems;
    std::vector<std::span<const uint8_t>> datas;
  };
  const Store* store_ = nullptr;
  std::vector<Memory> memories_;               // parallel to the store's memories
  std::vector<std::vector<uint64_t>> tables_;  // parallel to the store's tables
  std::vector<std::pair<size_t, Value>> globals_;  // (store index, value) of mutable globals
  size_t global_count_ = 0;
  std::vector<Segments> instances_;            // parallel to the store's instances
};

}  // namespace wippy
