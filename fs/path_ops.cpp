// path_ops.cpp — stat, mkdir, rmdir, unlink, rename, link, symlink, readlink,
// set-times and set-size confined beneath a Dir. Each resolves the parent
// directory beneath the Dir and then calls the *at syscall on one plain name
// without following it.
#include "fs/path_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fs/resolve_internal.h"

namespace wippy::fs {
namespace {

using detail::ParentRef;

FsResult<void> errno_result(int rc) {
  if (rc != 0) return fs_errc_from_errno(errno);
  return {};
}

// Parent and last name of `path`; when following, symlinks in the last
// position are expanded (text re-resolved beneath the Dir) until the name is
// not a symlink or does not exist. A trailing slash always follows.
FsResult<ParentRef> resolve_entry(const Dir& dir, std::string_view path, Follow follow) {
  std::string cur(path);
  for (int links = 0;; ++links) {
    auto ref = detail::open_parent(dir, cur);
    if (!ref) return ref.error();
    if ((follow == Follow::No && !ref->trailing_slash) || ref->dot_name()) return ref;
    struct stat st {};
    if (::fstatat(ref->dir.get(), ref->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return ref;
      return fs_errc_from_errno(errno);
    }
    if (!S_ISLNK(st.st_mode)) return ref;
    if (links >= kMaxSymlinks) return FsErrc::Loop;
    char buf[4096];
    ssize_t n = ::readlinkat(ref->dir.get(), ref->name.c_str(), buf, sizeof buf);
    if (n < 0) return fs_errc_from_errno(errno);
    if (static_cast<std::size_t>(n) >= sizeof buf) return FsErrc::NameTooLong;
    std::string target(buf, static_cast<std::size_t>(n));
    if (target.empty()) return FsErrc::NoEntry;
    if (target.front() == '/') return FsErrc::NotPermitted;
    cur = ref->dir_path + "/" + target + (ref->trailing_slash ? "/" : "");
  }
}

// With a trailing slash the entry, if it exists, must be a directory.
FsResult<void> check_trailing_dir(const ParentRef& ref) {
  if (!ref.trailing_slash) return {};
  struct stat st {};
  if (::fstatat(ref.dir.get(), ref.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return {};
    return fs_errc_from_errno(errno);
  }
  if (!S_ISDIR(st.st_mode)) return FsErrc::NotDirectory;
  return {};
}

}  // namespace

FsResult<FileStat> stat_at(const Dir& dir, std::string_view path, Follow follow) {
  int flags = O_PATH | (follow == Follow::No ? O_NOFOLLOW : 0);
  auto fd = detail::resolve_beneath(dir.fd(), dir.resolver(), path, flags, 0);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fs_errc_from_errno(errno);
  return FileStat::from_stat(st);
}

FsResult<void> mkdir_at(const Dir& dir, std::string_view path, mode_t mode) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  auto ref = detail::open_parent(dir, path);
  if (!ref) return ref.error();
  if (ref->dot_name()) return FsErrc::Exist;
  return errno_result(::mkdirat(ref->dir.get(), ref->name.c_str(), mode));
}

FsResult<void> rmdir_at(const Dir& dir, std::string_view path) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  auto ref = detail::open_parent(dir, path);
  if (!ref) return ref.error();
  if (ref->name == ".") return FsErrc::Invalid;
  if (ref->name == "..") return FsErrc::NotEmpty;
  return errno_result(::unlinkat(ref->dir.get(), ref->name.c_str(), AT_REMOVEDIR));
}

FsResult<void> unlink_at(const Dir& dir, std::string_view path) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  auto ref = detail::open_parent(dir, path);
  if (!ref) return ref.error();
  if (ref->dot_name()) return FsErrc::IsDirectory;
  if (ref->trailing_slash) {
    struct stat st {};
    if (::fstatat(ref->dir.get(), ref->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fs_errc_from_errno(errno);
    return S_ISDIR(st.st_mode) ? FsErrc::IsDirectory : FsErrc::NotDirectory;
  }
  return errno_result(::unlinkat(ref->dir.get(), ref->name.c_str(), 0));
}

FsResult<void> rename_at(const Dir& old_dir, std::string_view old_path, const Dir& new_dir,
                         std::string_view new_path) {
  if (!old_dir.writable() || !new_dir.writable()) return FsErrc::ReadOnly;
  if (!(old_dir.mount() == new_dir.mount())) return FsErrc::CrossDevice;
  auto from = detail::open_parent(old_dir, old_path);
  if (!from) return from.error();
  auto to = detail::open_parent(new_dir, new_path);
  if (!to) return to.error();
  if (from->dot_name() || to->dot_name()) return FsErrc::Busy;
  if (from->trailing_slash || to->trailing_slash) {
    // Slash-terminated names only rename directories.
    struct stat st {};
    if (::fstatat(from->dir.get(), from->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fs_errc_from_errno(errno);
    if (!S_ISDIR(st.st_mode)) return FsErrc::NotDirectory;
  }
  return errno_result(
      ::renameat(from->dir.get(), from->name.c_str(), to->dir.get(), to->name.c_str()));
}

FsResult<void> link_at(const Dir& old_dir, std::string_view old_path, Follow follow,
                       const Dir& new_dir, std::string_view new_path) {
  // Both sides must be writable: a link from a read-only grant into a
  // writable one would make the read-only file writable through the link.
  if (!old_dir.writable() || !new_dir.writable()) return FsErrc::ReadOnly;
  if (!(old_dir.mount() == new_dir.mount())) return FsErrc::CrossDevice;
  auto from = resolve_entry(old_dir, old_path, follow);
  if (!from) return from.error();
  auto to = detail::open_parent(new_dir, new_path);
  if (!to) return to.error();
  if (from->dot_name()) return FsErrc::NotPermitted;  // directories cannot be hard-linked
  if (auto c = check_trailing_dir(*from); !c) return c.error();
  if (to->dot_name()) return FsErrc::Exist;
  if (to->trailing_slash) {
    if (auto c = check_trailing_dir(*to); !c) return c.error();
    return ::faccessat(to->dir.get(), to->name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0
               ? FsErrc::Exist : FsErrc::NoEntry;
  }
  return errno_result(::linkat(from->dir.get(), from->name.c_str(), to->dir.get(),
                               to->name.c_str(), 0));
}

FsResult<void> symlink_at(std::string_view target, const Dir& dir, std::string_view path) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  if (target.find('\0') != std::string_view::npos) return FsErrc::Invalid;
  if (target.empty()) return FsErrc::NoEntry;
  if (target.front() == '/') return FsErrc::NotPermitted;
  auto ref = detail::open_parent(dir, path);
  if (!ref) return ref.error();
  if (ref->dot_name()) return FsErrc::Exist;
  if (ref->trailing_slash) {
    return ::faccessat(ref->dir.get(), ref->name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0
               ? FsErrc::Exist : FsErrc::NoEntry;
  }
  std::string t(target);
  return errno_result(::symlinkat(t.c_str(), ref->dir.get(), ref->name.c_str()));
}

FsResult<std::string> readlink_at(const Dir& dir, std::string_view path) {
  auto ref = detail::open_parent(dir, path);
  if (!ref) return ref.error();
  if (ref->dot_name()) return FsErrc::Invalid;
  if (ref->trailing_slash) {
    // "link/" names what the link points at, which is a directory, not a link.
    auto whole = detail::resolve_beneath(dir.fd(), dir.resolver(), path, O_PATH | O_DIRECTORY, 0);
    if (!whole) return whole.error();
    return FsErrc::Invalid;
  }
  char buf[4096];
  ssize_t n = ::readlinkat(ref->dir.get(), ref->name.c_str(), buf, sizeof buf);
  if (n < 0) return fs_errc_from_errno(errno);
  if (static_cast<std::size_t>(n) >= sizeof buf) return FsErrc::NameTooLong;
  return std::string(buf, static_cast<std::size_t>(n));
}

FsResult<void> set_times_at(const Dir& dir, std::string_view path, Follow follow,
                            struct timespec atime, struct timespec mtime) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  const struct timespec times[2] = {atime, mtime};
  auto ref = resolve_entry(dir, path, follow);
  if (!ref) return ref.error();
  if (ref->dot_name()) {
    // The directory itself: open it (confined) and set times on the descriptor.
    auto fd = detail::resolve_beneath(dir.fd(), dir.resolver(), path, O_RDONLY | O_DIRECTORY, 0);
    if (!fd) return fd.error();
    return errno_result(::futimens(fd->get(), times));
  }
  if (auto c = check_trailing_dir(*ref); !c) return c.error();
  return errno_result(::utimensat(ref->dir.get(), ref->name.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

FsResult<void> set_size_at(const Dir& dir, std::string_view path, std::uint64_t size) {
  if (!dir.writable()) return FsErrc::ReadOnly;
  if (size > static_cast<std::uint64_t>(INT64_MAX)) return FsErrc::TooBig;
  auto fd = openat_beneath(dir, path, O_WRONLY, 0);
  if (!fd) return fd.error();
  return errno_result(::ftruncate(fd->get(), static_cast<off_t>(size)));
}

}  // namespace wippy::fs
