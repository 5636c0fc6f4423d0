// gc_heap.h — a store's GC heap: the struct and array objects that GC
// references point at (ref_bits.h tags them), and a mark-sweep collector.
// Objects are malloc'd, zeroed, and chained in one list; collect() is given
// the roots by its caller as typed reference values (never scanned words),
// marks through reference fields and elements with an explicit stack (no
// recursion, so long chains are fine) and frees what is unmarked. Nothing
// here knows frames, stores or limits: the store decides when to collect
// (due(): allocation since the last collection reached the live size, at
// least kMinGcBudget, so work stays linear) and whether an allocation fits
// its memory limit (bytes()). One heap belongs to one store and one thread.
#pragma once
#include <cstdint>
#include <vector>

#include "interp/ref_bits.h"
#include "interp/types.h"

namespace wippy {

// How the objects of one struct or array type are laid out.
struct GcLayout {
  CompKind kind = CompKind::Struct;
  std::vector<FieldType> fields;      // struct: its fields; array: the one element field
  std::vector<uint32_t> offsets;      // struct: each field's byte offset in the payload
  std::vector<uint32_t> ref_offsets;  // struct: the offsets of its reference fields
  uint32_t size = 0;                  // struct: payload bytes; array: bytes per element
  bool elem_ref = false;              // array: its elements are references
};

// Bytes a field of storage type t takes: 1 (i8), 2 (i16), 4, 8 (i64, f64,
// references) or 16 (v128); fields are aligned to their size.
uint32_t storage_bytes(ValType t);
// The layout of struct or array type `s` (s.kind is not Func).
GcLayout make_gc_layout(const SubType& s);

struct GcObject : GcHead {
  bool marked = false;
  uint32_t length = 0;  // array: elements (struct: 0)
  const GcLayout* layout = nullptr;
  GcObject* next = nullptr;  // the heap's list of every object
  uint8_t* payload() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* payload() const { return reinterpret_cast<const uint8_t*>(this + 1); }
};
static_assert(sizeof(GcObject) % 16 == 0, "payloads stay 16-byte aligned");
// A GC object's reference (ref_bits.h's tag) and back.
inline uint64_t gc_ref(const GcObject* o) { return obj_ref<GcHead>(o); }
inline GcObject* gc_object(uint64_t r) { return static_cast<GcObject*>(ref_obj<GcHead>(r)); }

inline constexpr uint64_t kMinGcBudget = uint64_t(1) << 20;

class GcHeap {
 public:
  GcHeap() = default;
  GcHeap(const GcHeap&) = delete;
  GcHeap& operator=(const GcHeap&) = delete;
  ~GcHeap();

  // Bytes an object of `layout` with `length` elements takes (header included).
  static uint64_t object_bytes(const GcLayout& layout, uint32_t length);
  // A zeroed object of type `type_id` (the store's canonical id), or nullptr
  // when malloc fails. `layout` must outlive the object.
  GcObject* allocate(uint32_t type_id, const GcLayout& layout, uint32_t length);

  uint64_t bytes() const { return bytes_; }      // every object, live or not yet collected
  uint64_t objects() const { return count_; }
  uint64_t collections() const { return collections_; }
  bool due() const { return since_ >= budget_; }  // time for a collection

  // A collection: mark() each root reference (any value of a reference
  // type: only tagged objects are followed), then sweep(); returns the
  // objects freed.
  void mark(uint64_t ref) {
    if (!ref_is_obj(ref)) return;
    GcObject* o = gc_object(ref);
    if (!o->marked) o->marked = true, grey_.push_back(o);
  }
  uint64_t sweep();
  // Abandons a collection after some marks: clears them, frees nothing.
  void unmark();
  // Testing: swept objects are poisoned (every byte 0xDB, type id and
  // length included) and kept until the heap dies instead of freed, so a
  // reference the collector missed reads poison rather than a reused block.
  void set_poison(bool on) { poison_ = on; }

 private:
  void trace();
  GcObject* head_ = nullptr;
  uint64_t bytes_ = 0, count_ = 0, since_ = 0, budget_ = kMinGcBudget, collections_ = 0;
  std::vector<GcObject*> grey_;  // marked, fields not yet visited
  bool poison_ = false;
  std::vector<void*> poisoned_;
};

}  // namespace wippy
