// Unit tests for interp/decode: decode_module() on hand-assembled binaries —
// every section kind, the element/data encodings, the spec's error messages
// (with their byte offsets), the name section and a large module.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "base/leb128.h"
#include "interp/decode/decode.h"
#include "interp/opcodes.h"
#include "interp/validate/validate.h"

using namespace wippy;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes leb(uint32_t v) {
  Bytes b;
  put_u32(b, v);
  return b;
}

Bytes str(const std::string& s) {
  Bytes b = leb(uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

Bytes section(uint8_t id, const Bytes& payload) {
  Bytes b{id};
  put_u32(b, uint32_t(payload.size()));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

const Bytes kHeader{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes b = kHeader;
  for (const Bytes& s : sections) b.insert(b.end(), s.begin(), s.end());
  return b;
}

// One type "() -> ()", one function of that type, body = `code` (with end).
Bytes one_func(const Bytes& body_code, std::initializer_list<Bytes> extra_before_code = {}) {
  Bytes body = cat({Bytes{0x00}, body_code});
  Bytes m = cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x01, 0x00})});
  for (const Bytes& s : extra_before_code) m.insert(m.end(), s.begin(), s.end());
  return cat({m, section(10, cat({leb(1), leb(uint32_t(body.size())), body}))});
}

std::string error_of(const Bytes& b) {
  auto r = decode_module(b);
  if (r.ok()) return "OK";
  CHECK(r.error().kind == ErrorKind::Malformed);
  return r.error().message;
}

// Expects a Malformed error whose message contains `expected` and names an offset.
void expect_malformed(const Bytes& b, const std::string& expected) {
  std::string msg = error_of(b);
  INFO("message: " << msg);
  CHECK(msg.find(expected) != std::string::npos);
  CHECK(msg.find("at offset ") != std::string::npos);
}

}  // namespace

TEST_CASE("decode: empty module") {
  auto r = decode_module(kHeader);
  REQUIRE(r.ok());
  CHECK(r->types.empty());
  CHECK(r->funcs.empty());
  CHECK(r->bytes == kHeader);
  CHECK_FALSE(r->start.has_value());
  CHECK_FALSE(r->data_count.has_value());
}

