// codec_io.h — the code cache's byte strings written and read field by
// field (module_codec.h, code_codec.h), little-endian (le_bytes.h).
// Contract:
//  * ByteOut appends; vec() writes a u32 count, then each element.
//  * ByteIn reads with bounds checks: the first failure sticks (`ok` goes
//    false) and every later read yields zeros, so callers check `ok` once at
//    the end, and before sizing anything by a count: count(min_bytes)
//    refuses a count the bytes left cannot hold at min_bytes per element.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "interp/cache/le_bytes.h"

namespace wippy {

struct ByteOut {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u32(uint32_t v) { append_le(b, v, 4); }
  void u64(uint64_t v) { append_le(b, v, 8); }
  void raw(std::span<const uint8_t> s) {
    u32(uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void str(const std::string& s) { raw({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
  template <class T, class F>
  void vec(const std::vector<T>& v, F each) {
    u32(uint32_t(v.size()));
    for (const T& x : v) each(x);
  }
};

struct ByteIn {
  std::span<const uint8_t> s;
  size_t pos = 0;
  bool ok = true;
  explicit ByteIn(std::span<const uint8_t> bytes) : s(bytes) {}
  bool need(size_t n) {
    if (!ok || s.size() - pos < n) ok = false;
    return ok;
  }
  bool at_end() const { return ok && pos == s.size(); }
  uint8_t u8() { return need(1) ? s[pos++] : 0; }
  uint64_t fixed(int n) {
    if (!need(size_t(n))) return 0;
    uint64_t v = read_le(s.data() + pos, n);
    pos += size_t(n);
    return v;
  }
  uint32_t u32() { return uint32_t(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  bool flag() {
    uint8_t v = u8();
    if (v > 1) ok = false;
    return v == 1;
  }
  uint32_t count(size_t min_bytes) {
    uint32_t n = u32();
    if (ok && uint64_t(n) * min_bytes > s.size() - pos) ok = false;
    return ok ? n : 0;
  }
  std::span<const uint8_t> raw() {
    uint32_t n = count(1);
    if (!ok) return {};
    auto out = s.subspan(pos, n);
    pos += n;
    return out;
  }
  std::string str() {
    auto r = raw();
    return std::string(reinterpret_cast<const char*>(r.data()), r.size());
  }
  std::optional<uint32_t> optional_u32() {
    bool has = flag();
    uint32_t v = u32();
    return has ? std::optional<uint32_t>(v) : std::nullopt;
  }
  // A vec() of u32s, read in one copy.
  std::vector<uint32_t> u32_vec() {
    std::vector<uint32_t> v(count(4));
    if (!ok || v.empty()) return v;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(v.data(), s.data() + pos, v.size() * 4);
    } else {
      for (size_t i = 0; i < v.size(); ++i) v[i] = uint32_t(read_le(s.data() + pos + 4 * i, 4));
    }
    pos += v.size() * 4;
    return v;
  }
  template <class T, class F>
  std::vector<T> vec(size_t min_bytes, F each) {
    std::vector<T> v(count(min_bytes));
    for (T& x : v) {
      if (!ok) break;
      x = each();
    }
    return v;
  }
};

}  // namespace wippy
