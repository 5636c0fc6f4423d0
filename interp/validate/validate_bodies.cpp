// validate_bodies.cpp — validate_bodies (see validate_bodies.h).
#include "interp/validate/validate_bodies.h"

#include "base/lowest_failure.h"
#include "interp/validate/func_validator.h"

namespace wippy {

namespace {

Result<void> validate_in_order(const Module& m, const std::vector<uint8_t>& declared, size_t from) {
  FuncValidator fv(m, declared);
  for (size_t i = from; i < m.codes.size(); ++i)
    if (auto r = fv.validate(m.num_imported_funcs() + uint32_t(i), m.codes[i]); !r) return r;
  return {};
}

}  // namespace

Result<void> validate_bodies(const Module& m, const std::vector<uint8_t>& declared, unsigned threads) {
  uint64_t code_bytes = 0;
  for (const FuncBody& b : m.codes) code_bytes += b.code_end - b.code_begin;
  if (!worth_parallel(threads, code_bytes, m.codes.size())) return validate_in_order(m, declared, 0);
  const size_t first = lowest_failure(m.codes.size(), threads, kParallelChunk, [&] {
    return [&m, &declared, fv = FuncValidator(m, declared)](size_t i) mutable {
      return fv.validate(m.num_imported_funcs() + uint32_t(i), m.codes[i]).ok();
    };
  });
  if (first == m.codes.size()) return {};
  // The lowest invalid body's error, found again here; from there on in
  // order if it validates now (an exception stopped a thread there).
  return validate_in_order(m, declared, first);
}

}  // namespace wippy