TEST_CASE("decode: every section of a small module") {
  Bytes types = cat({leb(2), {0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D}, {0x60, 0x00, 0x00}});
  Bytes imports = cat({leb(4),
                       str("env"), str("f"), {0x00}, leb(1),
                       str("env"), str("t"), {0x01, 0x70, 0x01, 0x02, 0x0A},
                       str("env"), str("m"), {0x02, 0x00, 0x01},
                       str("env"), str("g"), {0x03, 0x7F, 0x01}});
  Bytes funcs = cat({leb(2), leb(0), leb(1)});
  Bytes tables = cat({leb(1), {0x6F, 0x00, 0x03}});
  Bytes mems = cat({leb(1), {0x01, 0x01, 0x04}});
  Bytes globals = cat({leb(1), {0x7E, 0x00, 0x42, 0x05, 0x0B}});
  Bytes exports = cat({leb(2), str("run"), {0x00}, leb(2), str("mem"), {0x02}, leb(1)});
  Bytes start = leb(2);
  Bytes body0 = {0x01, 0x02, 0x7F, 0x20, 0x00, 0x1A, 0x0B};  // 2 x i32; local.get 0; drop
  Bytes body1 = {0x00, 0x0B};
  Bytes code = cat({leb(2), leb(uint32_t(body0.size())), body0, leb(uint32_t(body1.size())), body1});
  Bytes data = cat({leb(1), {0x00, 0x41, 0x00, 0x0B}, str("hi")});
  Bytes b = module({section(1, types), section(2, imports), section(3, funcs), section(4, tables),
                    section(5, mems), section(6, globals), section(7, exports), section(8, start),
                    section(12, leb(1)), section(10, code), section(11, data)});
  auto r = decode_module(b);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  const Module& m = *r;
  REQUIRE(m.types.size() == 2);
  CHECK(m.types[0].params == std::vector<ValType>{ValType::I32, ValType::I64});
  CHECK(m.types[0].results == std::vector<ValType>{ValType::F32});
  REQUIRE(m.imports.size() == 4);
  CHECK(m.imports[0].module == "env");
  CHECK(m.imports[0].name == "f");
  CHECK(m.imports[3].kind == ExternKind::Global);
  CHECK(m.imported_func_types == std::vector<uint32_t>{1});
  REQUIRE(m.imported_tables.size() == 1);
  CHECK(m.imported_tables[0].limits.has_max);
  CHECK(m.imported_tables[0].limits.min == 2);
  CHECK(m.imported_tables[0].limits.max == 10);
  REQUIRE(m.imported_memories.size() == 1);
  CHECK(m.imported_memories[0].limits.min == 1);
  CHECK_FALSE(m.imported_memories[0].limits.has_max);
  REQUIRE(m.imported_globals.size() == 1);
  CHECK(m.imported_globals[0].mut);
  CHECK(m.funcs == std::vector<uint32_t>{0, 1});
  CHECK(m.num_funcs() == 3);
  REQUIRE(m.tables.size() == 1);
  CHECK(m.tables[0].elem == ValType::ExternRef);
  REQUIRE(m.memories.size() == 1);
  CHECK(m.memories[0].limits.max == 4);
  REQUIRE(m.globals.size() == 1);
  CHECK(m.globals[0].type.type == ValType::I64);
  CHECK(m.bytes[m.globals[0].init.begin] == 0x42);
  CHECK(m.bytes[m.globals[0].init.end - 1] == 0x0B);
  CHECK(m.globals[0].init.end - m.globals[0].init.begin == 3);
  REQUIRE(m.exports.size() == 2);
  CHECK(m.exports[1].name == "mem");
  CHECK(m.exports[1].kind == ExternKind::Memory);
  CHECK(m.start == 2u);
  CHECK(m.data_count == 1u);
  REQUIRE(m.codes.size() == 2);
  CHECK(m.codes[0].num_locals == 2);
  REQUIRE(m.codes[0].locals.size() == 1);
  CHECK(m.codes[0].locals[0].type == ValType::I32);
  CHECK(m.bytes[m.codes[0].code_begin] == 0x20);
  CHECK(m.codes[0].code_end - m.codes[0].code_begin == 4);
  CHECK(m.bytes[m.codes[0].code_end - 1] == 0x0B);
  CHECK(m.codes[1].code_end - m.codes[1].code_begin == 1);
  REQUIRE(m.datas.size() == 1);
  CHECK(m.datas[0].mode == SegmentMode::Active);
  CHECK(std::string(m.bytes.begin() + m.datas[0].begin, m.bytes.begin() + m.datas[0].end) == "hi");
}

TEST_CASE("decode: element segment encodings 0..7") {
  Bytes expr0 = {0x41, 0x00, 0x0B};
  Bytes ref_func = {0xD2, 0x00, 0x0B};
  Bytes ref_null = {0xD0, 0x70, 0x0B};
  Bytes elems = cat({leb(8),
                     cat({leb(0), expr0, leb(2), leb(0), leb(0)}),
                     cat({leb(1), {0x00}, leb(1), leb(0)}),
                     cat({leb(2), leb(0), expr0, {0x00}, leb(1), leb(0)}),
                     cat({leb(3), {0x00}, leb(1), leb(0)}),
                     cat({leb(4), expr0, leb(2), ref_func, ref_null}),
                     cat({leb(5), {0x70}, leb(1), ref_null}),
                     cat({leb(6), leb(0), expr0, {0x70}, leb(1), ref_func}),
                     cat({leb(7), {0x70}, leb(1), ref_func})});
  Bytes b = one_func({0x0B}, {section(4, {0x01, 0x70, 0x00, 0x01}), section(9, elems)});
  auto r = decode_module(b);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  const auto& e = r->elems;
  REQUIRE(e.size() == 8);
  const SegmentMode modes[8] = {SegmentMode::Active, SegmentMode::Passive, SegmentMode::Active,
                                SegmentMode::Declarative, SegmentMode::Active, SegmentMode::Passive,
                                SegmentMode::Active, SegmentMode::Declarative};
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(e[i].mode == modes[i]);
    CHECK(e[i].uses_indices == (i < 4));
    // 3.0: function indices are non-null (ref func); expressions are funcref.
    CHECK(e[i].type == (i < 4 ? make_ref(false, kHeapFunc) : ValType::FuncRef));
  }
  CHECK(e[0].func_indices.size() == 2);
  CHECK(e[0].size() == 2);
  CHECK(e[4].inits.size() == 2);
  CHECK(e[4].size() == 2);
  CHECK(r->bytes[e[4].inits[1].begin] == 0xD0);
  CHECK(e[4].inits[1].end - e[4].inits[1].begin == 3);
  CHECK(r->bytes[e[0].offset.begin] == 0x41);
  CHECK(e[6].table == 0);
}

