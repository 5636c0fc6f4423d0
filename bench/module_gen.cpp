// module_gen.cpp — see module_gen.h. Bodies are produced by a small typed
// generator: expr(t) leaves exactly one value of type t on the stack,
// stmt() leaves the stack as it found it, so the result validates by
// construction.
#include "module_gen.h"

#include <span>
#include <string>

#include "base/leb128.h"

namespace wippy::bench {

namespace {

enum T : uint8_t { I32, I64, F32, F64 };
constexpr uint8_t kValType[4] = {0x7f, 0x7e, 0x7d, 0x7c};

constexpr uint32_t kNumTypes = 4;
constexpr uint32_t kNumLeaves = 32;  // functions 0..31 make no calls; the table holds them
constexpr uint32_t kCounters = 3;    // i32 locals reserved as loop counters (max loop nesting)

// Parameter lists of the function types; every type returns one i32.
const std::vector<T>& type_params(uint32_t type) {
  static const std::vector<T> params[kNumTypes] = {{I32, I32}, {I32, I64, F64}, {F32, I32}, {}};
  return params[type];
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545f4914f6cdd1dull;
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }

 private:
  uint64_t s_;
};

class FuncGen {
 public:
  FuncGen(Rng& rng, BinaryWriter& w, uint32_t type, bool leaf) : rng_(rng), w_(w), leaf_(leaf) {
    const auto& params = type_params(type);
    uint32_t idx = 0;
    for (T t : params) locals_[t].push_back(idx++);
    // Declared locals: kCounters + 1 i32, 2 of each other type.
    first_counter_ = idx;
    idx += kCounters;
    locals_[I32].push_back(idx++);
    for (T t : {I64, F32, F64})
      for (int i = 0; i < 2; i++) locals_[t].push_back(idx++);
  }

  static void write_local_decls(BinaryWriter& w) {
    w.u32(4);
    w.u32(kCounters + 1);
    w.byte(kValType[I32]);
    for (T t : {I64, F32, F64}) {
      w.u32(2);
      w.byte(kValType[t]);
    }
  }

  void body(size_t target) {
    size_t start = w_.bytes.size();
    while (w_.bytes.size() - start < target) stmt(3, 0);
    expr(I32, 3);
    w_.byte(0x0b);
  }

 private:
  Rng& rng_;
  BinaryWriter& w_;
  bool leaf_;
  std::vector<uint32_t> locals_[4];
  uint32_t first_counter_ = 0;

  uint32_t pick_local(T t) { return locals_[t][rng_.below(uint32_t(locals_[t].size()))]; }
  void op(uint8_t b) { w_.byte(b); }
  void fc(uint32_t sub) {  // 0xFC-prefixed instruction
    w_.byte(0xfc);
    w_.u32(sub);
  }
  void memarg(uint32_t max_align) {
    w_.u32(rng_.below(max_align + 1));
    w_.u32(rng_.below(4) * 4);
  }
  void address(int depth) {
    expr(I32, depth - 1);
    op(0x41);
    w_.s64(0xfff0);
    op(0x71);  // i32.and: stay inside the one page
  }
  void constant(T t) {
    switch (t) {
      case I32: op(0x41); w_.s64(int32_t(uint32_t(rng_.next()) >> rng_.below(32))); break;
      case I64: op(0x42); w_.s64(int64_t(rng_.next() >> rng_.below(64))); break;
      case F32: op(0x43); w_.f32(float(int32_t(rng_.below(20000)) - 10000) / 64.0f); break;
      case F64: op(0x44); w_.f64(double(int64_t(rng_.next() % 2000000) - 1000000) / 1024.0); break;
    }
  }
  void call_leaf() {
    uint32_t callee = rng_.below(kNumLeaves);
    for (T p : type_params(callee % kNumTypes)) expr(p, 1);
    op(0x10);
    w_.u32(callee);
  }

