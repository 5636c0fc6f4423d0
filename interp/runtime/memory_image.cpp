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
#include <vector>

#include "interp/runtime/held_pages.h"

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
  // n is a multiple of the OS page size, so of 8; stops at the first page
  // that is not all zero.
  constexpr uint64_t kStep = 4096;
  for (uint64_t at = 0; at < n; at += kStep) {
    uint64_t acc = 0;
    const uint64_t end = n - at < kStep ? n : at + kStep;
    for (uint64_t i = at; i < end; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      acc |= w;
    }
    if (acc != 0) return false;
  }
  return true;
}

// Per OS page of [data, data + size): 1 when it may hold a non-zero byte.
// Pages from `anonymous_from` on are private anonymous memory: those the
// kernel holds nothing for read zero and are not read (held_pages.h).
std::vector<uint8_t> nonzero_pages(const uint8_t* data, uint64_t size, uint64_t anonymous_from) {
  const uint64_t page = os_page(), pages = size / page;
  std::vector<uint8_t> nonzero(pages, 0);
  uint64_t scan_end = size;  // pages before it are read one by one
  if (anonymous_from < size && reinterpret_cast<uintptr_t>(data) % page == 0) {
    const uint64_t from = anonymous_from / page * page;
    const bool read = for_each_held_run(data + from, size - from, page, [&](uint64_t b, uint64_t e) {
      for (uint64_t off = from + b; off < from + e; off += page) nonzero[off / page] = !all_zero(data + off, page);
    });
    if (read) scan_end = from;
  }
  for (uint64_t off = 0; off + page <= scan_end; off += page) nonzero[off / page] = !all_zero(data + off, page);
  return nonzero;
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

// How many bytes of m are mapped from its image (0: none is, or it is copied).
uint64_t mapped_image_bytes(const MemoryInst& m) { return m.image && !m.image_copied ? m.image->bytes : 0; }

// Where m's mapped image ends (within its size): the reservation is
// private anonymous memory from there on (the invariant in the header).
uint64_t anonymous_from(const MemoryInst& m) { return std::min(mapped_image_bytes(m), m.size); }

// True when [from, m.size) of m reads all zero.
bool zero_from(const MemoryInst& m, uint64_t from) {
  const uint64_t anon = std::max(from, anonymous_from(m));
  if (from < anon && !all_zero(m.data + from, anon - from)) return false;
  if (anon >= m.size) return true;
  bool zero = true;
  const bool read = for_each_held_run(m.data + anon, m.size - anon, os_page(), [&](uint64_t b, uint64_t e) {
    if (zero && !all_zero(m.data + anon + b, e - b)) zero = false;
  });
  return read ? zero : all_zero(m.data + anon, m.size - anon);
}

// True when m holds exactly `img`'s bytes followed by zeros (compared
// through the image's read-only view).
bool holds_image(const MemoryInst& m, const MemoryImage& img) {
  if (img.bytes > m.size) return false;
  if (img.bytes > 0 && std::memcmp(img.view, m.data, img.bytes) != 0) return false;
  return zero_from(m, img.bytes);
}

// copy_back's bounds: pages it may rewrite (more were written: dropping
// them is cheaper) and pages it may look at (present but perhaps only the
// zero page, e.g. after reads past the image).
constexpr uint64_t kCopyBackMaxPages = 64;
constexpr uint64_t kCopyBackMaxLooks = 1024;

// Restores m to `img` followed by zeros by rewriting only the pages that
// may hold a private copy (held_pages.h, read_private_pages) and differ:
// from the image's view below its end, zeros past it (a page that already
// reads zero, such as the shared zero page, is left alone). The pages stay
// mapped and writable, so the reset sends no TLB shootdown to the other
// cores (an inter-processor interrupt per call, the bulk of a small call's
// cost on a virtualised host) and the next call takes no copy-on-write
// faults on them. Every other page reads the image or zero already. False,
// with nothing changed, when pagemap cannot be read or a bound is passed:
// the caller drops the pages instead.
bool copy_back(MemoryInst& m, const MemoryImage* img) {
  const uint64_t page = os_page(), pages = m.size / page;
  if (pages == 0) return true;
  if (reinterpret_cast<uintptr_t>(m.data) % page != 0) return false;
  std::vector<uint64_t> looks;
  if (!for_each_marked_page(m.data, pages * page, page, PageMark::Private, [&](uint64_t p) {
        if (looks.size() == kCopyBackMaxLooks) return false;
        looks.push_back(p);
        return true;
      }))
    return false;
  const uint64_t image_bytes = img ? img->bytes : 0;
  std::vector<uint64_t> differ;
  for (uint64_t p : looks) {
    const uint64_t off = p * page;
    const bool same = off < image_bytes ? std::memcmp(m.data + off, img->view + off, page) == 0
                                        : all_zero(m.data + off, page);
    if (same) continue;
    if (differ.size() == kCopyBackMaxPages) return false;
    differ.push_back(p);
  }
  for (uint64_t p : differ) {
    const uint64_t off = p * page;
    if (off < image_bytes) std::memcpy(m.data + off, img->view + off, page);
    else std::memset(m.data + off, 0, page);
  }
  return true;
}

}  // namespace

MemoryImage::~MemoryImage() {
  if (view) munmap(const_cast<uint8_t*>(view), bytes);
  if (fd >= 0) close(fd);
}

uint64_t os_page_size() { return os_page(); }

