// Unit tests for interp/snapshot.h: after StoreSnapshot::restore a store's
// memories (bytes and size), tables, mutable globals and dropped segments
// are back at their captured state; repeated call/restore cycles, restore
// after a trap, independent stores of one module, a second capture, the
// region past a shrunk memory (zero, or PROT_NONE), a grow's headroom,
// small images copied rather than mapped, and the cases restore refuses.
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "interp/runtime/held_pages.h"
#include "interp/runtime/memory_image.h"
#include "interp/runtime/memory_map.h"
#include "interp/snapshot.h"
#include "host_access.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

// "dirty" changes every kind of state the snapshot covers; the other
// exports observe it.
constexpr const char* kModule = R"((module
  (memory (export "mem") 1 8)
  (data (i32.const 0) "hello")
  (data (i32.const 40000) "far")
  (data $p "passive!")
  (global $g (export "g") (mut i32) (i32.const 42))
  (global $k (export "k") i64 (i64.const 7))
  (table $t (export "tab") 2 10 funcref)
  (elem (i32.const 0) $one)
  (elem $pe func $two $one)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func (export "dirty")
    (i32.store (i32.const 0) (i32.const 0x58585858))
    (i32.store (i32.const 40000) (i32.const 0))
    (i32.store (i32.const 60000) (i32.const 0x01020304))
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 0x20000) (i32.const 99))
    (global.set $g (i32.const 1000))
    (table.set $t (i32.const 1) (ref.func $two))
    (drop (table.grow $t (ref.func $one) (i32.const 3)))
    (data.drop $p)
    (elem.drop $pe))
  (func (export "trap_midway")
    (i32.store (i32.const 8) (i32.const 5))
    (global.set $g (i32.const 5))
    (drop (memory.grow (i32.const 1)))
    (table.set $t (i32.const 1) (ref.func $one))
    unreachable)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "get_g") (result i32) (global.get $g))
  (func (export "tab_size") (result i32) (table.size $t))
  (func (export "tab_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "call_tab") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  ;; copies the passive data segment to 100 and returns its first byte
  (func (export "init_data") (result i32)
    (memory.init $p (i32.const 100) (i32.const 0) (i32.const 8))
    (i32.load8_u (i32.const 100)))
  ;; copies the passive element segment to the table; returns table[0]()
  (func (export "init_elem") (result i32)
    (table.init $t $pe (i32.const 0) (i32.const 0) (i32.const 2))
    (call_indirect (result i32) (i32.const 0)))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
))";

uint32_t load32(const MemoryInst& m, uint64_t off) {
  uint32_t v;
  std::memcpy(&v, m.data + off, 4);
  return v;
}

// The post-instantiation state of kModule, checked through the guest and
// directly on the store objects.
void check_pristine(Store& s, Instance* inst) {
  MemoryInst* m = inst->export_memory("mem");
  CHECK(m->pages() == 1);
  CHECK(call_i32(s, inst, "size") == 1);
  CHECK(std::memcmp(m->data, "hello", 5) == 0);
  CHECK(std::memcmp(m->data + 40000, "far", 3) == 0);
  CHECK(load32(*m, 60000) == 0);
  CHECK(load32(*m, 100) == 0);
  CHECK(call_i32(s, inst, "get_g") == 42);
  CHECK(inst->export_global("k")->value.i64 == 7);
  CHECK(call_i32(s, inst, "tab_size") == 2);
  CHECK(call_i32(s, inst, "call_tab", {val_i32(0)}) == 1);
  CHECK(call_i32(s, inst, "tab_null", {val_i32(1)}) == 1);
}

void check_dirty(Store& s, Instance* inst) {
  MemoryInst* m = inst->export_memory("mem");
  CHECK(m->pages() == 3);
  CHECK(load32(*m, 0) == 0x58585858);
  CHECK(load32(*m, 40000) == 0);
  CHECK(load32(*m, 60000) == 0x01020304);
  CHECK(load32(*m, 0x20000) == 99);
  CHECK(call_i32(s, inst, "get_g") == 1000);
  CHECK(call_i32(s, inst, "tab_size") == 5);
  CHECK(call_i32(s, inst, "call_tab", {val_i32(1)}) == 2);
  CHECK(inst->elem_segments[1].empty());
  CHECK(inst->data_segment(2).empty());
}

