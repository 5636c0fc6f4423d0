// code_cache.cpp — CodeCache, default_cache_dir, cache_build_key (see code_cache.h).
#include "runtime/code_cache.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "interp/cache/le_bytes.h"
#include "runtime/module_hash.h"

namespace wippy {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'W', 'I', 'P', 'P', 'Y', 'C', 'C', '1'};
// magic | u32 key length | key | u64 payload length | u64 checksum | payload
constexpr size_t kFixedHeader = sizeof(kMagic) + 4 + 8 + 8;


std::string hex(std::span<const uint8_t> b) {
  std::string s;
  for (uint8_t c : b) s += fmt::format("{:02x}", c);
  return s;
}

// The GNU build-id note of the main executable, as hex; empty when absent.
std::string executable_build_id() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) -> int {
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
          size_t left = ph.p_memsz;
          while (left >= sizeof(ElfW(Nhdr))) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p, sizeof nh);
            size_t name_sz = (nh.n_namesz + 3) & ~size_t(3), desc_sz = (nh.n_descsz + 3) & ~size_t(3);
            size_t total = sizeof nh + name_sz + desc_sz;
            if (total > left) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(p + sizeof nh, "GNU", 4) == 0) {
              *static_cast<std::string*>(out) = hex({p + sizeof nh + name_sz, nh.n_descsz});
              return 1;
            }
            p += total, left -= total;
          }
        }
        return 1;  // only the first object: the executable
      },
      &id);
  return id;
}

std::string cpu_features() {
  std::string s =
#if defined(__x86_64__)
      "x86_64";
#elif defined(__aarch64__)
      "aarch64";
#else
      "other";
#endif
#if defined(__SSE4_2__)
  s += "+sse4.2";
#endif
#if defined(__AVX__)
  s += "+avx";
#endif
#if defined(__AVX2__)
  s += "+avx2";
#endif
#if defined(__ARM_NEON)
  s += "+neon";
#endif
  return s;
}

// The whole file: mapped from the page cache (entries are only ever
// replaced by rename or unlinked, never shrunk in place, so the mapping
// stays whole), or, where it cannot be mapped, read into a fresh buffer.
std::optional<SharedBytes> read_file(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<SharedBytes> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (SharedBytes mapped = SharedBytes::map_file(fd, size_t(st.st_size)); !mapped.empty()) {
      ::close(fd);
      return mapped;
    }
    uint8_t* buf = nullptr;
    SharedBytes file = SharedBytes::uninitialized(size_t(st.st_size), buf);
    size_t got = 0;
    while (got < file.size()) {
      ssize_t n = ::read(fd, buf + got, file.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += size_t(n);
    }
    if (got == file.size()) out = std::move(file);
  }
  ::close(fd);
  return out;
}

bool write_all(int fd, const void* data, size_t n) {
  auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w, n -= size_t(w);
  }
  return true;
}

}  // namespace

uint64_t cache_checksum(std::span<const uint8_t> bytes) {
  // Four independent multiply-xor lanes over 8-byte words, then the tail.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32)
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, bytes.data() + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * kMul;
      h[l] ^= h[l] >> 29;
    }
  uint64_t r = bytes.size() * kMul;
  for (int l = 0; l < 4; ++l) r = (r ^ h[l]) * kMul, r ^= r >> 31;
  for (; i < bytes.size(); ++i) r = (r ^ bytes[i]) * kMul, r ^= r >> 31;
  return r;
}

fs::path default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') return fs::path(x) / "wippy";
  if (const char* h = std::getenv("HOME"); h && *h == '/') return fs::path(h) / ".cache" / "wippy";
  return {};
}

std::string cache_build_key() {
  std::string id = executable_build_id();
  if (id.empty()) {
    struct stat st {};
    ::stat("/proc/self/exe", &st);
    id = fmt::format("exe:{}:{}:{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  }
  return fmt::format("build={};cc={};cpu={}", id, __VERSION__, cpu_features());
}

CodeCache::CodeCache(fs::path dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

fs::path CodeCache::entry_path(std::string_view key) const {
  auto k = std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  return dir_ / (sha256_hex(k) + ".wcc");
}

std::optional<SharedBytes> CodeCache::get(std::string_view key) const {
  if (dir_.empty()) return std::nullopt;
  fs::path path = entry_path(key);
  auto file = read_file(path);
  if (!file || file->size() < kFixedHeader) return std::nullopt;
  const uint8_t* p = file->data();
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0) return std::nullopt;
  size_t at = sizeof kMagic;
  uint64_t key_len = read_le(p + at, 4);
  at += 4;
  if (key_len != key.size() || file->size() - kFixedHeader < key_len) return std::nullopt;
  if (std::memcmp(p + at, key.data(), key_len) != 0) return std::nullopt;
  at += key_len;
  uint64_t len = read_le(p + at, 8), sum = read_le(p + at + 8, 8);
  at += 16;
  if (len != file->size() - at) return std::nullopt;
  std::span<const uint8_t> payload(p + at, len);
  if (cache_checksum(payload) != sum) return std::nullopt;
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // most recently used
  return file->slice(at, len);
}

bool CodeCache::put(std::string_view key, std::span<const uint8_t> payload) const {
  if (dir_.empty() || kFixedHeader + key.size() + payload.size() > max_bytes_) return false;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return false;
  std::vector<uint8_t> header(kMagic, kMagic + sizeof kMagic);
  append_le(header, key.size(), 4);
  header.insert(header.end(), key.begin(), key.end());
  append_le(header, payload.size(), 8);
  append_le(header, cache_checksum(payload), 8);
  fs::path final_path = entry_path(key);
  std::random_device rd;
  fs::path tmp = dir_ / fmt::format(".tmp-{}-{:x}", ::getpid(), uint64_t(rd()) << 32 | rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = write_all(fd, header.data(), header.size()) && write_all(fd, payload.data(), payload.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  evict();
  return true;
}

void CodeCache::evict() const {
  struct Entry {
    fs::path path;
    uint64_t size;
    timespec used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (p.filename().string().starts_with(".tmp-")) {
      if (st.st_mtim.tv_sec + 3600 < ::time(nullptr)) ::unlink(p.c_str());  // left by a crashed writer
      continue;
    }
    if (p.extension() != ".wcc") continue;
    entries.push_back({p, uint64_t(st.st_size), st.st_mtim});
    total += uint64_t(st.st_size);
  }
  if (total <= max_bytes_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec : a.used.tv_nsec < b.used.tv_nsec;
  });
  for (const Entry& e : entries) {
    if (total <= max_bytes_) break;
    if (::unlink(e.path.c_str()) == 0) total -= e.size;
  }
}

}  // namespace wippy
