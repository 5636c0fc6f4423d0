// resolve.cpp — confined path resolution: openat2(RESOLVE_BENEATH) and a
// manual component walk, plus openat_beneath / open_subdir on top of them.
#include "fs/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <string>
#include <vector>

#include "fs/resolve_internal.h"

namespace wippy::fs {
namespace detail {
namespace {

constexpr int kOpenat2Retries = 8;
// Longest path accepted (Linux PATH_MAX); also bounds the walk's fd stack.
constexpr std::size_t kMaxPathLength = 4096;

long raw_openat2(int dirfd, const char* path, struct open_how* how) {
  return ::syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

// The target of symlink `name` in directory `dirfd`. Invalid if not a link.
FsResult<std::string> read_link_text(int dirfd, const std::string& name) {
  char buf[4096];
  ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
  if (n < 0) return fs_errc_from_errno(errno);
  if (static_cast<std::size_t>(n) >= sizeof buf) return FsErrc::NameTooLong;
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

FsResult<void> check_relative_path(std::string_view path) {
  if (path.empty()) return FsErrc::NoEntry;
  if (path.size() >= kMaxPathLength) return FsErrc::NameTooLong;
  if (path.find('\0') != std::string_view::npos) return FsErrc::Invalid;
  if (path.front() == '/') return FsErrc::NotPermitted;
  return {};
}

FsResult<UniqueFd> resolve_by_openat2(int root, std::string_view path, int flags, mode_t mode) {
  if (!openat2_available()) return FsErrc::Unsupported;
  if (auto c = check_relative_path(path); !c) return c.error();
  std::string p(path);
  struct open_how how {};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  // O_TMPFILE includes the O_DIRECTORY bit: test all of its bits.
  const bool creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  how.mode = creates ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < kOpenat2Retries; ++attempt) {
    long fd = raw_openat2(root, p.c_str(), &how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    int err = errno;
    if (err == EAGAIN || err == EINTR) continue;  // a concurrent rename raced "..": retry
    if (err == EXDEV) return FsErrc::NotPermitted;  // the kernel saw an escape
    return fs_errc_from_errno(err);
  }
  // Persistent races: the walk gives the same confinement without the retry rule.
  return resolve_by_walk(root, path, flags, mode);
}

FsResult<UniqueFd> resolve_by_walk(int root, std::string_view path, int flags, mode_t mode) {
  if (auto c = check_relative_path(path); !c) return c.error();
  const bool no_follow = (flags & O_NOFOLLOW) != 0;
  const int final_flags = (flags & ~O_NOFOLLOW) | O_NOFOLLOW | O_CLOEXEC;
  bool must_be_dir = path.back() == '/';
  const auto first = path_components(path);
  std::deque<std::string> pending(first.begin(), first.end());
  std::vector<UniqueFd> stack;  // directories entered below root; never above it
  auto cur = [&] { return stack.empty() ? root : stack.back().get(); };
  int links = 0;

  // Replaces the symlink just met by its target's components; Invalid when
  // `name` is not a symlink after all.
  auto expand = [&](const std::string& name, bool at_end) -> FsResult<void> {
    auto target = read_link_text(cur(), name);
    if (!target) return target.error();
    if (++links > kMaxSymlinks) return FsErrc::Loop;
    if (target->empty()) return FsErrc::NoEntry;
    if (target->front() == '/') return FsErrc::NotPermitted;
    if (at_end && target->back() == '/') must_be_dir = true;
    const auto parts = path_components(*target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.emplace_front(*it);
    return {};
  };

  for (;;) {
    if (pending.empty()) {
      // The path named a directory already entered ("." or "a/..").
      if ((flags & O_CREAT) && !(flags & O_DIRECTORY)) return FsErrc::IsDirectory;
      int fd = ::openat(cur(), ".", (final_flags & ~(O_CREAT | O_EXCL)) | O_DIRECTORY, mode);
      if (fd < 0) return fs_errc_from_errno(errno);
      return UniqueFd(fd);
    }
    std::string name = std::move(pending.front());
    pending.pop_front();
    const bool last = pending.empty();
    if (name == ".") continue;
    if (name == "..") {
      if (stack.empty()) return FsErrc::NotPermitted;
      stack.pop_back();
      continue;
    }
    if (!last) {
      int fd = ::openat(cur(), name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0) {
        stack.emplace_back(fd);
        continue;
      }
      int err = errno;
      if (err != ENOTDIR) return fs_errc_from_errno(err);
      // Either a symlink (O_NOFOLLOW|O_DIRECTORY refuses it) or not a directory.
      if (auto e = expand(name, false); !e)
        return e.error() == FsErrc::Invalid ? FsErrc::NotDirectory : e.error();
      continue;
    }
    // Last component: a trailing slash follows links and wants a directory.
    const bool follow = !no_follow || must_be_dir;
    if (must_be_dir && (flags & O_CREAT)) return FsErrc::IsDirectory;
    int fl = final_flags | (must_be_dir ? O_DIRECTORY : 0);
    int fd = ::openat(cur(), name.c_str(), fl, mode);
    if (fd >= 0) {
      UniqueFd owned(fd);
      if ((fl & O_PATH) && follow) {
        struct stat st {};
        if (::fstat(fd, &st) != 0) return fs_errc_from_errno(errno);
        if (S_ISLNK(st.st_mode)) {
          owned.reset();
          if (auto e = expand(name, true); !e) return e.error();
          continue;
        }
      }
      return owned;
    }
    int err = errno;
    if ((err == ELOOP || (err == ENOTDIR && (fl & O_DIRECTORY))) && follow) {
      // O_NOFOLLOW met a symlink (or O_DIRECTORY did): expand it if it is one.
      if (auto e = expand(name, true); !e)
        return e.error() == FsErrc::Invalid ? fs_errc_from_errno(err) : e.error();
      continue;
    }
    return fs_errc_from_errno(err);
  }
}

FsResult<UniqueFd> resolve_beneath(int root, Resolver resolver, std::string_view path,
                                   int flags, mode_t mode) {
  if (resolver == Resolver::Auto && openat2_available())
    return resolve_by_openat2(root, path, flags, mode);
  return resolve_by_walk(root, path, flags, mode);
}

FsResult<ParentRef> open_parent(const Dir& dir, std::string_view path) {
  if (auto c = check_relative_path(path); !c) return c.error();
  ParentRef ref;
  std::string_view p = path;
  while (!p.empty() && p.back() == '/') {
    p.remove_suffix(1);
    ref.trailing_slash = true;
  }
  if (p.empty()) return FsErrc::NotPermitted;  // unreachable: absolute paths refused above
  std::size_t slash = p.rfind('/');
  std::string_view dir_part = slash == std::string_view::npos ? std::string_view(".") : p.substr(0, slash);
  ref.name = std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
  if (dir_part.empty()) dir_part = ".";
  ref.dir_path = std::string(dir_part);
  if (ref.dot_name()) {
    // "x/.." or "x/." names a directory; make sure that one is still beneath.
    auto whole = resolve_beneath(dir.fd(), dir.resolver(), p, O_PATH | O_DIRECTORY, 0);
    if (!whole) return whole.error();
  }
  auto parent = resolve_beneath(dir.fd(), dir.resolver(), ref.dir_path, O_PATH | O_DIRECTORY, 0);
  if (!parent) return parent.error();
  ref.dir = std::move(*parent);
  return ref;
}

}  // namespace detail

bool openat2_available() {
  static const bool available = [] {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = detail::raw_openat2(AT_FDCWD, ".", &how);
    if (fd < 0) return false;  // ENOSYS, or a seccomp filter refusing it
    ::close(static_cast<int>(fd));
    return true;
  }();
  return available;
}

FsResult<UniqueFd> openat_beneath(const Dir& dir, std::string_view path, int flags, mode_t mode) {
  const bool wants_write = (flags & O_ACCMODE) != O_RDONLY ||
                           (flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0 ||
                           (flags & O_TMPFILE) == O_TMPFILE;  // O_TMPFILE includes O_DIRECTORY
  if (wants_write && !dir.writable()) return FsErrc::ReadOnly;
  return detail::resolve_beneath(dir.fd(), dir.resolver(), path, flags, mode);
}

FsResult<Dir> open_subdir(const Dir& dir, std::string_view path, Follow follow) {
  int flags = O_PATH | O_DIRECTORY | (follow == Follow::No ? O_NOFOLLOW : 0);
  auto fd = detail::resolve_beneath(dir.fd(), dir.resolver(), path, flags, 0);
  if (!fd) return fd.error();
  return Dir(std::move(*fd), dir.access(), dir.resolver(), dir.mount());
}

}  // namespace wippy::fs
