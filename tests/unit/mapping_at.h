// mapping_at.h — the mapping of this process that holds an address, from
// /proc/self/smaps: its bounds and its VmFlags line (" hg" marks one
// advised for transparent huge pages), for tests of memory advice.
// `found` is false when no mapping holds it or /proc is unavailable.
#pragma once
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace wippy::testing {

struct Mapping {
  bool found = false;
  uintptr_t start = 0, end = 0;
  std::string flags;  // the "VmFlags:" line as the kernel writes it
};

inline Mapping mapping_at(const void* addr) {
  const auto a = reinterpret_cast<uintptr_t>(addr);
  std::ifstream in("/proc/self/smaps");
  Mapping m;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    // A mapping's first line ("lo-hi perms ..."), not a "Key: value" one.
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      if (m.found) break;
      inside = a >= lo && a < hi;
      if (inside) m.found = true, m.start = lo, m.end = hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) m.flags = line + " ";
  }
  return m;
}

}  // namespace wippy::testing
