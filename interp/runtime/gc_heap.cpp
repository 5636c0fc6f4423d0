// gc_heap.cpp — GC object layout, allocation and the mark-sweep collector.
#include "interp/runtime/gc_heap.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace wippy {

uint32_t storage_bytes(ValType t) {
  if (t == kPackedI8) return 1;
  if (t == kPackedI16) return 2;
  if (t == ValType::I32 || t == ValType::F32) return 4;
  if (t == ValType::V128) return 16;
  return 8;  // i64, f64, references
}

GcLayout make_gc_layout(const SubType& s) {
  GcLayout l;
  l.kind = s.kind;
  l.fields = s.fields;
  if (s.kind == CompKind::Array) {
    l.size = s.fields.empty() ? 1 : storage_bytes(s.fields[0].type);
    l.elem_ref = !s.fields.empty() && is_ref(s.fields[0].type);
    return l;
  }
  uint32_t at = 0;
  for (const FieldType& f : s.fields) {
    const uint32_t n = storage_bytes(f.type);
    at = (at + n - 1) / n * n;
    l.offsets.push_back(at);
    if (is_ref(f.type)) l.ref_offsets.push_back(at);
    at += n;
  }
  l.size = (at + 15) / 16 * 16;
  return l;
}

GcHeap::~GcHeap() {
  for (void* p : poisoned_) std::free(p);
  for (GcObject* o = head_; o;) {
    GcObject* next = o->next;
    std::free(o);
    o = next;
  }
}

uint64_t GcHeap::object_bytes(const GcLayout& layout, uint32_t length) {
  const uint64_t body = layout.kind == CompKind::Array ? uint64_t(length) * layout.size : layout.size;
  return sizeof(GcObject) + (body + 15) / 16 * 16;
}

GcObject* GcHeap::allocate(uint32_t type_id, const GcLayout& layout, uint32_t length) {
  const uint64_t n = object_bytes(layout, length);
  void* p = std::calloc(1, size_t(n));
  if (!p) return nullptr;
  GcObject* o = new (p) GcObject;
  o->type_id = type_id;
  o->kind = layout.kind;
  o->length = layout.kind == CompKind::Array ? length : 0;
  o->layout = &layout;
  o->next = head_;
  head_ = o;
  bytes_ += n;
  since_ += n;
  ++count_;
  return o;
}

void GcHeap::trace() {
  while (!grey_.empty()) {
    GcObject* o = grey_.back();
    grey_.pop_back();
    const GcLayout& l = *o->layout;
    uint64_t r;
    if (l.kind == CompKind::Struct) {
      for (uint32_t off : l.ref_offsets) std::memcpy(&r, o->payload() + off, 8), mark(r);
    } else if (l.elem_ref) {
      for (uint32_t i = 0; i < o->length; ++i) std::memcpy(&r, o->payload() + size_t(i) * 8, 8), mark(r);
    }
  }
}

uint64_t GcHeap::sweep() {
  trace();
  uint64_t freed = 0;
  GcObject** link = &head_;
  while (GcObject* o = *link) {
    if (o->marked) {
      o->marked = false;
      link = &o->next;
      continue;
    }
    *link = o->next;
    const uint64_t n = object_bytes(*o->layout, o->length);
    bytes_ -= n;
    --count_;
    ++freed;
    if (poison_) {
      std::memset(static_cast<void*>(o), 0xDB, size_t(n));
      poisoned_.push_back(o);
      continue;
    }
    std::free(o);
  }
  since_ = 0;
  ++collections_;
  budget_ = bytes_ > kMinGcBudget ? bytes_ : kMinGcBudget;
  return freed;
}

void GcHeap::unmark() {
  grey_.clear();
  for (GcObject* o = head_; o; o = o->next) o->marked = false;
}

}  // namespace wippy