void restore_ok(const StoreSnapshot& snap, Store& s) {
  auto r = snap.restore(s);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
}

StoreSnapshot capture_ok(Store& s) {
  auto snap = StoreSnapshot::capture(s);
  REQUIRE_MESSAGE(snap.ok(), (snap.ok() ? "" : snap.error().message));
  return std::move(*snap);
}

}  // namespace

TEST_CASE("snapshot: restore brings memory, size, globals, tables and segments back") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  StoreSnapshot snap = capture_ok(s);
  check_pristine(s, inst);
  CHECK(snap.image_bytes() > 0);

  REQUIRE(call_export(s, inst, "dirty").ok());
  check_dirty(s, inst);
  // The dropped segments now trap.
  CHECK(call_export(s, inst, "init_data").error().kind == ErrorKind::Trap);
  CHECK(call_export(s, inst, "init_elem").error().kind == ErrorKind::Trap);

  restore_ok(snap, s);
  check_pristine(s, inst);
  // The segments are usable again.
  CHECK(call_i32(s, inst, "init_data") == 'p');
  CHECK(std::memcmp(inst->export_memory("mem")->data + 100, "passive!", 8) == 0);
  CHECK(call_i32(s, inst, "init_elem") == 2);
  // The pages grown by "dirty" were given back: regrown, they read zero.
  CHECK(call_export(s, inst, "load", {val_i32(0x20000)}).error().kind == ErrorKind::Trap);
  CHECK(call_i32(s, inst, "grow", {val_i32(2)}) == 1);
  CHECK(call_i32(s, inst, "load", {val_i32(0x20000)}) == 0);
}

TEST_CASE("snapshot: repeated call/restore cycles") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  StoreSnapshot snap = capture_ok(s);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(call_export(s, inst, "dirty").ok());
    check_dirty(s, inst);
    // Host writes count as well.
    inst->export_memory("mem")->data[50000 + i] = uint8_t(i + 1);
    restore_ok(snap, s);
    check_pristine(s, inst);
    CHECK(inst->export_memory("mem")->data[50000 + i] == 0);
  }
  // Restoring twice in a row is harmless.
  restore_ok(snap, s);
  restore_ok(snap, s);
  check_pristine(s, inst);
}

TEST_CASE("snapshot: restore after a trap mid-call") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  StoreSnapshot snap = capture_ok(s);
  auto r = call_export(s, inst, "trap_midway");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  // The writes before the trap stay until the restore.
  CHECK(load32(*inst->export_memory("mem"), 8) == 5);
  CHECK(call_i32(s, inst, "get_g") == 5);
  CHECK(call_i32(s, inst, "size") == 2);
  restore_ok(snap, s);
  check_pristine(s, inst);
  CHECK(load32(*inst->export_memory("mem"), 8) == 0);
  // The store keeps working.
  REQUIRE(call_export(s, inst, "dirty").ok());
  check_dirty(s, inst);
}

TEST_CASE("snapshot: two stores of one module are independent") {
  auto mod = compile_wat_module(kModule);
  Store a, b;
  Instance* ia = instantiate_ok(a, mod);
  Instance* ib = instantiate_ok(b, mod);
  // Give b a different captured state.
  std::memcpy(ib->export_memory("mem")->data, "WORLD", 5);
  ib->export_global("g")->value = val_i32(7);
  StoreSnapshot sa = capture_ok(a);
  StoreSnapshot sb = capture_ok(b);

  REQUIRE(call_export(a, ia, "dirty").ok());
  REQUIRE(call_export(b, ib, "dirty").ok());
  restore_ok(sa, a);
  check_pristine(a, ia);
  check_dirty(b, ib);  // untouched by a's restore
  restore_ok(sb, b);
  CHECK(std::memcmp(ib->export_memory("mem")->data, "WORLD", 5) == 0);
  CHECK(call_i32(b, ib, "get_g") == 7);
  CHECK(ib->export_memory("mem")->pages() == 1);
  // Each snapshot belongs to its store.
  CHECK_FALSE(sa.restore(b).ok());
  CHECK(std::memcmp(ib->export_memory("mem")->data, "WORLD", 5) == 0);
}

