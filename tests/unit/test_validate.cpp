// Unit tests for interp/validate: modules are assembled by hand (types,
// functions and raw body bytes) so these tests do not depend on the decoder.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "interp/validate/validate.h"

using namespace wippy;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32,
                  FuncRef = ValType::FuncRef, ExternRef = ValType::ExternRef;

// Builds a Module directly; every byte range refers into Module::bytes,
// which is `bin` shared anew after each change.
struct ModBuilder {
  Module m;
  Bytes bin;

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    const uint32_t index = uint32_t(m.types.size());
    m.types.push_back(FuncType{std::move(params), std::move(results)});
    SubType plain;  // a final function type alone in its recursion group
    plain.rec_begin = index;
    m.subtypes.push_back(plain);
    m.type_canon.push_back(index);
    return index;
  }
  std::pair<uint32_t, uint32_t> append(const Bytes& b) {
    uint32_t begin = uint32_t(bin.size());
    bin.insert(bin.end(), b.begin(), b.end());
    m.bytes = SharedBytes::copy_of(bin);
    return {begin, uint32_t(bin.size())};
  }
  void set_byte(size_t at, uint8_t v) {
    bin.at(at) = v;
    m.bytes = SharedBytes::copy_of(bin);
  }
  // `body` is the instruction bytes including the final `end` (0x0B).
  uint32_t func(uint32_t type_index, const Bytes& body, std::vector<LocalDecl> locals = {}) {
    m.funcs.push_back(type_index);
    FuncBody fb;
    fb.locals = std::move(locals);
    for (auto& l : fb.locals) fb.num_locals += l.count;
    auto [b, e] = append(body);
    fb.code_begin = b;
    fb.code_end = e;
    m.codes.push_back(fb);
    return m.num_funcs() - 1;
  }
  ConstExpr expr(const Bytes& b) {
    auto [begin, end] = append(b);
    return ConstExpr{begin, end};
  }
  void import_global(ValType t, bool mut) {
    Import im;
    im.module = "m";
    im.name = "g" + std::to_string(m.imports.size());
    im.kind = ExternKind::Global;
    im.global = GlobalType{t, mut};
    m.imports.push_back(im);
    m.imported_globals.push_back(im.global);
  }
  void global(ValType t, bool mut, const Bytes& init) { m.globals.push_back(Global{{t, mut}, expr(init)}); }
  void memory(uint64_t min = 1) { m.memories.push_back(MemoryType{Limits{min, false, 0}}); }
  void table(ValType elem, uint64_t min = 1) { m.tables.push_back(TableType{elem, Limits{min, false, 0}}); }
  void export_func(std::string name, uint32_t index) {
    m.exports.push_back(Export{std::move(name), ExternKind::Func, index});
  }
};

// Validates a module with one function of type `params -> results`.
Result<void> check_body(std::vector<ValType> params, std::vector<ValType> results, const Bytes& body,
                        std::vector<LocalDecl> locals = {}) {
  ModBuilder b;
  b.func(b.type(std::move(params), std::move(results)), body, std::move(locals));
  return validate_module(b.m);
}

