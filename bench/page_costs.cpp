// page_costs.cpp — page-costs: what a fresh page costs on this machine, the
// figure behind base/huge_heap.h and SharedBytes::uninitialized (run by
// hand: build/bench/page-costs [PAGES] [FILE]). Each line is the median of
// 9 rounds, in microseconds per 4 KiB page, and as a ratio to the first:
//   touch     anonymous memory, one fault per page (what a fresh heap pays)
//   populate  the same, every page faulted in by MAP_POPULATE in one call
//   huge      one 2 MiB transparent huge page (a single fault), per 4 KiB
//   file      a file's page-cache pages read through a private mapping
//             (FILE, default this executable; the kernel maps around a fault)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Microseconds to map `bytes` with `flags` and write one byte per page.
double anon(size_t bytes, int flags, bool huge) {
  constexpr size_t kHuge = size_t(2) << 20;
  double t0 = now_us();
  size_t len = huge ? 2 * kHuge : bytes;
  auto* raw = static_cast<uint8_t*>(::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0));
  if (raw == MAP_FAILED) return -1;
  uint8_t* p = raw;
  if (huge) {
    p = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw) + kHuge - 1) & ~uintptr_t(kHuge - 1));
    ::madvise(p, kHuge, MADV_HUGEPAGE);
  }
  for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
  double t = now_us() - t0;
  ::munmap(raw, len);
  return t;
}

double file(const char* path, size_t& pages) {
  int fd = ::open(path, O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size < 4096) return -1;
  pages = size_t(st.st_size) / 4096;
  double t0 = now_us();
  auto* p = static_cast<const volatile uint8_t*>(::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0));
  if (p == MAP_FAILED) return -1;
  unsigned sum = 0;
  for (size_t i = 0; i < pages; ++i) sum += p[i * 4096];
  double t = now_us() - t0;
  ::munmap(const_cast<uint8_t*>(p), size_t(st.st_size));
  ::close(fd);
  return sum == ~0u ? t + 1 : t;  // keeps the reads
}

}  // namespace

int main(int argc, char** argv) {
  size_t pages = argc > 1 ? size_t(std::strtoul(argv[1], nullptr, 10)) : 256;
  const char* path = argc > 2 ? argv[2] : "/proc/self/exe";
  if (pages == 0) pages = 256;
  std::vector<double> touch, populate, huge, mapped;
  size_t file_pages = 0;
  for (int round = 0; round < 9; ++round) {
    touch.push_back(anon(pages * 4096, 0, false) / double(pages));
    populate.push_back(anon(pages * 4096, MAP_POPULATE, false) / double(pages));
    huge.push_back(anon(size_t(2) << 20, 0, true) / 512.0);
    mapped.push_back(file(path, file_pages) / double(file_pages ? file_pages : 1));
  }
  double ref = median(touch);
  auto line = [&](const char* name, double us) { std::printf("%-9s %8.3f us/page  %6.3fx\n", name, us, us / ref); };
  std::printf("%zu pages of 4 KiB; %s: %zu pages\n", pages, path, file_pages);
  line("touch", ref);
  line("populate", median(populate));
  line("huge", median(huge));
  line("file", median(mapped));
  return 0;
}
