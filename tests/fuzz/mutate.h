// mutate.h — deterministic input mutators for the fuzz harness (wippy-fuzz).
// A Rng (splitmix64) seeded per iteration drives every choice, so an
// iteration replays exactly from (seed, iteration). Binary mutators know
// the module/component layout only as far as "8-byte preamble, then
// sections of id + LEB128 size + payload" (for section splices) and LEB128
// runs (for integer edits); text mutators work on characters and
// parenthesised forms, the HTTP mutator on lines and framing tokens. A
// donor (another seed) supplies spliced material.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace wippy::fuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n == 0.
  size_t below(size_t n) { return n == 0 ? 0 : size_t(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  uint64_t s_;
};

// Mutates a binary (module or component): mostly inside one (possibly
// nested) section with its size re-encoded, else 1..3 raw mutations.
void mutate_binary(std::vector<uint8_t>& bytes, const std::vector<uint8_t>& donor, Rng& rng);

// Applies 1..2 stacked mutations to source text (WAT, .wast, YAML).
void mutate_text(std::string& text, const std::string& donor, Rng& rng);

// HTTP/1.1 byte streams (server responses): framing tokens inserted at any
// byte or line start, whole lines repeated, bytes stretched into long runs
// (toward the size limits), or one text mutation; 1..3 stacked.
void mutate_http(std::string& text, const std::string& donor, Rng& rng);

// Appends the unsigned LEB128 encoding of v, padded to at least `min_len` bytes.
void put_leb(std::vector<uint8_t>& out, uint64_t v, size_t min_len = 1);

}  // namespace wippy::fuzz