bool fails_with(const Result<void>& r, const std::string& text) {
  return !r.ok() && r.error().kind == ErrorKind::Invalid &&
         r.error().message.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("validate: well-typed arithmetic is valid") {
  auto r = check_body({}, {I32}, {0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B});
  CHECK(r.ok());
}

TEST_CASE("validate: operand type mismatch names function and offset") {
  // i32.const 1; i64.const 2; i32.add
  auto r = check_body({}, {I32}, {0x41, 0x01, 0x42, 0x02, 0x6A, 0x0B});
  REQUIRE(fails_with(r, "type mismatch"));
  CHECK(r.error().message.find("in function 0 at offset 4") != std::string::npos);
}

TEST_CASE("validate: missing or extra results are type mismatches") {
  CHECK(fails_with(check_body({}, {I32}, {0x0B}), "type mismatch"));
  CHECK(fails_with(check_body({}, {}, {0x41, 0x00, 0x0B}), "type mismatch"));
  CHECK(fails_with(check_body({}, {I64}, {0x41, 0x00, 0x0B}), "type mismatch"));
}

TEST_CASE("validate: unreachable makes the stack polymorphic") {
  // unreachable; i32.add -> result i32
  CHECK(check_body({}, {I32}, {0x00, 0x6A, 0x0B}).ok());
  // unreachable; i64.const 0; i32.add: the known operand still must match
  CHECK(fails_with(check_body({}, {I32}, {0x00, 0x42, 0x00, 0x6A, 0x0B}), "type mismatch"));
  // br 0 then junk of the wrong type leftover at end is still checked
  CHECK(fails_with(check_body({}, {}, {0x0C, 0x00, 0x41, 0x00, 0x0B}), "type mismatch"));
  // polymorphism ends with the block: block; unreachable; end; i32.add
  CHECK(fails_with(check_body({}, {I32}, {0x02, 0x40, 0x00, 0x0B, 0x6A, 0x0B}), "type mismatch"));
}

TEST_CASE("validate: block types with parameters") {
  ModBuilder b;
  uint32_t ft = b.type({}, {I32});
  uint32_t bt = b.type({I32}, {I32});
  // i32.const 1; block (type bt) i32.const 2; i32.add end
  b.func(ft, {0x41, 0x01, 0x02, uint8_t(bt), 0x41, 0x02, 0x6A, 0x0B, 0x0B});
  CHECK(validate_module(b.m).ok());

  ModBuilder c;
  ft = c.type({}, {I32});
  bt = c.type({I32}, {I32});
  // block (type bt) with nothing on the stack for its parameter
  c.func(ft, {0x02, uint8_t(bt), 0x0B, 0x0B});
  CHECK(fails_with(validate_module(c.m), "type mismatch"));

  // unknown block type index
  CHECK(fails_with(check_body({}, {}, {0x02, 0x05, 0x0B, 0x0B}), "unknown type"));
}

TEST_CASE("validate: loop labels carry parameters, block labels results") {
  ModBuilder b;
  uint32_t ft = b.type({}, {});
  uint32_t lt = b.type({I32}, {});
  // i32.const 0; loop (type lt) drop; br 0 end  -> br 0 needs [i32]: the loop param
  b.func(ft, {0x41, 0x00, 0x03, uint8_t(lt), 0x1A, 0x0C, 0x00, 0x0B, 0x0B});
  CHECK(fails_with(validate_module(b.m), "type mismatch"));

  ModBuilder c;
  ft = c.type({}, {});
  lt = c.type({I32}, {});
  // i32.const 0; loop (type lt) drop; i32.const 1; br 0 end
  c.func(ft, {0x41, 0x00, 0x03, uint8_t(lt), 0x1A, 0x41, 0x01, 0x0C, 0x00, 0x0B, 0x0B});
  CHECK(validate_module(c.m).ok());
}

TEST_CASE("validate: if without else must pass its parameters through") {
  // i32.const 1; if (result i32) i32.const 2 end
  CHECK(fails_with(check_body({}, {I32}, {0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x0B, 0x0B}),
                   "type mismatch"));
  // with else arm it is fine
  CHECK(check_body({}, {I32}, {0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x05, 0x41, 0x03, 0x0B, 0x0B}).ok());
  // if needs an i32 condition
  CHECK(fails_with(check_body({}, {}, {0x04, 0x40, 0x0B, 0x0B}), "type mismatch"));
}

TEST_CASE("validate: br_table targets must agree on arity") {
  // block (result i32) block; i32.const 0; br_table [0] 1; end; i32.const 0; end; drop
  Bytes body = {0x02, 0x7F, 0x02, 0x40, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B,
                0x41, 0x00, 0x0B, 0x1A, 0x0B};
  CHECK(fails_with(check_body({}, {}, body), "type mismatch"));
  // unknown label in the table
  CHECK(fails_with(check_body({}, {}, {0x41, 0x00, 0x0E, 0x01, 0x05, 0x00, 0x0B}), "unknown label"));
}

TEST_CASE("validate: br_table over the polymorphic stack meets different label types") {
  // block (result f64) block (result f32) unreachable; i32.const 1; br_table [0 1] 1
  // end drop f64.const 0 end drop
  Bytes body = {0x02, 0x7C, 0x02, 0x7D, 0x00, 0x41, 0x01, 0x0E, 0x02, 0x00, 0x01, 0x01, 0x0B,
                0x1A, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0B, 0x1A, 0x0B};
  CHECK(check_body({}, {}, body).ok());
}

TEST_CASE("validate: select rules") {
  // untyped select on i32s
  CHECK(check_body({}, {I32}, {0x41, 0x01, 0x41, 0x02, 0x41, 0x00, 0x1B, 0x0B}).ok());
  // untyped select on mismatched numbers
  CHECK(fails_with(check_body({}, {I32}, {0x41, 0x01, 0x42, 0x02, 0x41, 0x00, 0x1B, 0x0B}),
                   "type mismatch"));
  // untyped select on references is rejected
  CHECK(fails_with(check_body({}, {}, {0xD0, 0x70, 0xD0, 0x70, 0x41, 0x00, 0x1B, 0x1A, 0x0B}),
                   "type mismatch"));
  // typed select on references is fine
  CHECK(check_body({}, {}, {0xD0, 0x70, 0xD0, 0x70, 0x41, 0x00, 0x1C, 0x01, 0x70, 0x1A, 0x0B}).ok());
  // typed select must name exactly one type
  CHECK(fails_with(check_body({}, {}, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1C, 0x00, 0x1A, 0x0B}),
                   "invalid result arity"));
  CHECK(fails_with(check_body({}, {}, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1C, 0x02, 0x7F, 0x7F,
                                       0x1A, 0x0B}),
                   "invalid result arity"));
  // after unreachable, select yields whichever operand is known
  CHECK(check_body({}, {I64}, {0x00, 0x42, 0x00, 0x41, 0x00, 0x1B, 0x0B}).ok());
}