TEST_CASE("decode: data segment encodings 0..2") {
  Bytes datas = cat({leb(3),
                     cat({leb(0), {0x41, 0x08, 0x0B}, str("abc")}),
                     cat({leb(1), str("")}),
                     cat({leb(2), leb(0), {0x41, 0x00, 0x0B}, str("z")})});
  Bytes b = module({section(5, {0x01, 0x00, 0x01}), section(11, datas)});
  auto r = decode_module(b);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->datas.size() == 3);
  CHECK(r->datas[0].mode == SegmentMode::Active);
  CHECK(r->datas[0].end - r->datas[0].begin == 3);
  CHECK(r->datas[1].mode == SegmentMode::Passive);
  CHECK(r->datas[1].end == r->datas[1].begin);
  CHECK(r->datas[2].mode == SegmentMode::Active);
  CHECK(r->bytes[r->datas[2].begin] == 'z');
  expect_malformed(module({section(11, cat({leb(1), leb(3), str("")}))}), "malformed data segment kind");
}

TEST_CASE("decode: header errors") {
  expect_malformed({}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x01}, "unexpected end");
  expect_malformed({0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00}, "magic header not detected");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}, "unknown binary version");
}

TEST_CASE("decode: section framing errors") {
  expect_malformed(module({{0x0E, 0x00}}), "malformed section id");  // 13 is the tag section
  expect_malformed(module({section(3, leb(0)), section(1, leb(0))}),
                   "unexpected content after last section");
  expect_malformed(module({section(1, leb(0)), section(1, leb(0))}),
                   "unexpected content after last section");
  // type section declares 1 type but holds 2
  expect_malformed(module({section(1, {0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00})}),
                   "section size mismatch");
  // section size larger than the rest of the module
  expect_malformed(module({{0x01, 0x09, 0x01, 0x60, 0x00, 0x00}}), "length out of bounds");
  // truncated inside a section
  expect_malformed(module({{0x05, 0x01, 0x01}}), "unexpected end of section or function");
  // custom section whose name runs past the section size
  expect_malformed(module({{0x00, 0x00, 0x00}}), "unexpected end");
  // custom sections may appear anywhere, including between ordered sections
  auto ok = decode_module(module({section(1, leb(0)), section(0, str("x")), section(3, leb(0))}));
  REQUIRE(ok.ok());
  REQUIRE(ok->customs.size() == 1);
  CHECK(ok->customs[0].name == "x");
  CHECK(ok->customs[0].begin == ok->customs[0].end);
  // data count must sit between element and code
  CHECK(decode_module(module({section(9, leb(0)), section(12, leb(0)), section(10, leb(0))})).ok());
  expect_malformed(module({section(10, leb(0)), section(12, leb(0))}),
                   "unexpected content after last section");
}

TEST_CASE("decode: whole-module consistency errors") {
  expect_malformed(module({section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x02, 0x00, 0x00})}),
                   "function and code section have inconsistent lengths");
  expect_malformed(module({section(10, {0x01, 0x02, 0x00, 0x0B})}),
                   "function and code section have inconsistent lengths");
  expect_malformed(module({section(12, leb(2)), section(11, cat({leb(1), leb(1), str("")}))}),
                   "data count and data section have inconsistent lengths");
  expect_malformed(module({section(5, {0x01, 0x00, 0x01}), section(12, leb(1))}),
                   "data count and data section have inconsistent lengths");
  CHECK(decode_module(module({section(12, leb(0))})).ok());
}

TEST_CASE("decode: type and import errors") {
  expect_malformed(module({section(1, {0x01, 0x61, 0x00, 0x00})}), "malformed composite type");
  expect_malformed(module({section(1, {0x01, 0x60, 0x01, 0x7A, 0x00})}), "malformed value type");
  expect_malformed(module({section(2, cat({leb(1), str("a"), str("b"), {0x05}}))}),
                   "malformed import kind");  // 0x04 is a tag
  expect_malformed(module({section(2, cat({leb(1), str("a"), str("b"), {0x03, 0x7F, 0x02}}))}),
                   "malformed mutability");
  expect_malformed(module({section(2, cat({leb(1), str("a"), {0x01, 0xFF}, {0x00}, leb(0)}))}),
                   "malformed UTF-8 encoding");
  expect_malformed(module({section(2, cat({leb(1), {0x05, 'a'}}))}), "length out of bounds");
  expect_malformed(module({section(6, {0x01, 0x7F, 0x04, 0x41, 0x00, 0x0B})}), "malformed mutability");
  expect_malformed(module({section(4, {0x01, 0x7F, 0x00, 0x00})}), "malformed reference type");
}