TEST_CASE("snapshot: an all-zero memory and writes across many pages") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (memory (export "mem") 16)
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
  )"));
  StoreSnapshot snap = capture_ok(s);
  CHECK(snap.image_bytes() == 0);
  MemoryInst* m = inst->export_memory("mem");
  for (uint64_t off = 0; off < m->size; off += 4096 * 3) m->data[off + 1] = 0xAB;
  restore_ok(snap, s);
  bool all_zero = true;
  for (uint64_t off = 0; off < m->size; ++off) all_zero = all_zero && m->data[off] == 0;
  CHECK(all_zero);
  CHECK(m->pages() == 16);
}

TEST_CASE("snapshot: a second capture, and restoring the older one") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  MemoryInst* m = inst->export_memory("mem");
  StoreSnapshot first = capture_ok(s);
  REQUIRE(call_export(s, inst, "dirty").ok());
  StoreSnapshot second = capture_ok(s);
  check_dirty(s, inst);  // capturing changes nothing
  m->data[10] = 1;
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == 3);

  restore_ok(first, s);
  check_pristine(s, inst);
  CHECK(m->data[10] == 0);
  restore_ok(second, s);
  check_dirty(s, inst);
  CHECK(m->data[10] == 0);
  restore_ok(first, s);
  check_pristine(s, inst);
  restore_ok(first, s);
  check_pristine(s, inst);
  // `first` maps only zeros past "far"; the bytes `second` had there must
  // not come back.
  CHECK(load32(*m, 60000) == 0);
}