TEST_CASE("validate: locals and globals") {
  // local.get 1 of (param i32) + 1 local i64
  CHECK(check_body({I32}, {I64}, {0x20, 0x01, 0x0B}, {LocalDecl{1, I64}}).ok());
  CHECK(fails_with(check_body({I32}, {I32}, {0x20, 0x01, 0x0B}, {LocalDecl{1, I64}}), "type mismatch"));
  CHECK(fails_with(check_body({I32}, {}, {0x20, 0x02, 0x1A, 0x0B}, {LocalDecl{1, I64}}), "unknown local 2"));

  ModBuilder b;
  b.global(I32, false, {0x41, 0x00, 0x0B});
  b.global(I32, true, {0x41, 0x00, 0x0B});
  uint32_t ft = b.type({}, {});
  b.func(ft, {0x41, 0x05, 0x24, 0x00, 0x0B});  // global.set 0 (immutable)
  CHECK(fails_with(validate_module(b.m), "global is immutable"));
  b.set_byte(b.m.codes[0].code_begin + 3, 0x01);  // global.set 1 (mutable)
  CHECK(validate_module(b.m).ok());
  b.set_byte(b.m.codes[0].code_begin + 3, 0x02);  // global.set 2
  CHECK(fails_with(validate_module(b.m), "unknown global 2"));
}

TEST_CASE("validate: constant expressions") {
  {
    ModBuilder b;
    b.global(I32, false, {0x42, 0x00, 0x0B});  // i64.const for an i32 global
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
  }
  {
    ModBuilder b;
    b.global(I32, false, {0x41, 0x00, 0x41, 0x00, 0x6A, 0x0B});  // i32.add: constant in 3.0
    CHECK(validate_module(b.m).ok());
  }
  {
    ModBuilder b;
    b.global(I32, false, {0x41, 0x00, 0x41, 0x00, 0x6D, 0x0B});  // i32.div_s is not constant
    CHECK(fails_with(validate_module(b.m), "constant expression required"));
  }
  {
    ModBuilder b;
    b.global(I32, false, {0x41, 0x00, 0x41, 0x00, 0x0B});  // two values
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
  }
  {
    ModBuilder b;
    b.global(I32, false, {0x0B});  // no value
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
  }
  {
    ModBuilder b;  // 3.0: an earlier defined global is visible, a later one is not
    b.global(I32, false, {0x41, 0x00, 0x0B});
    b.global(I32, false, {0x23, 0x00, 0x0B});
    CHECK(validate_module(b.m).ok());
    b.global(I32, false, {0x23, 0x03, 0x0B});
    CHECK(fails_with(validate_module(b.m), "unknown global 3"));
  }
  {
    ModBuilder b;  // imported immutable: fine; imported mutable: not constant
    b.import_global(I32, false);
    b.import_global(I32, true);
    b.global(I32, false, {0x23, 0x00, 0x0B});
    CHECK(validate_module(b.m).ok());
    b.global(I32, false, {0x23, 0x01, 0x0B});
    CHECK(fails_with(validate_module(b.m), "constant expression required"));
  }
  {
    ModBuilder b;
    b.global(FuncRef, false, {0xD2, 0x07, 0x0B});  // ref.func of a missing function
    CHECK(fails_with(validate_module(b.m), "unknown function 7"));
  }
  {
    ModBuilder b;
    b.global(ExternRef, false, {0xD0, 0x70, 0x0B});  // ref.null func for externref
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
  }
}