Result<std::shared_ptr<const MemoryImage>> make_memory_image(const uint8_t* data, uint64_t size,
                                                             uint64_t anonymous_from, bool module_data) {
  const uint64_t page = os_page();
  const std::vector<uint8_t> nonzero = nonzero_pages(data, size, anonymous_from);
  uint64_t end = 0;  // end of the last page that is not all zero
  for (uint64_t i = 0; i < nonzero.size(); ++i)
    if (nonzero[i]) end = (i + 1) * page;
  if (end == 0) return std::shared_ptr<const MemoryImage>();
  auto img = std::make_shared<MemoryImage>();
  img->module_data = module_data;
  img->fd = memfd_create("wippy-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (img->fd < 0) return sys_error("memfd_create");
  if (ftruncate(img->fd, off_t(end)) != 0) return sys_error("ftruncate");
  // Copy runs of non-zero pages; zero pages stay holes.
  for (uint64_t off = 0; off < end;) {
    if (!nonzero[off / page]) {
      off += page;
      continue;
    }
    uint64_t run = off + page;
    while (run < end && nonzero[run / page]) run += page;
    if (!write_all(img->fd, data + off, run - off, off)) return sys_error("write");
    off = run;
  }
  if (fcntl(img->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    return sys_error("seal");
  img->bytes = end;
  void* view = mmap(nullptr, end, PROT_READ, MAP_SHARED, img->fd, 0);
  if (view == MAP_FAILED) return sys_error("mmap view");
  img->view = static_cast<const uint8_t*>(view);
  return std::shared_ptr<const MemoryImage>(std::move(img));
}

Result<std::shared_ptr<const MemoryImage>> capture_memory_image(MemoryInst& m,
                                                                const std::shared_ptr<const MemoryImage>& like) {
  const uint64_t old_bytes = mapped_image_bytes(m);
  std::shared_ptr<const MemoryImage> img;
  if (like && holds_image(m, *like)) {
    img = like;  // the same bytes: share the image (no new memfd)
  } else {
    auto made = make_memory_image(m.data, m.size, anonymous_from(m));
    if (!made) return made.error();
    img = *made;
  }
  const uint64_t end = img ? img->bytes : 0;
  // m holds img's bytes now. A small image over anonymous memory stays
  // copied; the image it is mapped from already needs nothing; otherwise
  // it is mapped.
  bool copied = false;
  if (img && old_bytes == 0 && end <= kCopiedImageMaxBytes) copied = true;
  else if (img && !(img == m.image && old_bytes > 0) && !map_image(m, *img)) return sys_error("mmap image");
  // A previous image reaching past `end` maps only zeros there now; make it
  // anonymous so a reset cannot bring that image's bytes back.
  if (old_bytes > end && !map_anonymous(m, end, old_bytes - end, PROT_READ | PROT_WRITE))
    return sys_error("mmap");
  m.committed = std::max(m.committed, old_bytes);
  m.image = img;
  m.image_copied = copied;
  return img;
}

Result<void> reset_memory(MemoryInst& m, const std::shared_ptr<const MemoryImage>& image, uint64_t size) {
  if (size > m.reserved) return make_error(ErrorKind::Other, "memory snapshot: size beyond the reservation");
  if (m.image == image) {
    // A few pages written since the image was mapped are copied back in
    // place (copy_back), those grown since included: they stay open past
    // the new size, zero (MemoryInst::committed). Otherwise drop every page
    // written (or read) since the image was mapped: private copies vanish,
    // file pages are re-read from the image, anonymous pages read zero
    // again; and close what lies past the new size.
    if (m.size >= size && (!image || image->bytes <= size) && copy_back(m, image.get())) {
      m.size = size;
      return {};
    }
    if (m.committed > 0 && madvise(m.data, m.committed, MADV_DONTNEED) != 0) return sys_error("madvise");
    if (m.committed > size && mprotect(m.data + size, m.committed - size, PROT_NONE) != 0)
      return sys_error("mprotect");
    if (m.committed < size && mprotect(m.data + m.committed, size - m.committed, PROT_READ | PROT_WRITE) != 0)
      return sys_error("mprotect");
    // A copied image's pages were dropped with the rest: copy it again.
    if (m.image_copied) std::memcpy(m.data, image->view, image->bytes);
  } else {
    // Another image (or none) is mapped: start over from a blank reservation
    // prefix. Past what is committed everything is anonymous and zero already.
    uint64_t span = std::max(size, m.committed);
    if (!map_anonymous(m, 0, span, PROT_NONE)) return sys_error("mmap");
    m.image = nullptr;
    m.image_copied = false;
    if (image && !map_image(m, *image)) return sys_error("mmap image");
    m.image = image;
    uint64_t from = image ? image->bytes : 0;
    if (size > from && mprotect(m.data + from, size - from, PROT_READ | PROT_WRITE) != 0)
      return sys_error("mprotect");
  }
  m.size = size;
  m.committed = size;
  return {};
}

Result<void> map_image_fresh(MemoryInst& m, const std::shared_ptr<const MemoryImage>& image) {
  if (image && m.image == image) return {};  // a pool's block, reset to it (memory_pool.h)
  if (m.image || !image || image->bytes > m.size) return reset_memory(m, image, m.size);
  // [0, bytes) becomes the image; the rest stays the zero anonymous memory
  // it was, read-write up to size and PROT_NONE past it (the invariant).
  if (!map_image(m, *image)) return sys_error("mmap image");
  m.image = image;
  return {};
}

}  // namespace wippy