TEST_CASE("snapshot: memory past the restored size is out of bounds and zero, bounds still hold") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  MemoryInst* m = inst->export_memory("mem");
  // kModule's memory may grow to 8 pages, less than the headroom a grow
  // opens (kGrowHeadroom): its whole reservation is open from the start.
  REQUIRE(m->reserved == 8 * kPageSize);
  REQUIRE(kGrowHeadroom >= 7 * kPageSize);
  CHECK(m->committed == 8 * kPageSize);
  StoreSnapshot snap = capture_ok(s);
  CHECK(readable(m->data, 8 * kPageSize));
  CHECK(closed_or_zero(m->data + kPageSize, 7 * kPageSize));
  REQUIRE(call_export(s, inst, "dirty").ok());
  restore_ok(snap, s);
  CHECK(readable(m->data, kPageSize));
  // A few pages were written: copied back, and the grown pages zeroed and
  // left open (no mprotect, no TLB shootdown); wasm cannot reach them.
  CHECK(m->size == kPageSize);
  CHECK(m->committed == 8 * kPageSize);
  CHECK(closed_or_zero(m->data + kPageSize, 7 * kPageSize));
  CHECK(call_export(s, inst, "load", {val_i32(kPageSize)}).error().kind == ErrorKind::Trap);
  CHECK(call_export(s, inst, "load8", {val_i32(2 * kPageSize + 16)}).error().kind == ErrorKind::Trap);
  // Grown again, they read zero where the last call wrote 99.
  CHECK(call_i32(s, inst, "grow", {val_i32(2)}) == 1);
  CHECK(call_i32(s, inst, "load", {val_i32(0x20000)}) == 0);
  restore_ok(snap, s);
  // memory.fill / memory.copy bounds follow the restored size.
  CHECK(call_export(s, inst, "fill", {val_i32(kPageSize - 4), val_i32(4)}).ok());
  CHECK(call_export(s, inst, "fill", {val_i32(kPageSize - 4), val_i32(5)}).error().kind == ErrorKind::Trap);
  CHECK(call_export(s, inst, "copy", {val_i32(0), val_i32(kPageSize - 2), val_i32(3)}).error().kind ==
        ErrorKind::Trap);
  CHECK(call_export(s, inst, "copy", {val_i32(kPageSize - 5), val_i32(0), val_i32(5)}).ok());
  CHECK(std::memcmp(m->data + kPageSize - 5, "hello", 5) == 0);
  // Growing up to the maximum still works and stops there.
  CHECK(call_i32(s, inst, "grow", {val_i32(7)}) == 1);
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == uint32_t(-1));
  CHECK(readable(m->data + 7 * kPageSize, kPageSize));
  restore_ok(snap, s);
  CHECK(m->pages() == 1);
  CHECK(closed_or_zero(m->data + kPageSize, 7 * kPageSize));
  // Many pages written past the restored size: dropped and closed again,
  // and opened with the headroom (here: the whole reservation) by a grow.
  CHECK(call_i32(s, inst, "grow", {val_i32(7)}) == 1);
  REQUIRE(call_export(s, inst, "fill", {val_i32(kPageSize), val_i32(7 * kPageSize)}).ok());
  restore_ok(snap, s);
  CHECK(m->pages() == 1);
  CHECK(m->committed == kPageSize);
  CHECK_FALSE(readable(m->data + kPageSize, 1));
  CHECK_FALSE(readable(m->data + 7 * kPageSize, 1));
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == 1);
  CHECK(m->committed == 8 * kPageSize);
  CHECK(readable(m->data + 7 * kPageSize, kPageSize));
  CHECK(call_i32(s, inst, "load8", {val_i32(kPageSize + 5)}) == 0);
  CHECK(call_export(s, inst, "load8", {val_i32(5 * kPageSize)}).error().kind == ErrorKind::Trap);
  CHECK(call_i32(s, inst, "grow", {val_i32(6)}) == 2);
  CHECK(call_i32(s, inst, "load8", {val_i32(5 * kPageSize)}) == 0);
}

TEST_CASE("memory: a grow opens kGrowHeadroom past the new size; later grows into it make no system call") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (memory (export "mem") 1 1000)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))
  )"));
  MemoryInst* m = inst->export_memory("mem");
  const uint64_t headroom_pages = kGrowHeadroom / kPageSize;
  REQUIRE(headroom_pages >= 2);
  CHECK(m->committed == kPageSize + kGrowHeadroom);
  CHECK(readable(m->data, m->committed));
  CHECK(closed_or_zero(m->data + kPageSize, kGrowHeadroom));
  CHECK_FALSE(readable(m->data + m->committed, 1));
  // Out of bounds in code although the pages are open.
  CHECK(call_export(s, inst, "load8", {val_i32(kPageSize)}).error().kind == ErrorKind::Trap);
  CHECK(call_export(s, inst, "store8", {val_i32(kPageSize), val_i32(1)}).error().kind == ErrorKind::Trap);
  // Growing within the headroom leaves it as it was (no mprotect).
  CHECK(call_i32(s, inst, "grow", {val_i32(uint32_t(headroom_pages))}) == 1);
  CHECK(m->committed == kPageSize + kGrowHeadroom);
  REQUIRE(call_export(s, inst, "store8", {val_i32(uint32_t(kGrowHeadroom)), val_i32(9)}).ok());
  // Past it, the next grow opens the new size plus the headroom again.
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == uint32_t(1 + headroom_pages));
  CHECK(m->committed == (2 + headroom_pages) * kPageSize + kGrowHeadroom);
  CHECK_FALSE(readable(m->data + m->committed, 1));
  CHECK(call_i32(s, inst, "load8", {val_i32(uint32_t(kGrowHeadroom))}) == 9);
  CHECK(call_i32(s, inst, "load8", {val_i32(uint32_t((2 + headroom_pages) * kPageSize - 1))}) == 0);
  CHECK(call_export(s, inst, "load8", {val_i32(uint32_t((2 + headroom_pages) * kPageSize))}).error().kind ==
        ErrorKind::Trap);
}

