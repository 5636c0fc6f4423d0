// resident.h — the resident set size of this process, from
// /proc/self/statm, for tests and wippy-bench that bound or report RSS.
// Returns 0 when /proc is unavailable (callers then skip the check).
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdio>

namespace wippy::testing {

inline size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace wippy::testing
