// wasm_writer.h — a minimal encoder for the WebAssembly binary format, used
// by wippy-bench to build synthetic modules in memory: LEB128 integers,
// IEEE floats, names, and sections whose size is filled in afterwards.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace wippy::bench {

class WasmWriter {
 public:
  std::vector<uint8_t> bytes;

  void byte(uint8_t b) { bytes.push_back(b); }
  void u32(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      byte(v ? uint8_t(b | 0x80) : b);
    } while (v);
  }
  void s64(int64_t v) {
    for (;;) {
      uint8_t b = v & 0x7f;
      v >>= 7;  // arithmetic
      bool last = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      byte(last ? b : uint8_t(b | 0x80));
      if (last) return;
    }
  }
  void f32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    for (int i = 0; i < 4; i++) byte(uint8_t(bits >> (8 * i)));
  }
  void f64(double f) {
    uint64_t bits;
    std::memcpy(&bits, &f, 8);
    for (int i = 0; i < 8; i++) byte(uint8_t(bits >> (8 * i)));
  }
  void name(std::string_view s) {
    u32(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void append(const std::vector<uint8_t>& b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
  void header() {
    static const uint8_t magic[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    bytes.insert(bytes.end(), magic, magic + 8);
  }
  // Appends section `id` whose payload is `body`.
  void section(uint8_t id, const WasmWriter& body) {
    byte(id);
    u32(body.bytes.size());
    append(body.bytes);
  }
};

}  // namespace wippy::bench