TEST_CASE("snapshot: restore refuses a store with objects added after the capture") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kModule));
  StoreSnapshot snap = capture_ok(s);
  REQUIRE(call_export(s, inst, "dirty").ok());
  instantiate_ok(s, compile_wat_module("(module (memory 1))"));
  auto r = snap.restore(s);
  CHECK_FALSE(r.ok());
  check_dirty(s, inst);  // nothing was changed
}

TEST_CASE("snapshot: stores whose memories start out the same share one image; a different one gets its own") {
  auto mod = compile_wat_module(kModule);
  Store a, b, c;
  Instance* ia = instantiate_ok(a, mod);
  Instance* ib = instantiate_ok(b, mod);
  Instance* ic = instantiate_ok(c, mod);
  std::memcpy(ic->export_memory("mem")->data + 200, "other", 5);  // c starts out different
  StoreSnapshot sa = capture_ok(a);
  const std::vector<std::shared_ptr<const MemoryImage>> first = sa.images();
  REQUIRE(first.size() == 1);
  REQUIRE(first[0] != nullptr);
  auto sb = StoreSnapshot::capture(b, first);
  REQUIRE(sb.ok());
  auto sc = StoreSnapshot::capture(c, first);
  REQUIRE(sc.ok());
  CHECK(sb->images()[0] == first[0]);  // the same bytes: the same image
  CHECK(sc->images()[0] != first[0]);  // different bytes: an image of its own
  // Each store still restores to its own state, whatever the others do.
  REQUIRE(call_export(a, ia, "dirty").ok());
  REQUIRE(call_export(b, ib, "dirty").ok());
  REQUIRE(call_export(c, ic, "dirty").ok());
  restore_ok(*sb, b);
  check_pristine(b, ib);
  check_dirty(a, ia);
  restore_ok(sa, a);
  check_pristine(a, ia);
  restore_ok(*sc, c);
  CHECK(std::memcmp(ic->export_memory("mem")->data + 200, "other", 5) == 0);
  CHECK(std::memcmp(ic->export_memory("mem")->data, "hello", 5) == 0);
}

TEST_CASE("snapshot: bytes past the shared image's end (anonymous pages) are seen when comparing and capturing") {
  auto mod = compile_wat_module(kModule);
  Store a, d;
  instantiate_ok(a, mod);
  Instance* id = instantiate_ok(d, mod);
  StoreSnapshot sa = capture_ok(a);
  const std::vector<std::shared_ptr<const MemoryImage>> first = sa.images();
  REQUIRE(first[0] != nullptr);
  MemoryInst* mem = id->export_memory("mem");
  REQUIRE(first[0]->bytes < 60000);
  mem->data[60000] = 7;  // one byte in a page past the image, held by the kernel only now
  auto sd = StoreSnapshot::capture(d, first);
  REQUIRE(sd.ok());
  CHECK(sd->images()[0] != first[0]);
  CHECK(sd->images()[0]->bytes > 60000);
  CHECK(mem->data[60000] == 7);
  mem->data[60000] = 9;
  restore_ok(*sd, d);
  CHECK(mem->data[60000] == 7);
}

TEST_CASE("held pages: written pages are held, untouched and dropped ones are not") {
  const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  const uint64_t len = 16 * page;
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  auto* base = static_cast<uint8_t*>(p);
  base[3 * page] = 1;
  base[7 * page + 5] = 1;
  base[8 * page] = 1;
  base[15 * page + page - 1] = 1;
  auto runs = [&] {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    REQUIRE(for_each_held_run(base, len, page, [&](uint64_t b, uint64_t e) { out.emplace_back(b / page, e / page); }));
    return out;
  };
  using Runs = std::vector<std::pair<uint64_t, uint64_t>>;
  CHECK(runs() == Runs{{3, 4}, {7, 9}, {15, 16}});
  REQUIRE(madvise(base + 7 * page, page, MADV_DONTNEED) == 0);
  CHECK(runs() == Runs{{3, 4}, {8, 9}, {15, 16}});
  munmap(p, len);
}

