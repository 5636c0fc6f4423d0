// source_file.cpp — see source_file.h.
#include "runtime/source_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "fs/dir.h"
#include "fs/resolve.h"
#include "interp/quote.h"
#include "runtime/confined_path.h"

namespace wippy {
namespace {

constexpr size_t kChunk = 1 << 20;
// From this size on a file is hashed on a second thread while it is read.
constexpr uint64_t kHashBehindFrom = uint64_t{4} << 20;

// Hashes the part of a buffer read so far on a thread of its own, so that
// reading (the kernel's copy from the page cache) and hashing overlap on
// two cores. The reader publishes how far it has read; finish() (and the
// destructor) returns once everything published is hashed.
class HashBehind {
 public:
  // Null when no thread can be started (the caller hashes inline).
  static std::unique_ptr<HashBehind> start(Sha256& hasher, const uint8_t* buf) {
    auto h = std::unique_ptr<HashBehind>(new HashBehind(hasher, buf));
    try {
      h->thread_ = std::thread([p = h.get()] { p->run(); });
    } catch (...) {
      return nullptr;
    }
    return h;
  }
  HashBehind(const HashBehind&) = delete;
  HashBehind& operator=(const HashBehind&) = delete;
  ~HashBehind() { finish(); }

  void publish(size_t upto) {
    published_ = upto;
    state_.store(upto, std::memory_order_release);
    state_.notify_one();
  }
  void finish() {
    if (!thread_.joinable()) return;
    state_.store(published_ | kDone, std::memory_order_release);
    state_.notify_one();
    thread_.join();
  }

 private:
  static constexpr uint64_t kDone = uint64_t{1} << 63;
  HashBehind(Sha256& hasher, const uint8_t* buf) : hasher_(hasher), buf_(buf) {}
  void run() {
    size_t hashed = 0;
    for (;;) {
      const uint64_t s = state_.load(std::memory_order_acquire);
      const size_t upto = size_t(s & ~kDone);
      if (upto > hashed) {
        hasher_.update(std::span<const uint8_t>(buf_ + hashed, upto - hashed));
        hashed = upto;
      } else if (s & kDone) {
        return;
      } else {
        state_.wait(s, std::memory_order_acquire);
      }
    }
  }

  Sha256& hasher_;
  const uint8_t* buf_;
  std::atomic<uint64_t> state_{0};
  size_t published_ = 0;  // the reader's side
  std::thread thread_;
};

Error io_error(std::string_view what, std::string_view shown, std::string_view why) {
  return make_error(ErrorKind::Io, fmt::format("cannot read {} {}: {}", what, quote_input(shown), why));
}

std::string_view fs_reason(fs::FsErrc e) {
  switch (e) {
    case fs::FsErrc::NoEntry: return "no such file";
    case fs::FsErrc::Access: return "permission denied";
    case fs::FsErrc::NotDirectory: return "a component of the path is not a directory";
    case fs::FsErrc::NameTooLong: return "name too long";
    case fs::FsErrc::Loop: return "too many symlinks";
    case fs::FsErrc::Invalid: return "invalid path";
    default: return fs::fs_errc_name(e);
  }
}

// fstat of an open descriptor: a regular file within the size cap.
Result<struct stat> stat_regular(int fd, const ReadSpec& spec, std::string_view shown) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error(spec.what, shown, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorKind::Invalid, fmt::format("{} {} is {}, not a regular file", spec.what,
                                                      quote_input(shown), file_type_name(st.st_mode)));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > spec.max_bytes)
    return make_error(ErrorKind::Invalid,
                      fmt::format("{} {} is {} bytes, over the limit of {}{}", spec.what, quote_input(shown),
                                  size, spec.max_bytes,
                                  spec.limit_name.empty() ? std::string()
                                                          : fmt::format(" ({})", spec.limit_name)));
  return st;
}