TEST_CASE("validate: ref.func must be declared") {
  ModBuilder b;
  uint32_t ft = b.type({}, {});
  b.func(ft, {0xD2, 0x00, 0x1A, 0x0B});  // drop (ref.func 0)
  CHECK(fails_with(validate_module(b.m), "undeclared function reference"));
  b.export_func("f", 0);
  CHECK(validate_module(b.m).ok());

  ModBuilder c;  // declared through a declarative element segment
  ft = c.type({}, {});
  c.func(ft, {0xD2, 0x00, 0x1A, 0x0B});
  ElemSegment seg;
  seg.mode = SegmentMode::Declarative;
  seg.uses_indices = true;
  seg.func_indices = {0};
  c.m.elems.push_back(seg);
  CHECK(validate_module(c.m).ok());
}

TEST_CASE("validate: memory instructions") {
  ModBuilder b;
  uint32_t ft = b.type({}, {I32});
  b.func(ft, {0x41, 0x00, 0x28, 0x02, 0x00, 0x0B});  // i32.load align=2
  CHECK(fails_with(validate_module(b.m), "unknown memory"));
  b.memory();
  CHECK(validate_module(b.m).ok());
  b.set_byte(b.m.codes[0].code_begin + 3, 0x03);  // align=3 > natural 2
  CHECK(fails_with(validate_module(b.m), "alignment must not be larger than natural"));

  ModBuilder c;  // i32.load8_u with align=1
  ft = c.type({}, {I32});
  c.memory();
  c.func(ft, {0x41, 0x00, 0x2D, 0x01, 0x00, 0x0B});
  CHECK(fails_with(validate_module(c.m), "alignment must not be larger than natural"));

  ModBuilder d;  // memory.init 0 without data segments
  ft = d.type({}, {});
  d.memory();
  d.func(ft, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B});
  CHECK(fails_with(validate_module(d.m), "unknown data segment 0"));
  d.m.datas.push_back(DataSegment{SegmentMode::Passive, 0, {}, 0, 0});
  CHECK(validate_module(d.m).ok());
}

TEST_CASE("validate: tables and call_indirect") {
  ModBuilder b;
  uint32_t ft = b.type({}, {});
  // i32.const 0; call_indirect type 0 table 0
  b.func(ft, {0x41, 0x00, 0x11, 0x00, 0x00, 0x0B});
  CHECK(fails_with(validate_module(b.m), "unknown table 0"));
  b.table(ExternRef);
  CHECK(fails_with(validate_module(b.m), "type mismatch"));
  b.m.tables[0].elem = FuncRef;
  CHECK(validate_module(b.m).ok());

  ModBuilder c;  // table.set 0 with an externref into a funcref table
  ft = c.type({}, {});
  c.table(FuncRef);
  c.func(ft, {0x41, 0x00, 0xD0, 0x6F, 0x26, 0x00, 0x0B});
  CHECK(fails_with(validate_module(c.m), "type mismatch"));
}

