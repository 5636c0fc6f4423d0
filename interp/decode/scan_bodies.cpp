// scan_bodies.cpp — scan_bodies (see scan_bodies.h).
#include "interp/decode/scan_bodies.h"

#include <algorithm>

#include "base/lowest_failure.h"
#include "interp/decode/primitives.h"

namespace wippy::decode {

namespace {

// Body `b` read with `r` (over the whole module): through its final `end`,
// which must be where its size says.
bool scan_body(Reader& r, ExprScanner& scanner, const FuncBody& b) {
  r.seek(b.code_begin);
  if (!scanner.scan(r, true)) return false;
  if (r.pos() != b.code_end) {
    fail_at(r, b.body_begin, "section size mismatch (function body)");
    return false;
  }
  return true;
}

}  // namespace

bool scan_bodies(Reader& r, const ExprScanner& proto, const std::vector<FuncBody>& codes) {
  const Reader clean = r;  // scans read copies of this error-free reader
  uint64_t code_bytes = 0;
  for (const FuncBody& b : codes) code_bytes += b.code_end - std::min(b.code_begin, b.code_end);
  const unsigned threads = parallel_threads();
  size_t first = 0;
  if (worth_parallel(threads, code_bytes, codes.size()))
    first = lowest_failure(codes.size(), threads, kParallelChunk, [&] {
      return [&, r = clean, sc = proto](size_t i) mutable { return scan_body(r, sc, codes[i]); };
    });
  // In order from the first failure (from the start on one thread).
  ExprScanner scanner = proto;
  for (size_t i = first; i < codes.size(); ++i)
    if (!scan_body(r, scanner, codes[i])) return false;
  return true;
}

}  // namespace wippy::decode