  void expr(T t, int depth) {
    if (depth <= 0 || rng_.chance(20)) {
      switch (rng_.below(3)) {
        case 0: constant(t); return;
        case 1: op(0x20); w_.u32(pick_local(t)); return;
        default: op(0x23); w_.u32(t); return;  // global t has type t
      }
    }
    switch (rng_.below(10)) {
      case 0: case 1: case 2: binop(t, depth); return;
      case 3: unop(t, depth); return;
      case 4: convert(t, depth); return;
      case 5: load(t, depth); return;
      case 6: {  // if with a result
        expr(I32, depth - 1);
        op(0x04); op(kValType[t]);
        expr(t, depth - 1);
        op(0x05);
        expr(t, depth - 1);
        op(0x0b);
        return;
      }
      case 7: {  // block with a conditional early exit carrying a value
        op(0x02); op(kValType[t]);
        expr(t, depth - 1);
        expr(I32, depth - 1);
        op(0x0d); w_.u32(0);  // br_if 0
        op(0x1a);             // drop
        expr(t, depth - 1);
        op(0x0b);
        return;
      }
      case 8: {
        expr(t, depth - 1);
        expr(t, depth - 1);
        expr(I32, depth - 1);
        if (rng_.chance(50)) {
          op(0x1b);
        } else {
          op(0x1c); w_.u32(1); op(kValType[t]);
        }
        return;
      }
      default:
        if (t == I32 && !leaf_) {
          if (rng_.chance(70)) {
            call_leaf();
          } else {  // call_indirect of type 0 through the table
            expr(I32, depth - 1);
            expr(I32, depth - 1);
            expr(I32, depth - 1);
            op(0x41); w_.s64(kNumLeaves - 1);
            op(0x71);
            op(0x11); w_.u32(0); w_.byte(0x00);
          }
        } else {
          uint32_t l = pick_local(t);
          expr(t, depth - 1);
          op(0x22); w_.u32(l);  // local.tee
        }
        return;
    }
  }

  // One opcode, chosen at random, from the list for type t.
  void op_of(T t, std::span<const uint8_t> i32, std::span<const uint8_t> i64, std::span<const uint8_t> f32,
             std::span<const uint8_t> f64) {
    const std::span<const uint8_t> ops = t == I32 ? i32 : t == I64 ? i64 : t == F32 ? f32 : f64;
    op(ops[rng_.below(uint32_t(ops.size()))]);
  }

  void binop(T t, int depth) {
    expr(t, depth - 1);
    expr(t, depth - 1);
    static const uint8_t i32ops[] = {0x6a, 0x6b, 0x6c, 0x6e, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x46, 0x48, 0x4b};
    static const uint8_t i64ops[] = {0x7c, 0x7d, 0x7e, 0x80, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a};
    static const uint8_t f32ops[] = {0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98};
    static const uint8_t f64ops[] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6};
    op_of(t, i32ops, i64ops, f32ops, f64ops);
  }

  void unop(T t, int depth) {
    static const uint8_t i32ops[] = {0x67, 0x68, 0x69, 0x45, 0xc0, 0xc1};
    static const uint8_t i64ops[] = {0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4};
    static const uint8_t f32ops[] = {0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91};
    static const uint8_t f64ops[] = {0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f};
    expr(t, depth - 1);
    op_of(t, i32ops, i64ops, f32ops, f64ops);
  }

  // A value of type t made from another type.
  void convert(T t, int depth) {
    uint32_t k = rng_.below(3);
    switch (t) {
      case I32:
        if (k == 0 && rng_.chance(50)) { expr(I64, depth - 1); op(0x50); return; }  // i64.eqz
        if (k == 0) {  // f64.eq .. f64.ge
          expr(F64, depth - 1);
          expr(F64, depth - 1);
          op(0x61 + rng_.below(6));
          return;
        }
        if (k == 1) { expr(I64, depth - 1); op(0xa7); return; }                     // i32.wrap_i64
        expr(F64, depth - 1); fc(2 + rng_.below(2));                                // i32.trunc_sat_f64_s/u
        return;
      case I64:
        if (k == 0) { expr(I32, depth - 1); op(0xac + rng_.below(2)); return; }  // i64.extend_i32_s/u
        if (k == 1) { expr(F64, depth - 1); op(0xbd); return; }                  // i64.reinterpret_f64
        expr(F32, depth - 1); fc(4 + rng_.below(2));                             // i64.trunc_sat_f32_s/u
        return;
      case F32:
        if (k == 0) { expr(F64, depth - 1); op(0xb6); return; }               // f32.demote_f64
        if (k == 1) { expr(I32, depth - 1); op(0xb2 + rng_.below(2)); return; } // f32.convert_i32_s/u
        expr(I32, depth - 1); op(0xbe);                                       // f32.reinterpret_i32
        return;
      case F64:
        if (k == 0) { expr(F32, depth - 1); op(0xbb); return; }               // f64.promote_f32
        if (k == 1) { expr(I64, depth - 1); op(0xb9 + rng_.below(2)); return; } // f64.convert_i64_s/u
        expr(I32, depth - 1); op(0xb7);                                       // f64.convert_i32_s
        return;
    }
  }