TEST_CASE("decode: limits flags") {
  // 3.0: flags 0x00/0x01 (i32), 0x04/0x05 (i64 addresses), memories also
  // 0x03/0x07 (shared); sizes are u64 for both address types
  expect_malformed(module({section(5, {0x01, 0x02, 0x00})}), "malformed limits flags");
  expect_malformed(module({section(5, {0x01, 0x81, 0x00, 0x00})}), "malformed limits flags");
  expect_malformed(module({section(4, {0x01, 0x70, 0x08, 0x00})}), "malformed limits flags");
  expect_malformed(module({section(5, {0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00})}),
                   "integer representation too long");
  expect_malformed(module({section(5, {0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E})}),
                   "integer too large");
  auto m64 = decode_module(module({section(5, {0x01, 0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10})}));
  REQUIRE(m64.ok());
  CHECK(m64->memories[0].limits.is64);
  CHECK(m64->memories[0].limits.max == (uint64_t(1) << 32));
  auto t64 = decode_module(module({section(4, {0x01, 0x70, 0x04, 0x03})}));
  REQUIRE(t64.ok());
  CHECK(t64->tables[0].limits.is64);
  CHECK(!t64->tables[0].limits.has_max);
  // an i32 memory's size past 2^32 pages decodes (u64); the validator refuses it
  CHECK(decode_module(module({section(5, {0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x70})})).ok());
}

TEST_CASE("decode: function body errors") {
  // missing end, more bytes follow in the section
  Bytes two = cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x02, 0x00, 0x00}),
                   section(10, {0x02, 0x04, 0x00, 0x41, 0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B})});
  expect_malformed(two, "END opcode expected");
  // missing end at the end of the module
  Bytes eof = cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x01, 0x00}),
                   {0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1A}});
  expect_malformed(eof, "unexpected end of section or function");
  // body with bytes after its final end
  Bytes trailing = cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x01, 0x00}),
                        section(10, {0x01, 0x03, 0x00, 0x0B, 0x01})});
  expect_malformed(trailing, "section size mismatch");
  expect_malformed(one_func({0x05, 0x0B}), "END opcode expected");              // else outside if
  expect_malformed(one_func({0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B}), "END opcode expected");
  CHECK(decode_module(one_func({0x41, 0x00, 0x04, 0x40, 0x05, 0x0B, 0x0B})).ok());
  expect_malformed(one_func({0xFF, 0x0B}), "illegal opcode");
  expect_malformed(one_func({0xFD, 0x9A, 0x01, 0x0B}), "illegal opcode");     // reserved SIMD code
  // multi-memory: memory.size 1 names memory 1 (unknown: the validator's job)
  CHECK(decode_module(one_func({0x3F, 0x01, 0x1A, 0x0B})).ok());
  expect_malformed(one_func({0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1A, 0x0B}), "malformed memop flags");
  // 3.0: alignment exponents up to 63 decode (the validator rejects them)
  CHECK(decode_module(one_func({0x41, 0x00, 0x28, 0x20, 0x00, 0x1A, 0x0B})).ok());
  CHECK(decode_module(one_func({0x41, 0x00, 0x28, 0x1F, 0x00, 0x1A, 0x0B})).ok());  // validator's job
  expect_malformed(one_func({0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B}),
                   "data count section required");
  expect_malformed(one_func({0xFC, 0x09, 0x00, 0x0B}), "data count section required");
  // with a data count section the body decodes (index checks are the validator's)
  CHECK(decode_module(one_func({0xFC, 0x09, 0x00, 0x0B}, {section(12, leb(0))})).ok());
  // GC: array.new_data and array.init_data name a data segment too
  expect_malformed(one_func({0x41, 0x00, 0x41, 0x00, 0xFB, 0x09, 0x00, 0x00, 0x1A, 0x0B}),
                   "data count section required");
  expect_malformed(one_func({0xFB, 0x12, 0x00, 0x00, 0x0B}), "data count section required");
  CHECK(decode_module(one_func({0xFB, 0x12, 0x00, 0x00, 0x0B}, {section(12, leb(0))})).ok());
}

