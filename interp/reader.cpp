// reader.cpp — LEB128 / float / name decoding and the instruction reader.
#include "reader.h"

#include <array>

#include <fmt/format.h>

#include "base/utf8.h"

namespace wippy {

void Reader::fail(const std::string& msg) {
  if (err_.empty()) err_ = fmt::format("{} at offset {}", msg, offset());
  pos_ = data_.size();
}

// Shared unsigned LEB128 decoding with a byte limit and bit width check.
uint64_t Reader::u64_limited_(int max_bytes, int bits) {
  uint64_t result = 0;
  int shift = 0;
  for (int i = 0;; ++i) {
    if (pos_ >= data_.size()) {
      fail(i == 0 ? "unexpected end" : "unexpected end of LEB128");
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (i == max_bytes - 1) {
      // last permitted byte: no continuation, unused bits must be zero
      if (b & 0x80) {
        fail("integer representation too long");
        return 0;
      }
      int used = bits - shift;
      if (used < 7 && (b >> used) != 0) {
        fail("integer too large");
        return 0;
      }
    }
    result |= uint64_t(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  return result;
}

int64_t Reader::s_limited_(int max_bytes, int bits) {
  int64_t result = 0;
  int shift = 0;
  uint8_t b = 0;
  for (int i = 0;; ++i) {
    if (pos_ >= data_.size()) {
      fail(i == 0 ? "unexpected end" : "unexpected end of LEB128");
      return 0;
    }
    b = data_[pos_++];
    if (i == max_bytes - 1) {
      if (b & 0x80) {
        fail("integer representation too long");
        return 0;
      }
      // bits beyond `bits` (including the sign bit position) must all equal the sign
      int used = bits - shift;  // payload bits still meaningful in this byte
      if (used < 7) {
        uint8_t rest = uint8_t(b & 0x7F) >> (used - 1);  // sign bit and above
        uint8_t all = uint8_t(0x7F >> (used - 1));
        if (rest != 0 && rest != all) {
          fail("integer too large");
          return 0;
        }
      }
    }
    result |= int64_t(uint64_t(b & 0x7F) << shift);
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (b & 0x40)) result |= int64_t(~uint64_t(0) << shift);
  return result;
}


uint32_t Reader::f32_bits() {
  auto b = bytes(4);
  uint32_t v = 0;
  if (b.size() == 4) std::memcpy(&v, b.data(), 4);
  return v;
}

uint64_t Reader::f64_bits() {
  auto b = bytes(8);
  uint64_t v = 0;
  if (b.size() == 8) std::memcpy(&v, b.data(), 8);
  return v;
}

std::span<const uint8_t> Reader::bytes(size_t n) {
  if (n > remaining()) {
    fail("unexpected end");
    return {};
  }
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

std::string Reader::name() {
  uint32_t n = u32();
  if (!ok()) return {};
  if (n > remaining()) {
    fail("unexpected end");
    return {};
  }
  auto s = bytes(n);
  if (!valid_utf8(s)) {
    fail("malformed UTF-8 encoding");
    return {};
  }
  return std::string(s.begin(), s.end());
}

bool read_heap_type(Reader& r, uint32_t& heap) {
  int64_t h = r.s33();
  if (!r.ok()) return false;
  if (h < 0 && h >= -0x40 && is_abstract_heap(uint32_t(h + 0x80))) {
    heap = uint32_t(h + 0x80);  // func = -0x10 (byte 0x70), any = -0x12, none = -0x0f, ...
  } else if (h >= 0 && h < int64_t(kMaxTypeIndexInRef)) {
    heap = kHeapTypeBase + uint32_t(h);
  } else {
    r.fail(h < 0 ? "malformed heap type" : "type index too large");
    return false;
  }
  return true;
}

bool read_valtype_after(Reader& r, uint8_t lead, ValType& out) {
  if (lead == 0x63 || lead == 0x64) {
    uint32_t heap = 0;
    if (!read_heap_type(r, heap)) return false;
    out = make_ref(lead == 0x63, heap);
    return true;
  }
  if (is_abstract_heap(lead) && !is_valtype_byte(lead)) {  // anyref, nullref, exnref, ...
    out = make_ref(true, lead);
    return true;
  }
  if (!is_valtype_byte(lead)) {
    r.fail(fmt::format("malformed value type 0x{:02x}", lead));
    return false;
  }
  out = ValType(lead);
  return true;
}

static bool read_valtype(Reader& r, ValType& out) {
  uint8_t b = r.u8();
  if (!r.ok()) return false;
  return read_valtype_after(r, b, out);
}

// vec(catch): 0x00 tag label | 0x01 tag label | 0x02 label | 0x03 label.
static bool read_catches(Reader& r, std::vector<CatchClause>& out) {
  uint32_t n = r.u32();
  if (!r.ok()) return false;
  if (n > r.remaining()) {
    r.fail("unexpected end");
    return false;
  }
  out.resize(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    uint8_t k = r.u8();
    if (!r.ok()) return false;
    if (k > 3) {
      r.fail(fmt::format("malformed catch clause 0x{:02x}", k));
      return false;
    }
    out[i].kind = k;
    if (k < 2) out[i].tag = r.u32();
    out[i].label = r.u32();
  }
  return r.ok();
}

namespace {

// One-byte opcode -> its Op index and immediate kind in one 4-byte entry
// (one load per instruction instead of two dependent ones); op is kNoOp
// where the byte is no opcode.
struct ByteOp {
  uint16_t op = kNoOp;
  ImmKind imm = ImmKind::None;
  bool one_index = false;  // the immediate is one u32 index, read into Instr::a
};

constexpr bool is_one_index(ImmKind k) {
  switch (k) {
    case ImmKind::Label: case ImmKind::Func: case ImmKind::Local: case ImmKind::Global:
    case ImmKind::Table: case ImmKind::Data: case ImmKind::Elem: case ImmKind::TypeIdx: case ImmKind::Tag:
      return true;
    default:
      return false;
  }
}

constexpr std::array<ByteOp, 256> kByteOps = [] {
  std::array<ByteOp, 256> t{};
  for (uint16_t i = 0; i < kOpCount; ++i)
    if (kOpInfo[i].prefix == 0) t[kOpInfo[i].code] = ByteOp{i, kOpInfo[i].imm, is_one_index(kOpInfo[i].imm)};
  return t;
}();

}  // namespace

// memarg: flags (alignment exponent; bit 6: a memory index follows), then
// the offset as u64. Flags of 2^7 or more are malformed.
static bool read_memarg(Reader& r, Instr& in) {
  uint32_t flags = r.u32();
  if (!r.ok()) return false;
  if (flags >= 0x80) {
    r.fail("malformed memop flags");
    return false;
  }
  if (flags & 0x40) in.mem = r.u32();
  in.a = flags & 0x3F;  // alignment exponent
  in.imm64 = r.u64();   // offset
  in.b = uint32_t(in.imm64);
  return r.ok();
}

namespace {

// A prefixed opcode: `prefix` (0xFB, 0xFC or 0xFD) was read, the u32 code
// follows. Sets in.op; false with the error in r.
[[gnu::noinline]] bool read_prefixed_op(Reader& r, uint8_t prefix, Instr& in) {
  uint32_t code = r.u32();
  if (!r.ok()) return false;
  std::optional<Op> op = op_from_prefixed(prefix, code);
  if (!op && prefix == 0xFB) {
    r.fail(fmt::format("illegal opcode fb {:x} (array.new_data/_elem, array.fill/copy/init are not supported yet)", code));
    return false;
  }
  if (!op) {
    r.fail(fmt::format("illegal opcode {:02x} {:x}", prefix, code));
    return false;
  }
  in.op = *op;
  return true;
}

[[gnu::noinline]] bool unexpected_end(Reader& r) {
  r.u8();  // records "unexpected end" unless an error is there already
  return false;
}

[[gnu::noinline]] bool illegal_byte(Reader& r, uint8_t byte) {
  r.fail(fmt::format("illegal opcode {:02x}", byte));
  return false;
}

// The immediates of in.op, whose kind is `imm`. Apart from read_instr so
// that an instruction without immediates costs no more than its table
// lookup (no register saves for this switch and its error paths).
[[gnu::noinline]] bool read_immediates(Reader& r, Instr& in, ImmKind imm) {
  switch (imm) {
    case ImmKind::None:
      break;
    case ImmKind::BlockType:
    case ImmKind::TryTable: {
      // 0x40 = empty; a single negative-looking byte = value type; otherwise s33 type index
      if (r.at_end()) {
        r.fail("unexpected end");
        return false;
      }
      uint32_t save = r.pos();
      uint8_t b = r.u8();
      if (b == 0x40) {
        in.block.kind = BlockType::Empty;
      } else if (is_valtype_byte(b) || b == 0x63 || b == 0x64 || is_abstract_heap(b)) {
        in.block.kind = BlockType::Value;
        if (!read_valtype_after(r, b, in.block.value)) return false;
      } else {
        r.seek(save);
        int64_t idx = r.s33();
        if (!r.ok()) return false;
        if (idx < 0) {
          r.fail("malformed block type");
          return false;
        }
        in.block.kind = BlockType::TypeIndex;
        in.block.type_index = uint32_t(idx);
      }
      if (imm == ImmKind::TryTable && !read_catches(r, in.catches)) return false;
      break;
    }
    case ImmKind::Label:
    case ImmKind::Tag:
    case ImmKind::TypeIdx:
    case ImmKind::Func:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Data:
    case ImmKind::Elem:
      in.a = r.u32();
      break;
    case ImmKind::BrTable: {
      uint32_t n = r.u32();
      if (!r.ok()) return false;
      if (n > r.remaining()) {
        r.fail("unexpected end");
        return false;
      }
      in.targets.resize(size_t(n) + 1);
      for (uint32_t i = 0; i <= n && r.ok(); ++i) in.targets[i] = r.u32();
      break;
    }
    case ImmKind::CallIndirect:
      in.a = r.u32();  // type index
      in.b = r.u32();  // table index
      break;
    case ImmKind::SelectT: {
      uint32_t n = r.u32();
      if (!r.ok()) return false;
      if (n > r.remaining()) {
        r.fail("unexpected end");
        return false;
      }
      in.select_types.resize(n);
      for (uint32_t i = 0; i < n; ++i)
        if (!read_valtype(r, in.select_types[i])) return false;
      break;
    }
    case ImmKind::Memory:
      in.a = 0;
      in.mem = r.u32();  // multi-memory: a memory index (a 0x00 byte in 2.0)
      break;
    case ImmKind::MemArg:
    case ImmKind::MemArgLane:
      if (!read_memarg(r, in)) return false;
      if (imm == ImmKind::MemArgLane) in.lane = r.u8();
      break;
    case ImmKind::I32:
      in.imm64 = uint64_t(int64_t(r.s32()));
      break;
    case ImmKind::I64:
      in.imm64 = uint64_t(r.s64());
      break;
    case ImmKind::F32:
      in.imm64 = r.f32_bits();
      break;
    case ImmKind::F64:
      in.imm64 = r.f64_bits();
      break;
    case ImmKind::RefType: {
      uint32_t heap = 0;  // ref.null's heap type; in.a is then (ref null heap)
      if (!read_heap_type(r, heap)) return false;
      in.a = uint32_t(make_ref(true, heap));
      break;
    }
    case ImmKind::BrOnCast: {
      uint8_t flags = r.u8();
      if (!r.ok()) return false;
      if (flags > 3) {
        r.fail(fmt::format("malformed cast flags 0x{:02x}", flags));
        return false;
      }
      in.a = r.u32();
      uint32_t h1 = 0, h2 = 0;
      if (!r.ok() || !read_heap_type(r, h1) || !read_heap_type(r, h2)) return false;
      in.b = uint32_t(make_ref(flags & 1, h1));
      in.imm64 = uint32_t(make_ref(flags & 2, h2));
      break;
    }
    case ImmKind::MemoryInit:
      in.a = r.u32();    // data index
      in.mem = r.u32();  // memory index
      break;
    case ImmKind::MemoryCopy:
      in.mem = r.u32();  // destination memory
      in.b = r.u32();    // source memory
      break;
    case ImmKind::TableInit:
      in.a = r.u32();  // elem index
      in.b = r.u32();  // table index
      break;
    case ImmKind::TypeField:
    case ImmKind::TypeCount:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType:
      in.a = r.u32();  // type index
      in.b = r.u32();  // field index / count / segment / source type
      break;
    case ImmKind::TableCopy:
      in.a = r.u32();  // dst table
      in.b = r.u32();  // src table
      break;
    case ImmKind::V128:
    case ImmKind::Shuffle: {
      auto b = r.bytes(16);
      if (b.size() == 16) std::memcpy(in.v128, b.data(), 16);
      break;
    }
    case ImmKind::Lane:
      in.lane = r.u8();
      break;
  }
  return r.ok();
}

}  // namespace

bool read_instr(Reader& r, Instr& in) {
  in.offset = r.offset();
  if (r.at_end()) return unexpected_end(r);  // also where an earlier read failed
  const uint8_t byte = r.u8();
  in.mem = 0;
  if (byte == 0xFB || byte == 0xFC || byte == 0xFD) {
    if (!read_prefixed_op(r, byte, in)) return false;
    return read_immediates(r, in, op_info(in.op).imm);
  }
  const ByteOp d = kByteOps[byte];
  if (d.op == kNoOp) return illegal_byte(r, byte);
  in.op = static_cast<Op>(d.op);
  if (d.imm == ImmKind::None) return true;  // most instructions: the byte was read
  if (d.one_index) {                        // local.get, br_if, call, ...: as read_immediates does
    in.a = r.u32();
    return r.ok();
  }
  return read_immediates(r, in, d.imm);
}

}  // namespace wippy
