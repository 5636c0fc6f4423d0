// primitives.cpp — lengths, names, types and limits of the binary format.
#include "interp/decode/primitives.h"

#include <fmt/format.h>

#include "base/utf8.h"

namespace wippy::decode {

void fail_at(Reader& r, uint32_t pos, const std::string& msg) {
  if (!r.ok()) return;
  r.seek(pos);
  r.fail(msg);
}

uint32_t read_len(Reader& r, uint32_t total_size) {
  uint32_t before = r.pos();
  uint32_t n = r.u32();
  if (!r.ok()) return 0;
  if (n > total_size - before) {
    fail_at(r, before, "length out of bounds");
    return 0;
  }
  return n;
}

bool read_name(Reader& r, uint32_t total_size, std::string& out) {
  uint32_t n = read_len(r, total_size);
  if (!r.ok()) return false;
  uint32_t begin = r.pos();
  auto s = r.bytes(n);
  if (!r.ok()) return false;
  if (!valid_utf8(s)) {
    fail_at(r, begin, "malformed UTF-8 encoding");
    return false;
  }
  out.assign(s.begin(), s.end());
  return true;
}

// Value and reference types are one-byte signed LEB128 values (s7).
static bool read_type_byte(Reader& r, uint8_t& b) {
  b = r.u8();
  if (!r.ok()) return false;
  if (b & 0x80) {
    fail_at(r, r.pos() - 1, "integer representation too long");
    return false;
  }
  return true;
}

bool read_valtype(Reader& r, ValType& out) {
  uint8_t b = 0;
  if (!read_type_byte(r, b)) return false;
  if (!is_valtype_byte(b) && b != 0x63 && b != 0x64 && !is_abstract_heap(b)) {
    fail_at(r, r.pos() - 1, fmt::format("malformed value type 0x{:02x}", b));
    return false;
  }
  return read_valtype_after(r, b, out);
}

bool read_reftype(Reader& r, ValType& out) {
  uint8_t b = r.u8();
  if (!r.ok()) return false;
  if (b != 0x63 && b != 0x64 && !is_abstract_heap(b)) {
    fail_at(r, r.pos() - 1, fmt::format("malformed reference type 0x{:02x}", b));
    return false;
  }
  return read_valtype_after(r, b, out);
}

bool read_limits(Reader& r, Limits& out, bool* shared) {
  // The flags are a 1-bit unsigned LEB128 (vu1): one byte, value 0 or 1;
  // memories (shared != nullptr) also take 0x03, a shared memory with a
  // maximum (threads proposal). 0x02, shared without a maximum, stays
  // malformed as in the 2.0 binary tests.
  uint8_t flags = r.u8();
  if (!r.ok()) return false;
  if (flags & 0x80) {
    fail_at(r, r.pos() - 1, "malformed limits flags");
    return false;
  }
  if (shared && flags == 3) {
    *shared = true;
    flags = 1;
  }
  // 0x04 | 0x05 (3.0): i64 addresses (memory64, table64), u64 sizes
  out.is64 = flags == 4 || flags == 5 || (shared && (flags == 7));
  if (shared && flags == 7) {
    *shared = true;
    flags = 5;
  }
  if (out.is64) flags &= 1;
  if (flags > 1) {
    fail_at(r, r.pos() - 1, "malformed limits flags");
    return false;
  }
  // 3.0 sizes are u64 for both address types (the validator checks ranges)
  out.has_max = flags == 1;
  out.min = r.u64();
  out.max = out.has_max ? r.u64() : 0;
  return r.ok();
}

bool read_table_type(Reader& r, TableType& out) {
  return read_reftype(r, out.elem) && read_limits(r, out.limits);
}

bool read_memory_type(Reader& r, MemoryType& out) { return read_limits(r, out.limits, &out.shared); }

bool read_mutability(Reader& r, bool& out) {
  uint8_t m = r.u8();
  if (!r.ok()) return false;
  if (m > 1) {
    fail_at(r, r.pos() - 1, "malformed mutability");
    return false;
  }
  out = m == 1;
  return true;
}

bool read_global_type(Reader& r, GlobalType& out) { return read_valtype(r, out.type) && read_mutability(r, out.mut); }

std::string spec_eof_message(const std::string& e) {
  static constexpr std::string_view kSpec = "unexpected end of section or function";
  std::string_view v(e);
  if (v.starts_with(kSpec) || !v.starts_with("unexpected end")) return e;
  auto at = v.find(" at offset ");
  if (at == std::string_view::npos) return std::string(kSpec);
  return std::string(kSpec) + std::string(v.substr(at));
}

}  // namespace wippy::decode
