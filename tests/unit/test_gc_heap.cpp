// Unit tests for the GC heap on its own (interp/runtime/gc_heap.h): struct
// and array layouts, what a collection keeps (roots and what they reach,
// cycles), what it frees, long chains marked without recursion, and the
// collection budget growing with the live size.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "interp/runtime/gc_heap.h"

using namespace wippy;

namespace {

SubType struct_of(std::vector<FieldType> fields) {
  SubType s;
  s.kind = CompKind::Struct;
  s.fields = std::move(fields);
  return s;
}

void set_ref(GcObject* o, uint32_t offset, uint64_t r) { std::memcpy(o->payload() + offset, &r, 8); }

}  // namespace

TEST_CASE("gc heap: layouts align fields to their size and list reference fields") {
  const GcLayout l = make_gc_layout(
      struct_of({{kPackedI8, true}, {ValType::I32, false}, {kPackedI16, true}, {make_ref(true, kHeapAny), true}}));
  CHECK(l.offsets == std::vector<uint32_t>{0, 4, 8, 16});
  CHECK(l.ref_offsets == std::vector<uint32_t>{16});
  CHECK(l.size == 32);
  SubType a;
  a.kind = CompKind::Array;
  a.fields = {{kPackedI16, true}};
  const GcLayout al = make_gc_layout(a);
  CHECK(al.size == 2);
  CHECK_FALSE(al.elem_ref);
  CHECK(GcHeap::object_bytes(al, 9) == sizeof(GcObject) + 32);
  CHECK(make_gc_layout(struct_of({})).size == 0);
}

TEST_CASE("gc heap: a collection keeps roots and what they reach, frees the rest") {
  const GcLayout node = make_gc_layout(struct_of({{make_ref(true, kHeapAny), true}}));
  GcHeap heap;
  GcObject* a = heap.allocate(1, node, 0);
  GcObject* b = heap.allocate(1, node, 0);
  GcObject* c = heap.allocate(1, node, 0);  // garbage
  GcObject* d = heap.allocate(1, node, 0);  // garbage cycle with e
  GcObject* e = heap.allocate(1, node, 0);
  REQUIRE((a && b && c && d && e));
  set_ref(a, 0, obj_ref(b));
  set_ref(b, 0, obj_ref(a));  // a live cycle
  set_ref(d, 0, obj_ref(e));
  set_ref(e, 0, obj_ref(d));
  set_ref(c, 0, ref_i31(5));
  CHECK(heap.objects() == 5);
  heap.mark(obj_ref(a));
  heap.mark(ref_i31(3));  // not an object: ignored
  heap.mark(0);
  CHECK(heap.sweep() == 3);
  CHECK(heap.objects() == 2);
  CHECK(heap.bytes() == 2 * GcHeap::object_bytes(node, 0));
  heap.mark(obj_ref(b));  // marks are cleared by each sweep
  CHECK(heap.sweep() == 0);
  CHECK(heap.sweep() == 2);  // no roots
  CHECK(heap.bytes() == 0);
}

TEST_CASE("gc heap: a long chain and a large array of references are marked without recursion") {
  const GcLayout node = make_gc_layout(struct_of({{ValType::I64, false}, {make_ref(true, kHeapEq), true}}));
  SubType at;
  at.kind = CompKind::Array;
  at.fields = {{make_ref(true, kHeapAny), true}};
  const GcLayout arr = make_gc_layout(at);
  GcHeap heap;
  uint64_t head = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    GcObject* o = heap.allocate(2, node, 0);
    REQUIRE(o);
    set_ref(o, 8, head);
    head = obj_ref(o);
  }
  GcObject* big = heap.allocate(3, arr, 1000);
  REQUIRE(big);
  for (uint32_t i = 0; i < 1000; ++i) set_ref(big, i * 8, i % 2 ? head : ref_i31(i));
  CHECK(heap.due());  // 1 M objects: well past the first budget
  heap.mark(obj_ref(big));
  CHECK(heap.sweep() == 0);
  CHECK_FALSE(heap.due());
  CHECK(heap.sweep() == 1'000'001);
  CHECK(heap.objects() == 0);
}