TEST_CASE("validate: module-level rules") {
  {
    ModBuilder b;  // start function must be [] -> []
    uint32_t ft = b.type({}, {I32});
    b.func(ft, {0x41, 0x00, 0x0B});
    b.m.start = 0;
    CHECK(fails_with(validate_module(b.m), "start function"));
    b.m.start = 3;
    CHECK(fails_with(validate_module(b.m), "unknown function 3"));
  }
  {
    ModBuilder b;
    uint32_t ft = b.type({}, {});
    b.func(ft, {0x0B});
    b.export_func("a", 0);
    b.export_func("a", 0);
    CHECK(fails_with(validate_module(b.m), "duplicate export name"));
    b.m.exports[1].name = "b";
    CHECK(validate_module(b.m).ok());
    b.m.exports[1].index = 1;
    CHECK(fails_with(validate_module(b.m), "unknown function 1"));
  }
  {
    ModBuilder b;
    b.memory();
    b.memory();
    CHECK(validate_module(b.m).ok());  // multi-memory (3.0)
  }
  {
    ModBuilder b;
    b.m.memories.push_back(MemoryType{Limits{65537, false, 0}});
    CHECK(fails_with(validate_module(b.m), "memory size must be at most 65536 pages (4GiB)"));
    b.m.memories[0].limits = Limits{2, true, 1};
    CHECK(fails_with(validate_module(b.m), "size minimum must not be greater than maximum"));
  }
  {
    ModBuilder b;  // element segment of externrefs into a funcref table
    b.table(FuncRef);
    ElemSegment seg;
    seg.mode = SegmentMode::Active;
    seg.offset = b.expr({0x41, 0x00, 0x0B});
    seg.type = ExternRef;
    seg.inits = {b.expr({0xD0, 0x6F, 0x0B})};
    b.m.elems.push_back(seg);
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
    b.m.elems[0].table = 2;
    CHECK(fails_with(validate_module(b.m), "unknown table 2"));
  }
  {
    ModBuilder b;  // active data segment without memory
    b.m.datas.push_back(DataSegment{SegmentMode::Active, 0, b.expr({0x41, 0x00, 0x0B}), 0, 0});
    CHECK(fails_with(validate_module(b.m), "unknown memory 0"));
    b.memory();
    CHECK(validate_module(b.m).ok());
    b.m.datas[0].offset = b.expr({0x42, 0x00, 0x0B});  // i64 offset
    CHECK(fails_with(validate_module(b.m), "type mismatch"));
  }
  {
    ModBuilder b;  // unknown function type index
    b.func(4, {0x0B});
    CHECK(fails_with(validate_module(b.m), "unknown type"));
  }
}

TEST_CASE("validate: calls check argument and result types") {
  ModBuilder b;
  uint32_t callee = b.type({I32, F32}, {I64});
  uint32_t caller = b.type({}, {I64});
  b.func(callee, {0x42, 0x00, 0x0B});
  // i32.const 0; f32.const 0; call 0
  b.func(caller, {0x41, 0x00, 0x43, 0, 0, 0, 0, 0x10, 0x00, 0x0B});
  CHECK(validate_module(b.m).ok());
  b.set_byte(b.m.codes[1].code_begin + 8, 0x05);  // call 5
  CHECK(fails_with(validate_module(b.m), "unknown function 5"));
}

TEST_CASE("validate: SIMD operands and lane indices") {
  Bytes v128_zero = {0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // v128.const 0; i16x8.extract_lane_s 7 -> i32
  Bytes ok = v128_zero;
  ok.insert(ok.end(), {0xFD, 0x18, 0x07, 0x0B});
  CHECK(check_body({}, {I32}, ok).ok());
  // lane 8 is out of range for i16x8
  Bytes bad = v128_zero;
  bad.insert(bad.end(), {0xFD, 0x18, 0x08, 0x0B});
  CHECK(fails_with(check_body({}, {I32}, bad), "invalid lane index"));
  // extract_lane of an i32 operand
  CHECK(fails_with(check_body({}, {I32}, {0x41, 0x00, 0xFD, 0x18, 0x00, 0x0B}), "type mismatch"));
  // v128 is a valid untyped select operand type
  Bytes sel = v128_zero;
  sel.insert(sel.end(), v128_zero.begin(), v128_zero.end());
  sel.insert(sel.end(), {0x41, 0x00, 0x1B, 0x1A, 0x0B});
  CHECK(check_body({}, {}, sel).ok());
}

TEST_CASE("validate: br_if keeps label values on the stack") {
  // block (result i32) i32.const 1; i32.const 0; br_if 0; end
  CHECK(check_body({}, {I32}, {0x02, 0x7F, 0x41, 0x01, 0x41, 0x00, 0x0D, 0x00, 0x0B, 0x0B}).ok());
  // br_if without the label's value
  CHECK(fails_with(check_body({}, {I32}, {0x02, 0x7F, 0x41, 0x00, 0x0D, 0x00, 0x0B, 0x0B}),
                   "type mismatch"));
  // br_if to a label that does not exist
  CHECK(fails_with(check_body({}, {}, {0x41, 0x00, 0x0D, 0x01, 0x0B}), "unknown label 1"));
}