TEST_CASE("decode: too many locals") {
  auto with_locals = [](const Bytes& decls) {
    Bytes body = cat({decls, {0x0B}});
    return cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x01, 0x00}),
                section(10, cat({leb(1), leb(uint32_t(body.size())), body}))});
  };
  expect_malformed(with_locals({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x02, 0x7E}), "too many locals");
  expect_malformed(with_locals({0x01, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7F}), "too many locals");
  expect_malformed(with_locals({0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7F}), "integer too large");
  auto ok = decode_module(with_locals({0x03, 0x00, 0x7F, 0x00, 0x7E, 0x02, 0x7D}));
  REQUIRE(ok.ok());
  CHECK(ok->codes[0].num_locals == 2);
  CHECK(ok->codes[0].locals.size() == 3);
}

TEST_CASE("decode: constant expressions are scanned") {
  // global init missing its end: the next byte is read as an opcode. The
  // code section's id 0x0A is throw_ref since exception handling (the scan
  // then runs off the end); 0x27 is no opcode.
  Bytes b = cat({kHeader, section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x01, 0x00}),
                 {0x06, 0x05, 0x01, 0x7F, 0x00, 0x41, 0x00}, section(10, {0x01, 0x02, 0x00, 0x0B})});
  expect_malformed(b, "unexpected end");
  Bytes b2 = cat({kHeader, {0x06, 0x05, 0x01, 0x7F, 0x00, 0x41, 0x00}, {0x27}});
  expect_malformed(b2, "illegal opcode");
  Bytes bad_elem = one_func({0x0B}, {section(4, {0x01, 0x70, 0x00, 0x00}),
                                     section(9, {0x01, 0x05, 0x70, 0x01, 0xF3, 0x00, 0x0B})});
  expect_malformed(bad_elem, "illegal opcode");
  Bytes bad_reftype = one_func({0x0B}, {section(4, {0x01, 0x70, 0x00, 0x00}),
                                        section(9, {0x01, 0x05, 0x7F, 0x01, 0xD2, 0x00, 0x0B})});
  expect_malformed(bad_reftype, "malformed reference type");
  expect_malformed(one_func({0x0B}, {section(9, {0x01, 0x01, 0x01, 0x00})}), "malformed element kind");
  expect_malformed(one_func({0x0B}, {section(9, {0x01, 0x08})}), "malformed elements segment kind");
}

TEST_CASE("decode: SIMD instructions") {
  Bytes code = {0xFD, 0x0C};  // v128.const
  for (int i = 0; i < 16; ++i) code.push_back(uint8_t(i));
  Bytes shuffle = {0xFD, 0x0D};
  for (int i = 0; i < 16; ++i) shuffle.push_back(uint8_t(15 - i));
  code = cat({code, code, shuffle,
              {0xFD, 0x15, 0x03, 0x1A},                    // i8x16.extract_lane_s 3; drop
              {0x41, 0x00, 0xFD, 0x0C}, Bytes(16, 0),
              {0xFD, 0x54, 0x00, 0x00, 0x07, 0x1A},         // v128.load8_lane align=0 off=0 lane 7
              {0x41, 0x00, 0xFD, 0x00, 0x04, 0x00, 0x1A},  // v128.load
              {0x0B}});
  auto r = decode_module(one_func(code, {section(5, {0x01, 0x00, 0x01})}));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  // every SIMD opcode in the table is reachable from its encoding
  int simd = 0;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix != 0xFD) continue;
    ++simd;
    auto op = op_from_prefixed(0xFD, info.code);
    REQUIRE(op.has_value());
    CHECK(uint16_t(*op) == i);
  }
  CHECK(simd == 256);  // 236 of WebAssembly 2.0 + 20 relaxed SIMD (3.0)
  CHECK(op_from_text("f64x2.promote_low_f32x4").has_value());
  CHECK(op_info(*op_from_text("f64x2.promote_low_f32x4")).code == 0x5F);
  CHECK(op_info(*op_from_text("i8x16.shuffle")).imm == ImmKind::Shuffle);
}

TEST_CASE("decode: name section function names") {
  Bytes fnames = cat({leb(1), leb(0), str("main")});
  Bytes names = cat({str("name"), {0x00}, leb(2), {0x00, 0x00}, {0x01}, leb(uint32_t(fnames.size())),
                     fnames});
  Bytes b = cat({one_func({0x0B}), {0x00}, leb(uint32_t(names.size())), names});
  auto r = decode_module(b);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->func_names.size() == 1);
  CHECK(r->func_names[0] == "main");
  // a garbled name section is ignored
  Bytes junk = cat({str("name"), {0x01, 0x7F, 0x01}});
  auto r2 = decode_module(cat({one_func({0x0B}), section(0, junk)}));
  REQUIRE(r2.ok());
  CHECK(r2->customs.size() == 1);
}

