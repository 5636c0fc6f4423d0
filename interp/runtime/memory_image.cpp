// memory_image.cpp — memfd images mapped copy-on-write over linear memories,
// and their reset with madvise (see memory_image.h).
#include "interp/runtime/memory_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace wippy {

namespace {

Error sys_error(const char* what) {
  return make_error(ErrorKind::Other, std::string("memory snapshot: ") + what + ": " + std::strerror(errno));
}

uint64_t os_page() {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? uint64_t(p) : 4096;
}

bool all_zero(const uint8_t* p, uint64_t n) {
  // n is a multiple of the OS page size, so of 8.
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  return acc == 0;
}

bool write_all(int fd, const uint8_t* p, uint64_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = pwrite(fd, p, n, off_t(off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    off += uint64_t(w);
    n -= uint64_t(w);
  }
  return true;
}

// Replaces [off, off + n) of the reservation with fresh anonymous memory.
bool map_anonymous(MemoryInst& m, uint64_t off, uint64_t n, int prot) {
  if (n == 0) return true;
  void* p = mmap(m.data + off, n, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  return p != MAP_FAILED;
}

bool map_image(MemoryInst& m, const MemoryImage& img) {
  if (img.bytes == 0) return true;
  void* p = mmap(m.data, img.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE | MAP_FIXED, img.fd, 0);
  return p != MAP_FAILED;
}

// True when m holds exactly `img`'s bytes followed by zeros (the image is
// mapped read-only for the comparison).
bool holds_image(const MemoryInst& m, const MemoryImage& img) {
  if (img.bytes > m.size) return false;
  if (img.bytes > 0) {
    void* p = mmap(nullptr, img.bytes, PROT_READ, MAP_PRIVATE, img.fd, 0);
    if (p == MAP_FAILED) return false;
    const bool same = std::memcmp(p, m.data, img.bytes) == 0;
    munmap(p, img.bytes);
    if (!same) return false;
  }
  return all_zero(m.data + img.bytes, m.size - img.bytes);
}

}  // namespace

MemoryImage::~MemoryImage() {
  if (fd >= 0) close(fd);
}

uint64_t os_page_size() { return os_page(); }

Result<std::shared_ptr<const MemoryImage>> make_memory_image(const uint8_t* data, uint64_t size) {
  const uint64_t page = os_page();
  uint64_t end = 0;  // end of the last page that is not all zero
  for (uint64_t off = 0; off + page <= size; off += page)
    if (!all_zero(data + off, page)) end = off + page;
  if (end == 0) return std::shared_ptr<const MemoryImage>();
  auto img = std::make_shared<MemoryImage>();
  img->fd = memfd_create("wippy-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (img->fd < 0) return sys_error("memfd_create");
  if (ftruncate(img->fd, off_t(end)) != 0) return sys_error("ftruncate");
  // Copy runs of non-zero pages; zero pages stay holes.
  for (uint64_t off = 0; off < end;) {
    if (all_zero(data + off, page)) {
      off += page;
      continue;
    }
    uint64_t run = off + page;
    while (run < end && !all_zero(data + run, page)) run += page;
    if (!write_all(img->fd, data + off, run - off, off)) return sys_error("write");
    off = run;
  }
  if (fcntl(img->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    return sys_error("seal");
  img->bytes = end;
  return std::shared_ptr<const MemoryImage>(std::move(img));
}

Result<std::shared_ptr<const MemoryImage>> capture_memory_image(MemoryInst& m,
                                                                const std::shared_ptr<const MemoryImage>& like) {
  const uint64_t old_bytes = m.image ? m.image->bytes : 0;
  std::shared_ptr<const MemoryImage> img;
  if (like && holds_image(m, *like)) {
    img = like;  // the same bytes: share the image (no new memfd)
  } else {
    auto made = make_memory_image(m.data, m.size);
    if (!made) return made.error();
    img = *made;
  }
  const uint64_t end = img ? img->bytes : 0;
  if (img && !map_image(m, *img)) return sys_error("mmap image");
  // A previous image reaching past `end` maps only zeros there now; make it
  // anonymous so a reset cannot bring that image's bytes back.
  if (old_bytes > end && !map_anonymous(m, end, old_bytes - end, PROT_READ | PROT_WRITE))
    return sys_error("mmap");
  m.image = img;
  return img;
}

Result<void> reset_memory(MemoryInst& m, const std::shared_ptr<const MemoryImage>& image, uint64_t size) {
  if (size > m.reserved) return make_error(ErrorKind::Other, "memory snapshot: size beyond the reservation");
  if (m.image == image) {
    // Drop every page written (or read) since the image was mapped: private
    // copies vanish, file pages are re-read from the image, anonymous pages
    // read zero again.
    if (m.size > 0 && madvise(m.data, m.size, MADV_DONTNEED) != 0) return sys_error("madvise");
    if (m.size > size && mprotect(m.data + size, m.size - size, PROT_NONE) != 0) return sys_error("mprotect");
    if (m.size < size && mprotect(m.data + m.size, size - m.size, PROT_READ | PROT_WRITE) != 0)
      return sys_error("mprotect");
  } else {
    // Another image (or none) is mapped: start over from a blank reservation
    // prefix. Past max(size, m.size) everything is anonymous and zero already.
    uint64_t span = std::max(size, m.size);
    if (!map_anonymous(m, 0, span, PROT_NONE)) return sys_error("mmap");
    m.image = nullptr;
    if (image && !map_image(m, *image)) return sys_error("mmap image");
    m.image = image;
    uint64_t from = image ? image->bytes : 0;
    if (size > from && mprotect(m.data + from, size - from, PROT_READ | PROT_WRITE) != 0)
      return sys_error("mprotect");
  }
  m.size = size;
  return {};
}

}  // namespace wippy