  void load(T t, int depth) {
    address(depth);
    switch (t) {
      case I32: {
        static const uint8_t ops[] = {0x28, 0x2c, 0x2d, 0x2e, 0x2f};
        static const uint8_t align[] = {2, 0, 0, 1, 1};
        uint32_t i = rng_.below(5);
        op(ops[i]);
        memarg(align[i]);
        return;
      }
      case I64: op(rng_.chance(50) ? 0x29 : 0x35); memarg(2); return;  // i64.load / load32_u
      case F32: op(0x2a); memarg(2); return;
      case F64: op(0x2b); memarg(3); return;
    }
  }

  void store(int depth) {
    T t = T(rng_.below(4));
    address(depth);
    expr(t, depth - 1);
    switch (t) {
      case I32: op(rng_.chance(50) ? 0x36 : 0x3a); memarg(0); return;  // i32.store / store8
      case I64: op(0x37); memarg(3); return;
      case F32: op(0x38); memarg(2); return;
      case F64: op(0x39); memarg(3); return;
    }
  }

  void stmts(int depth, uint32_t loops, uint32_t max_count) {
    uint32_t count = 1 + rng_.below(max_count);
    for (uint32_t i = 0; i < count; i++) stmt(depth, loops);
  }

  void stmt(int depth, uint32_t loops) {
    uint32_t kind = rng_.below(depth > 0 ? 11 : 4);
    switch (kind) {
      case 0: case 1: {  // local.set
        T t = T(rng_.below(4));
        expr(t, 3);
        op(0x21); w_.u32(pick_local(t));
        return;
      }
      case 2: {  // global.set
        T t = T(rng_.below(4));
        expr(t, 3);
        op(0x24); w_.u32(t);
        return;
      }
      case 3: store(3); return;
      case 4: case 5: {  // if/else
        expr(I32, 2);
        op(0x04); op(0x40);
        stmts(depth - 1, loops, 3);
        if (rng_.chance(60)) {
          op(0x05);
          stmts(depth - 1, loops, 3);
        }
        op(0x0b);
        return;
      }
      case 6: {  // counted loop inside a block that can be left early
        if (loops >= kCounters) return stmt(0, loops);
        uint32_t c = first_counter_ + loops;
        op(0x41); w_.s64(1 + rng_.below(8));
        op(0x21); w_.u32(c);
        op(0x02); op(0x40);
        op(0x03); op(0x40);
        stmts(depth - 1, loops + 1, 4);
        if (rng_.chance(40)) {
          expr(I32, 2);
          op(0x0d); w_.u32(1);  // br_if to the block's end
        }
        op(0x20); w_.u32(c);
        op(0x41); w_.s64(1);
        op(0x6b);
        op(0x22); w_.u32(c);
        op(0x0d); w_.u32(0);  // br_if loop
        op(0x0b);
        op(0x0b);
        return;
      }
      case 7: {  // three nested blocks and a br_table into them
        op(0x02); op(0x40);
        op(0x02); op(0x40);
        op(0x02); op(0x40);
        expr(I32, 2);
        op(0x0e);
        w_.u32(2); w_.u32(0); w_.u32(1); w_.u32(2);
        op(0x0b);
        stmts(depth - 1, loops, 2);
        op(0x0b);
        stmts(depth - 1, loops, 2);
        op(0x0b);
        return;
      }
      case 8: {  // early return
        expr(I32, 2);
        op(0x04); op(0x40);
        expr(I32, 2);
        op(0x0f);
        op(0x0b);
        return;
      }
      case 9: {  // value computed and dropped (often a call)
        if (!leaf_ && rng_.chance(50)) call_leaf(); else expr(T(rng_.below(4)), 3);
        op(0x1a);
        return;
      }
      default: {  // a deeper expression into a local
        T t = T(rng_.below(4));
        expr(t, 5);
        op(0x21); w_.u32(pick_local(t));
        return;
      }
    }
  }
};

}  // namespace