TEST_CASE("snapshot: a few written pages are copied back in place, many are dropped") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (memory (export "mem") 8)
    (data (i32.const 0) "hello")
    (data (i32.const 40000) "far")
    (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))
  )"));
  MemoryInst* m = inst->export_memory("mem");
  StoreSnapshot snap = capture_ok(s);
  REQUIRE(snap.images()[0] != nullptr);
  const uint64_t image_end = snap.images()[0]->bytes;
  const uint64_t page = os_page_size();
  REQUIRE(image_end < 3 * kPageSize);
  const std::vector<uint8_t> pristine(m->data, m->data + m->size);
  // Pages holding this mapping's own copy (written since the image was
  // mapped): present, not a page of the file, mapped here only (the
  // shared zero page, mapped by reads, is not); or swapped out.
  auto private_pages = [&] {
    const int fd = open_pagemap();
    REQUIRE(fd >= 0);
    std::vector<uint64_t> entries(m->size / page);
    const off_t at = off_t(reinterpret_cast<uintptr_t>(m->data) / page * sizeof(uint64_t));
    REQUIRE(pread(fd, entries.data(), entries.size() * sizeof(uint64_t), at) ==
            ssize_t(entries.size() * sizeof(uint64_t)));
    close_pagemap(fd);
    std::vector<uint64_t> out;
    for (uint64_t i = 0; i < entries.size(); ++i) {
      const uint64_t e = entries[i];
      const bool present = e >> 63, swapped = (e >> 62) & 1, file = (e >> 61) & 1, exclusive = (e >> 56) & 1;
      if (swapped || (present && !file && exclusive)) out.push_back(i);
    }
    return out;
  };
  auto fill = [&](uint32_t at, uint32_t n) { REQUIRE(call_export(s, inst, "fill", {val_i32(at), val_i32(n)}).ok()); };
  auto same_as_pristine = [&] { return std::memcmp(m->data, pristine.data(), pristine.size()) == 0; };

  // A page of the image, a page past its end, and reads elsewhere. (Reads
  // may map pages too, on kernels without a shared zero page: the checks
  // below compare the sets before and after a restore, with nothing read
  // in between.)
  fill(2, 3);
  fill(3 * kPageSize + 10, 20);
  CHECK(call_i32(s, inst, "load8", {val_i32(40000)}) == uint32_t('f'));
  CHECK(call_i32(s, inst, "load8", {val_i32(2 * kPageSize)}) == 0);
  const std::vector<uint64_t> written = private_pages();
  auto has = [](const std::vector<uint64_t>& v, uint64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  CHECK(has(written, 0));
  CHECK(has(written, 3 * kPageSize / page));
  restore_ok(snap, s);
  // Put back by copying: every page stays mapped (no shootdown, no fault
  // on the next call).
  CHECK(private_pages() == written);
  CHECK(same_as_pristine());
  CHECK(m->pages() == 8);
  fill(2, 3);
  restore_ok(snap, s);
  CHECK(same_as_pristine());

  // More pages than are copied back: they are dropped instead.
  fill(0, uint32_t(100 * page));
  CHECK(private_pages().size() >= 100);
  restore_ok(snap, s);
  CHECK(private_pages().empty());
  CHECK(same_as_pristine());
}