TEST_CASE("decode: a 10 MB module") {
  // 20000 functions of ~500 bytes each: i32.const 1; drop; repeated.
  const uint32_t nfuncs = 20000;
  Bytes body = {0x00};
  for (int i = 0; i < 166; ++i) body.insert(body.end(), {0x41, 0x01, 0x1A});
  body.push_back(0x0B);
  Bytes funcs = leb(nfuncs);
  for (uint32_t i = 0; i < nfuncs; ++i) funcs.push_back(0x00);
  Bytes code = leb(nfuncs);
  code.reserve(nfuncs * (body.size() + 2) + 8);
  for (uint32_t i = 0; i < nfuncs; ++i) {
    put_u32(code, uint32_t(body.size()));
    code.insert(code.end(), body.begin(), body.end());
  }
  Bytes b = module({section(1, {0x01, 0x60, 0x00, 0x00}), section(3, funcs), section(10, code)});
  REQUIRE(b.size() > 10'000'000);
  auto r = decode_module(b);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(r->codes.size() == nfuncs);
  CHECK(r->codes.back().code_end == b.size());
  // corrupting the last body's final end is detected
  b.back() = 0x01;
  expect_malformed(b, "unexpected end of section or function");
}

TEST_CASE("decode: GC type section forms: rec groups, sub, sub final, struct and array") {
  // rec { 0: sub () struct { mut i8, (ref null 1) }, 1: sub final (0) struct { mut i8, (ref null 1), i64 } }
  // 2: array (mut i16); 3: func () -> ()
  Bytes types = cat({leb(3),  // three entries: the group, the array, the function
                     {0x4E, 0x02},                                                 // rec of 2
                     {0x50, 0x00, 0x5F, 0x02, 0x78, 0x01, 0x63, 0x01, 0x00},       // sub () struct
                     {0x4F, 0x01, 0x00, 0x5F, 0x03, 0x78, 0x01, 0x63, 0x01, 0x00, 0x7E, 0x00},
                     {0x5E, 0x77, 0x01}});
  types = cat({types, {0x60, 0x00, 0x00}});
  auto m = decode_module(module({section(1, types)}));
  REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
  REQUIRE(m->subtypes.size() == 4);
  CHECK(m->subtypes[0].kind == CompKind::Struct);
  CHECK_FALSE(m->subtypes[0].final);
  CHECK(m->subtypes[0].rec_size == 2);
  CHECK(m->subtypes[1].final);
  CHECK(m->subtypes[1].super == 0);
  CHECK(m->subtypes[1].fields.size() == 3);
  CHECK(m->subtypes[1].fields[1].type == make_ref(true, kHeapTypeBase + 1));
  CHECK(m->subtypes[2].kind == CompKind::Array);
  CHECK(m->subtypes[2].fields[0].type == kPackedI16);
  CHECK(m->subtypes[3].kind == CompKind::Func);
  CHECK(m->subtypes[3].rec_begin == 3);
  CHECK(m->type_canon == std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(validate_module(*m).ok());
  // abstract heap types as one-byte value types and in (ref ht)
  auto g = decode_module(module({section(1, cat({leb(1), {0x60, 0x03, 0x6E, 0x71, 0x64, 0x6D, 0x00}}))}));
  REQUIRE(g.ok());
  CHECK(g->types[0].params == std::vector<ValType>{make_ref(true, kHeapAny), make_ref(true, kHeapNone),
                                                    make_ref(false, kHeapEq)});
  expect_malformed(module({section(1, cat({leb(1), {0x5E, 0x78, 0x02}}))}), "malformed mutability");
  expect_malformed(module({section(1, cat({leb(1), {0x5D, 0x00}}))}), "malformed composite type");
}

TEST_CASE("decode: more than 1,000,000 type definitions are refused") {
  auto section_of = [](uint32_t n) {  // one recursion group of n empty function types
    Bytes payload = cat({leb(1), {0x4E}, leb(n)});
    for (uint32_t i = 0; i < n; ++i) payload.insert(payload.end(), {0x60, 0x00, 0x00});
    return module({section(1, payload)});
  };
  auto ok = decode_module(section_of(1000000));
  REQUIRE(ok.ok());
  CHECK(ok->types.size() == 1000000);
  expect_malformed(section_of(1000001), "too many types (more than 1000000)");
}