GeneratedModule generate_module(size_t target_bytes, uint64_t seed) {
  Rng rng(seed);
  BinaryWriter code;  // code section payload after the count
  uint32_t nfuncs = 0;
  while (code.bytes.size() + 512 < target_bytes || nfuncs < kNumLeaves) {
    BinaryWriter fn;
    FuncGen::write_local_decls(fn);
    FuncGen gen(rng, fn, nfuncs % kNumTypes, nfuncs < kNumLeaves);
    // Mostly small and medium bodies, a few large ones.
    size_t size = rng.chance(90) ? 64 + rng.below(2500) : 4000 + rng.below(20000);
    gen.body(size);
    code.u32(fn.bytes.size());
    code.append(fn.bytes);
    nfuncs++;
  }

  BinaryWriter m;
  m.header();
  {
    BinaryWriter s;  // types
    s.u32(kNumTypes);
    for (uint32_t t = 0; t < kNumTypes; t++) {
      s.byte(0x60);
      s.u32(type_params(t).size());
      for (T p : type_params(t)) s.byte(kValType[p]);
      s.u32(1);
      s.byte(kValType[I32]);
    }
    m.section(1, s);
  }
  {
    BinaryWriter s;  // functions
    s.u32(nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) s.u32(i % kNumTypes);
    m.section(3, s);
  }
  {
    BinaryWriter s;  // table: the leaves, for call_indirect
    s.u32(1);
    s.byte(0x70);
    s.byte(0x00);
    s.u32(kNumLeaves);
    m.section(4, s);
  }
  {
    BinaryWriter s;  // memory: exactly one page
    s.u32(1);
    s.byte(0x01);
    s.u32(1);
    s.u32(1);
    m.section(5, s);
  }
  {
    BinaryWriter s;  // one mutable global per number type, global i has type i
    s.u32(4);
    s.byte(kValType[I32]); s.byte(1); s.byte(0x41); s.s64(7); s.byte(0x0b);
    s.byte(kValType[I64]); s.byte(1); s.byte(0x42); s.s64(-3); s.byte(0x0b);
    s.byte(kValType[F32]); s.byte(1); s.byte(0x43); s.f32(1.5f); s.byte(0x0b);
    s.byte(kValType[F64]); s.byte(1); s.byte(0x44); s.f64(-2.25); s.byte(0x0b);
    m.section(6, s);
  }
  {
    BinaryWriter s;  // exports: the memory and every 64th function
    uint32_t nexp = 1 + (nfuncs + 63) / 64;
    s.u32(nexp);
    s.name("memory");
    s.byte(0x02);
    s.u32(0);
    for (uint32_t i = 0; i < nfuncs; i += 64) {
      s.name("f" + std::to_string(i));
      s.byte(0x00);
      s.u32(i);
    }
    m.section(7, s);
  }
  {
    BinaryWriter s;  // element segment: table[0..32) = functions 0..31
    s.u32(1);
    s.byte(0x00);
    s.byte(0x41); s.s64(0); s.byte(0x0b);
    s.u32(kNumLeaves);
    for (uint32_t i = 0; i < kNumLeaves; i++) s.u32(i);
    m.section(9, s);
  }
  {
    BinaryWriter s;
    s.u32(nfuncs);
    s.append(code.bytes);
    m.section(10, s);
  }
  {
    BinaryWriter s;  // a small data segment
    s.u32(1);
    s.byte(0x00);
    s.byte(0x41); s.s64(64); s.byte(0x0b);
    s.name("wippy-bench synthetic module");
    m.section(11, s);
  }
  return GeneratedModule{std::move(m.bytes), nfuncs};
}

}  // namespace wippy::bench