TEST_CASE("snapshot: a small image is copied, not mapped; both kinds of restore bring its bytes back") {
  const uint64_t page = os_page_size();
  auto mod = compile_wat_module(R"((module
    (memory (export "mem") 8)
    (data (i32.const 0) "hello")
    (data (i32.const 5000) "two")
    (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))
  )");
  Store s, t;
  Instance* inst = instantiate_ok(s, mod);
  Instance* other = instantiate_ok(t, mod);
  MemoryInst* m = inst->export_memory("mem");
  StoreSnapshot snap = capture_ok(s);
  const auto img = snap.images()[0];
  REQUIRE(img != nullptr);
  CHECK(img->bytes == (5003 + page - 1) / page * page);
  REQUIRE(img->bytes <= kCopiedImageMaxBytes);
  CHECK(m->image == img);
  CHECK(m->image_copied);
  // Page 0 is still the anonymous page the data segment was copied into (a
  // mapping of the image would have replaced it with a file page, or none).
  {
    const int fd = open_pagemap();
    REQUIRE(fd >= 0);
    uint64_t e = 0;
    const off_t at = off_t(reinterpret_cast<uintptr_t>(m->data) / page * sizeof(uint64_t));
    REQUIRE(pread(fd, &e, sizeof e, at) == ssize_t(sizeof e));
    close_pagemap(fd);
    CHECK((e >> 63) == 1);        // present
    CHECK(((e >> 61) & 1) == 0);  // not a file page
  }
  const std::vector<uint8_t> pristine(m->data, m->data + m->size);
  auto same_as_pristine = [&] { return std::memcmp(m->data, pristine.data(), pristine.size()) == 0; };
  auto fill = [&](uint32_t at, uint32_t n) { REQUIRE(call_export(s, inst, "fill", {val_i32(at), val_i32(n)}).ok()); };

  // A few pages: compared with the image and copied back.
  fill(2, 3);
  fill(5000, 1);
  fill(3 * kPageSize, 10);
  restore_ok(snap, s);
  CHECK(same_as_pristine());
  CHECK(m->image_copied);
  // Every page: dropped, and the image copied in again.
  fill(0, uint32_t(m->size));
  restore_ok(snap, s);
  CHECK(same_as_pristine());
  CHECK(call_i32(s, inst, "load8", {val_i32(1)}) == uint32_t('e'));
  CHECK(call_i32(s, inst, "load8", {val_i32(5002)}) == uint32_t('o'));
  CHECK(call_i32(s, inst, "load8", {val_i32(6000)}) == 0);
  // Another store of the module shares the image, copied too.
  auto st = StoreSnapshot::capture(t, snap.images());
  REQUIRE(st.ok());
  CHECK(st->images()[0] == img);
  CHECK(other->export_memory("mem")->image_copied);
  REQUIRE(call_export(t, other, "fill", {val_i32(0), val_i32(8)}).ok());
  restore_ok(*st, t);
  CHECK(std::memcmp(other->export_memory("mem")->data, "hello", 5) == 0);
  CHECK(same_as_pristine());  // s untouched by t
  // A capture of a store whose memory now differs makes its own image.
  fill(100, 1);
  StoreSnapshot again = capture_ok(s);
  CHECK(again.images()[0] != img);
  CHECK(m->image_copied);
  fill(100, 2);
  restore_ok(again, s);
  CHECK(call_i32(s, inst, "load8", {val_i32(100)}) == 7);
  CHECK(call_i32(s, inst, "load8", {val_i32(101)}) == 0);
  restore_ok(snap, s);
  CHECK(same_as_pristine());
}

TEST_CASE("held pages: the pagemap descriptor is opened once, and again in a forked child") {
  const int fd = open_pagemap();
  if (fd < 0) return;  // no /proc here: callers treat every page as held
  CHECK(open_pagemap() == fd);
  const uint64_t page = os_page_size();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A mapping only the child has, its first page written: read through
    // the parent's pagemap it would show nothing held.
    void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(2);
    static_cast<volatile uint8_t*>(p)[0] = 1;
    const int mine = open_pagemap();
    uint8_t held[2] = {9, 9};
    const bool ok = mine >= 0 && read_held_pages(mine, reinterpret_cast<uintptr_t>(p) / page, 2, held);
    _exit(ok && held[0] == 1 && held[1] == 0 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(open_pagemap() == fd);  // the parent's is unchanged
}