// Reads all of fd (expected `size` bytes) in chunks straight into a fresh
// buffer (no zero-filling pass), feeding the hasher (on a second thread
// for a large file, HashBehind). A file that grew since its fstat moves to
// a buffer twice as big, up to the cap and one byte (hashed inline from
// then on).
Result<SharedBytes> read_all(int fd, uint64_t size, const ReadSpec& spec, std::string_view shown) {
  uint8_t* buf = nullptr;
  // + the byte that finds EOF
  SharedBytes out = SharedBytes::uninitialized(size_t(std::min(size, spec.max_bytes)) + 1, buf);
  size_t used = 0;
  std::unique_ptr<HashBehind> behind;
  if (spec.hasher && size >= kHashBehindFrom) behind = HashBehind::start(*spec.hasher, buf);
  for (;;) {
    if (used == out.size()) {  // grew: more room, within the cap + 1
      behind.reset();          // the old buffer is hashed up to `used`
      uint8_t* bigger = nullptr;
      SharedBytes next = SharedBytes::uninitialized(
          size_t(std::min<uint64_t>(uint64_t(out.size()) * 2, std::max(spec.max_bytes, spec.max_bytes + 1))),
          bigger);
      std::memcpy(bigger, buf, used);
      out = std::move(next), buf = bigger;
    }
    size_t want = std::min(kChunk, out.size() - used);
    ssize_t n = ::read(fd, buf + used, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(spec.what, shown, std::strerror(errno));
    if (n == 0) break;
    if (spec.hasher && !behind) spec.hasher->update(std::span<const uint8_t>(buf + used, static_cast<size_t>(n)));
    used += static_cast<size_t>(n);
    if (behind) behind->publish(used);
    if (used > spec.max_bytes)
      return make_error(ErrorKind::Invalid, fmt::format("{} {} grew past the limit of {} bytes while read",
                                                           spec.what, quote_input(shown), spec.max_bytes));
  }
  if (behind) behind->finish();
  out.shrink(used);
  return out;
}

// The path is opened O_PATH and checked first; only a regular file is then
// opened again for reading, and must be the same file (device and inode).
template <class Open>
Result<SharedBytes> read_checked(Open open, const ReadSpec& spec, std::string_view shown) {
  auto probe = open(O_PATH);
  if (!probe) return probe.error();
  auto a = stat_regular(probe->get(), spec, shown);
  if (!a) return a.error();
  // O_NONBLOCK: should the path have been swapped for a FIFO since the
  // probe, the open still returns; the identity check then refuses it.
  auto file = open(O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!file) return file.error();
  struct stat b {};
  if (::fstat(file->get(), &b) != 0) return io_error(spec.what, shown, std::strerror(errno));
  if (a->st_dev != b.st_dev || a->st_ino != b.st_ino)
    return make_error(ErrorKind::Io, fmt::format("{} {} changed while it was opened", spec.what, quote_input(shown)));
  return read_all(file->get(), static_cast<uint64_t>(a->st_size), spec, shown);
}

}  // namespace

std::string_view file_type_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

Result<SharedBytes> read_confined_file(const std::filesystem::path& root, std::string_view inner,
                                                const ReadSpec& spec) {
  // The lexical check first (NUL, "..", the directory itself), for its
  // clearer messages; the open below confines symlinks as well.
  Result<std::filesystem::path> lexical = confine_path(root, inner);
  if (!lexical) return lexical.error();
  std::string_view stripped = inner;
  while (!stripped.empty() && stripped.front() == '/') stripped.remove_prefix(1);
  const std::string rel = std::filesystem::path(stripped).lexically_normal().string();
  auto dir = fs::Dir::open_host(root.string(), fs::Access::ReadOnly);
  if (!dir) return io_error("directory", root.string(), fs_reason(dir.error()));
  auto open = [&](int flags) -> Result<fs::UniqueFd> {
    auto fd = fs::openat_beneath(*dir, rel, flags);
    if (fd) return std::move(*fd);
    if (fd.error() == fs::FsErrc::NotPermitted)
      return make_error(ErrorKind::Invalid, fmt::format("path {} resolves outside directory {}", quote_input(inner),
                                                        spec.root_name.empty() ? quote_input(root.string())
                                                                               : std::string(spec.root_name)));
    return io_error(spec.what, inner, fs_reason(fd.error()));
  };
  return read_checked(open, spec, inner);
}

Result<SharedBytes> read_host_file(const std::filesystem::path& path, const ReadSpec& spec) {
  const std::string& p = path.native();
  if (Result<void> ok = refuse_nul(p); !ok) return ok.error();
  auto open = [&](int flags) -> Result<fs::UniqueFd> {
    int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return io_error(spec.what, p, errno == ENOENT ? "no such file" : std::strerror(errno));
    return fs::UniqueFd(fd);
  };
  return read_checked(open, spec, p);
}

}  // namespace wippy
