// reader.h — bounded byte reader for the binary format (LEB128, floats,
// names) and a table-driven instruction reader shared by the decoder,
// validator and compiler. All reads are bounds-checked; a failed read sets
// an error message naming the absolute byte offset and further reads fail.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "opcodes.h"
#include "types.h"

namespace wippy {

class Reader {
 public:
  // `base` is the absolute offset of data[0] within the module (for messages).
  Reader(std::span<const uint8_t> data, uint32_t base = 0) : data_(data), base_(base) {}

  bool ok() const { return err_.empty(); }
  const std::string& error() const { return err_; }
  // Records the first error only; "at offset N" is appended.
  void fail(const std::string& msg);
  bool at_end() const { return pos_ >= data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  uint32_t pos() const { return uint32_t(pos_); }            // relative
  uint32_t offset() const { return base_ + uint32_t(pos_); } // absolute
  void seek(size_t rel) { pos_ = rel; }

  // The integer readers take a one-byte encoding (most indices and
  // constants in code) inline and leave the rest to the checked loops.
  uint8_t u8() {
    if (pos_ < data_.size()) [[likely]]
      return data_[pos_++];
    fail("unexpected end");
    return 0;
  }
  // unsigned LEB128, at most 5 bytes, unused bits zero
  uint32_t u32() { return one_byte() ? data_[pos_++] : uint32_t(u64_limited_(5, 32)); }
  // signed LEB128, at most 5 bytes, unused bits sign-extended
  int32_t s32() { return one_byte() ? int32_t(signed_byte()) : int32_t(s_limited_(5, 32)); }
  // signed LEB128 at most 5 bytes, value must fit 33 bits (block types)
  int64_t s33() { return one_byte() ? signed_byte() : s_limited_(5, 33); }
  int64_t s64() { return one_byte() ? signed_byte() : s_limited_(10, 64); }  // at most 10 bytes
  uint64_t u64() { return one_byte() ? data_[pos_++] : u64_limited_(10, 64); }  // at most 10 bytes
  uint32_t f32_bits();
  uint64_t f64_bits();
  std::span<const uint8_t> bytes(size_t n);
  std::string name();  // vec(byte) that must be valid UTF-8 ("malformed UTF-8 encoding")

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  uint32_t base_ = 0;
  std::string err_;
  uint64_t u64_limited_(int max_bytes, int bits);
  int64_t s_limited_(int max_bytes, int bits);
  // A LEB128 whose first byte ends it (no continuation bit).
  bool one_byte() const { return pos_ < data_.size() && data_[pos_] < 0x80; }
  // That byte as a signed value: bit 6 is its sign.
  int64_t signed_byte() { return int64_t(int8_t(uint8_t(data_[pos_++] << 1))) >> 1; }
};

// Block type: empty, a single value type, or a type index.
struct BlockType {
  enum Kind : uint8_t { Empty, Value, TypeIndex } kind = Empty;
  ValType value = ValType::I32;
  uint32_t type_index = 0;
};

// One try_table catch clause: kind 0 catch, 1 catch_ref, 2 catch_all,
// 3 catch_all_ref; `tag` is meaningless for the catch_all forms.
struct CatchClause {
  uint8_t kind = 0;
  uint32_t tag = 0;
  uint32_t label = 0;
  bool has_tag() const { return kind < 2; }
  bool is_ref() const { return kind == 1 || kind == 3; }
};

// One decoded instruction. Which fields are meaningful depends on
// op_info(op).imm; br_table targets are stored in Instr::targets
// (the last element is the default target).
struct Instr {
  Op op = Op::Nop;
  uint32_t offset = 0;  // absolute offset of the opcode's first byte
  BlockType block;
  uint32_t a = 0;  // label/func/local/global/table/type/data/elem index, memarg align, lane
  uint32_t b = 0;  // second index (call_indirect table, table.copy src, memarg offset, ...)
  uint64_t imm64 = 0;  // i32/i64 const (sign-extended), f32/f64 bits
  uint8_t v128[16] = {};  // v128.const value / i8x16.shuffle lanes
  uint8_t lane = 0;       // MemArgLane's lane
  // Multi-memory: the memory index of memarg / memory.* instructions
  // (memory.copy: the destination; `b` is then the source). memarg
  // offsets are u64 (memory64): imm64 holds the whole offset, b its low
  // 32 bits (the whole offset for an i32 memory, which validation checks).
  uint32_t mem = 0;
  std::vector<uint32_t> targets;  // br_table
  std::vector<ValType> select_types;  // select t*
  std::vector<CatchClause> catches;   // try_table
};

// Reads a heap type (s33: func, extern or a type index) into `heap`
// (kHeapFunc, kHeapExtern or kHeapTypeBase + index); false when malformed.
bool read_heap_type(Reader& r, uint32_t& heap);
// Reads a value type whose first byte `lead` was already read: a one-byte
// type, or 0x63/0x64 and a heap type. false when malformed (error in r).
bool read_valtype_after(Reader& r, uint8_t lead, ValType& out);

// Reads one instruction (opcode + immediates) from `r` into `out`.
// Returns false on malformed input (error recorded in r), including an
// unknown opcode ("illegal opcode XX").
bool read_instr(Reader& r, Instr& out);

}  // namespace wippy
