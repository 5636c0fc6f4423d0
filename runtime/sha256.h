// sha256.h — SHA-256 (FIPS 180-4) of a stream of bytes, for module hashes
// and code-cache keys (module_hash.h wraps it in hex and registry checks).
// Contract:
//  * Sha256Stream: update() with each chunk in order, then digest() once;
//    any chunking gives the same digest.
//  * The compression runs on the CPU's SHA extensions (x86 SHA-NI, checked
//    at run time with cpuid) when present: about 20x fewer instructions per
//    byte than the portable code, which runs everywhere else. Both give the
//    same digests (tests compare them on every chunking of random input).
//  * Plain value type, no shared state; safe to use on any thread.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace wippy {

class Sha256Stream {
 public:
  enum class Engine { Auto, Portable };
  explicit Sha256Stream(Engine e = Engine::Auto);
  void update(std::span<const uint8_t> bytes);
  std::array<uint8_t, 32> digest();
  // Whether Engine::Auto uses the CPU's SHA extensions on this machine.
  static bool hardware_available();

 private:
  void blocks(const uint8_t* data, size_t n);  // n whole 64-byte blocks
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buf_{};
  size_t buffered_ = 0;
  uint64_t total_ = 0;  // bytes so far
  bool hw_;
};

}  // namespace wippy
