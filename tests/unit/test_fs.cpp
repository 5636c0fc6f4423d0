// Unit tests for fs/: granted directories, confined resolution with both
// strategies (openat2 and the manual walk), read-only grants, mount lookup.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fs/dir.h"
#include "fs/dir_reader.h"
#include "fs/file.h"
#include "fs/mount_table.h"
#include "fs/path_ops.h"
#include "fs/resolve.h"
#include "temp_dir.h"

using namespace wippy::fs;

namespace {

// base/ holds root/ (granted to the guest) and outside/ (not granted).
struct TempTree {
  std::string base;
  std::string root;
  std::string outside;
  TempTree() {
    base = wippy::testing::make_temp_dir("wippy-fs-test-", "/tmp");
    root = base + "/root";
    outside = base + "/outside";
    REQUIRE(::mkdir(root.c_str(), 0755) == 0);
    REQUIRE(::mkdir(outside.c_str(), 0755) == 0);
    write(outside + "/secret", "secret");
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(base, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  static void write(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  static bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
  }
  // Host-side symlink (bypasses symlink_at, so absolute targets are possible).
  void host_symlink(const std::string& target, const std::string& rel) const {
    REQUIRE(::symlink(target.c_str(), (root + "/" + rel).c_str()) == 0);
  }
  Dir grant(Access access, Resolver resolver) const {
    auto d = Dir::open_host(root, access, resolver);
    REQUIRE(d.ok());
    return std::move(*d);
  }
};

std::vector<Resolver> strategies() { return {Resolver::Auto, Resolver::Walk}; }

std::string strategy_name(Resolver r) {
  if (r == Resolver::Walk) return "walk";
  return openat2_available() ? "openat2" : "auto(walk: no openat2)";
}

// Runs `body` once per resolution strategy, each time with a fresh
// TempTree and the strategy's name CAPTUREd.
template <class F>
void for_each_strategy(F body) {
  for (Resolver r : strategies()) {
    const std::string strategy = strategy_name(r);
    CAPTURE(strategy);
    TempTree t;
    body(r, t);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    REQUIRE(n >= 0);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

void write_via(const Dir& d, const std::string& path, const std::string& text) {
  auto fd = openat_beneath(d, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd.ok());
  REQUIRE(::write(fd->get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

std::string read_via(const Dir& d, const std::string& path) {
  auto fd = openat_beneath(d, path, O_RDONLY);
  REQUIRE(fd.ok());
  return read_all(fd->get());
}

template <class R>
FsErrc err_of(const R& r) {
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("fs: openat2 availability is probed once and the walk is always usable") {
  const std::string avail = openat2_available() ? "yes" : "no";
  MESSAGE("openat2 available: " << avail);
  CHECK(openat2_available() == openat2_available());
  TempTree t;
  auto d = t.grant(Access::ReadWrite, Resolver::Walk);
  CHECK(d.resolver() == Resolver::Walk);
  auto a = d.with_resolver(Resolver::Auto);
  REQUIRE(a.ok());
  CHECK(a->resolver() == Resolver::Auto);
  CHECK(a->mount() == d.mount());
  CHECK(err_of(Dir::open_host(t.base + "/missing", Access::ReadOnly)) == FsErrc::NoEntry);
}

TEST_CASE("fs: normal create/read/write/mkdir/rename/unlink inside a grant") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    Dir d = t.grant(Access::ReadWrite, r);

    write_via(d, "hello.txt", "hi there");
    CHECK(read_via(d, "hello.txt") == "hi there");
    CHECK(TempTree::exists(t.root + "/hello.txt"));

    REQUIRE(mkdir_at(d, "sub").ok());
    REQUIRE(mkdir_at(d, "sub/deeper/").ok());
    CHECK(err_of(mkdir_at(d, "sub")) == FsErrc::Exist);
    write_via(d, "sub/deeper/f", "nested");
    CHECK(read_via(d, "sub/deeper/../deeper/./f") == "nested");
    CHECK(read_via(d, "sub/../sub/deeper/f") == "nested");  // a/../b inside is fine

    auto st = stat_at(d, "sub/deeper/f", Follow::Yes);
    REQUIRE(st.ok());
    CHECK(st->type == FileType::RegularFile);
    CHECK(st->size == 6);
    auto root_st = stat_at(d, ".", Follow::No);
    REQUIRE(root_st.ok());
    CHECK(root_st->type == FileType::Directory);
    CHECK(stat_at(d, "sub/deeper/..", Follow::Yes)->type == FileType::Directory);

    REQUIRE(rename_at(d, "hello.txt", d, "sub/moved.txt").ok());
    CHECK_FALSE(TempTree::exists(t.root + "/hello.txt"));
    CHECK(read_via(d, "sub/moved.txt") == "hi there");

    // Rename across two Dir handles of the same mount.
    auto sub = open_subdir(d, "sub");
    REQUIRE(sub.ok());
    CHECK(sub->writable());
    CHECK(sub->mount() == d.mount());
    REQUIRE(rename_at(*sub, "moved.txt", d, "back.txt").ok());
    CHECK(read_via(d, "back.txt") == "hi there");
    // The subdirectory handle is itself a confinement root.
    CHECK(err_of(openat_beneath(*sub, "../back.txt", O_RDONLY)) == FsErrc::NotPermitted);

    REQUIRE(link_at(d, "back.txt", Follow::No, d, "hard.txt").ok());
    CHECK(stat_at(d, "hard.txt", Follow::No)->nlink == 2);
    CHECK(err_of(link_at(d, "back.txt/", Follow::No, d, "h2")) == FsErrc::NotDirectory);

    REQUIRE(symlink_at("sub/deeper/f", d, "ln").ok());
    CHECK(*readlink_at(d, "ln") == "sub/deeper/f");
    CHECK(read_via(d, "ln") == "nested");
    CHECK(stat_at(d, "ln", Follow::No)->type == FileType::SymbolicLink);
    CHECK(stat_at(d, "ln", Follow::Yes)->type == FileType::RegularFile);
    REQUIRE(symlink_at("sub/deeper", d, "dirln").ok());
    CHECK(read_via(d, "dirln/f") == "nested");
    CHECK(err_of(openat_beneath(d, "ln", O_RDONLY | O_NOFOLLOW)) == FsErrc::Loop);

    std::set<std::string> names;
    auto rd = DirReader::open(d, ".");
    REQUIRE(rd.ok());
    for (;;) {
      auto e = rd->next();
      REQUIRE(e.ok());
      if (!e->has_value()) break;
      names.insert((*e)->name);
      if ((*e)->name == "sub") CHECK((*e)->type == FileType::Directory);
      if ((*e)->name == "ln") CHECK((*e)->type == FileType::SymbolicLink);
    }
    CHECK(names == std::set<std::string>{"sub", "back.txt", "hard.txt", "ln", "dirln"});

    CHECK(err_of(unlink_at(d, "sub")) == FsErrc::IsDirectory);
    CHECK(err_of(rmdir_at(d, "sub")) == FsErrc::NotEmpty);
    REQUIRE(unlink_at(d, "sub/deeper/f").ok());
    REQUIRE(rmdir_at(d, "sub/deeper").ok());
    REQUIRE(unlink_at(d, "back.txt").ok());
    REQUIRE(unlink_at(d, "ln").ok());  // removes the link, not its target
    CHECK_FALSE(TempTree::exists(t.root + "/back.txt"));
    CHECK(TempTree::exists(t.root + "/hard.txt"));
    CHECK(err_of(stat_at(d, "back.txt", Follow::No)) == FsErrc::NoEntry);
    CHECK(err_of(openat_beneath(d, "hard.txt/", O_RDONLY)) == FsErrc::NotDirectory);
    CHECK(err_of(openat_beneath(d, "", O_RDONLY)) == FsErrc::NoEntry);
    CHECK(err_of(openat_beneath(d, std::string(5000, 'a'), O_RDONLY)) == FsErrc::NameTooLong);
  });
}

TEST_CASE("fs: escapes through paths and symlinks are refused") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    Dir d = t.grant(Access::ReadWrite, r);
    REQUIRE(::mkdir((t.root + "/a").c_str(), 0755) == 0);
    REQUIRE(::mkdir((t.root + "/a/b").c_str(), 0755) == 0);

    CHECK(err_of(openat_beneath(d, "../outside/secret", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "../x", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "..", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "a/../../x", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "a/b/../../../outside/secret", O_RDONLY)) ==
          FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "/etc/passwd", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(stat_at(d, "/etc", Follow::Yes)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, std::string("a\0/../../x", 10), O_RDONLY)) ==
          FsErrc::Invalid);
    CHECK(err_of(openat_beneath(d, "../x", O_WRONLY | O_CREAT, 0644)) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.base + "/x"));

    // Symlink to an absolute directory.
    t.host_symlink("/etc", "etc");
    CHECK(err_of(openat_beneath(d, "etc/passwd", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(stat_at(d, "etc", Follow::Yes)) == FsErrc::NotPermitted);
    CHECK(stat_at(d, "etc", Follow::No)->type == FileType::SymbolicLink);
    CHECK(err_of(DirReader::open(d, "etc")) == FsErrc::NotPermitted);

    // Symlink with a relative target leaving the grant.
    t.host_symlink("../../outside", "a/up");
    t.host_symlink("../outside/secret", "sec");
    CHECK(err_of(openat_beneath(d, "a/up/secret", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "sec", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(openat_beneath(d, "sec", O_WRONLY | O_TRUNC)) == FsErrc::NotPermitted);

    // A chain of symlinks that ends outside.
    t.host_symlink("l2", "l1");
    t.host_symlink("a/l3", "l2");
    t.host_symlink("../sec", "a/l3");
    CHECK(err_of(openat_beneath(d, "l1", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(stat_at(d, "l1", Follow::Yes)) == FsErrc::NotPermitted);
    CHECK(*readlink_at(d, "l1") == "l2");  // reading the link text itself is fine

    // A symlinked intermediate directory pointing outside.
    t.host_symlink("../outside", "out");
    CHECK(err_of(openat_beneath(d, "out/secret", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(mkdir_at(d, "out/newdir")) == FsErrc::NotPermitted);
    CHECK(err_of(unlink_at(d, "out/secret")) == FsErrc::NotPermitted);
    CHECK(err_of(symlink_at("x", d, "out/ln")) == FsErrc::NotPermitted);
    CHECK(err_of(set_times_at(d, "out/secret", Follow::No, {0, UTIME_NOW}, {0, UTIME_NOW})) ==
          FsErrc::NotPermitted);
    CHECK(err_of(set_size_at(d, "out/secret", 0)) == FsErrc::NotPermitted);
    CHECK(err_of(DirReader::open(d, "out")) == FsErrc::NotPermitted);
    CHECK(err_of(open_subdir(d, "out")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.outside + "/newdir"));
    CHECK(TempTree::exists(t.outside + "/secret"));

    // Creating through a dangling symlink that leads outside.
    t.host_symlink("../outside/created", "dangling");
    CHECK(err_of(openat_beneath(d, "dangling", O_WRONLY | O_CREAT, 0644)) ==
          FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.outside + "/created"));

    // Following a final symlink for set-times stays confined.
    CHECK(err_of(set_times_at(d, "sec", Follow::Yes, {0, UTIME_NOW}, {0, UTIME_NOW})) ==
          FsErrc::NotPermitted);

    // Loops end with Loop, not a hang.
    t.host_symlink("loop2", "loop1");
    t.host_symlink("loop1", "loop2");
    CHECK(err_of(openat_beneath(d, "loop1", O_RDONLY)) == FsErrc::Loop);
    CHECK(err_of(openat_beneath(d, "loop1/x", O_RDONLY)) == FsErrc::Loop);
  });
}

TEST_CASE("fs: link and rename cannot reach outside the grant") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    Dir d = t.grant(Access::ReadWrite, r);
    TempTree::write(t.root + "/inside", "in");
    t.host_symlink("../outside/secret", "sec");

    CHECK(err_of(link_at(d, "../outside/secret", Follow::No, d, "stolen")) ==
          FsErrc::NotPermitted);
    CHECK(err_of(link_at(d, "sec", Follow::Yes, d, "stolen")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.root + "/stolen"));
    // Without following, the hard link is to the symlink, which stays confined.
    REQUIRE(link_at(d, "sec", Follow::No, d, "sec2").ok());
    CHECK(err_of(openat_beneath(d, "sec2", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(link_at(d, "inside", Follow::No, d, "../linked")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.base + "/linked"));
    CHECK(err_of(link_at(d, ".", Follow::No, d, "dirlink")) == FsErrc::NotPermitted);

    CHECK(err_of(rename_at(d, "inside", d, "../escaped")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.base + "/escaped"));
    CHECK(TempTree::exists(t.root + "/inside"));
    CHECK(err_of(rename_at(d, "../outside/secret", d, "got")) == FsErrc::NotPermitted);
    CHECK(err_of(rename_at(d, "inside", d, "/tmp/escaped")) == FsErrc::NotPermitted);
    t.host_symlink("../outside", "out");
    CHECK(err_of(rename_at(d, "inside", d, "out/escaped")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.outside + "/escaped"));
    CHECK(err_of(rename_at(d, "a/..", d, "x")) == FsErrc::NoEntry);
    CHECK(err_of(rename_at(d, "out/..", d, "x")) == FsErrc::NotPermitted);
    CHECK(err_of(rename_at(d, ".", d, "x")) == FsErrc::Busy);

    // A different mount is another device as far as rename and link go.
    REQUIRE(::mkdir((t.base + "/other").c_str(), 0755) == 0);
    auto other = Dir::open_host(t.base + "/other", Access::ReadWrite, r);
    REQUIRE(other.ok());
    CHECK(err_of(rename_at(d, "inside", *other, "x")) == FsErrc::CrossDevice);
    CHECK(err_of(link_at(d, "inside", Follow::No, *other, "x")) == FsErrc::CrossDevice);
  });
}

TEST_CASE("fs: symlink creation refuses absolute targets and keeps relative text") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    Dir d = t.grant(Access::ReadWrite, r);
    CHECK(err_of(symlink_at("/etc/passwd", d, "abs")) == FsErrc::NotPermitted);
    CHECK_FALSE(TempTree::exists(t.root + "/abs"));
    CHECK(err_of(symlink_at("", d, "empty")) == FsErrc::NoEntry);
    CHECK(err_of(symlink_at("x", d, "../ln")) == FsErrc::NotPermitted);
    REQUIRE(symlink_at("../outside/secret", d, "rel").ok());
    CHECK(*readlink_at(d, "rel") == "../outside/secret");
    CHECK(err_of(openat_beneath(d, "rel", O_RDONLY)) == FsErrc::NotPermitted);
    CHECK(err_of(symlink_at("y", d, "rel")) == FsErrc::Exist);
    CHECK(err_of(readlink_at(d, ".")) == FsErrc::Invalid);
    TempTree::write(t.root + "/plain", "p");
    CHECK(err_of(readlink_at(d, "plain")) == FsErrc::Invalid);
  });
}

TEST_CASE("fs: read-only grant refuses every mutation and allows reads") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    TempTree::write(t.root + "/file", "content");
    REQUIRE(::mkdir((t.root + "/dir").c_str(), 0755) == 0);
    t.host_symlink("file", "ln");
    Dir d = t.grant(Access::ReadOnly, r);
    CHECK_FALSE(d.writable());

    CHECK(read_via(d, "file") == "content");
    CHECK(read_via(d, "ln") == "content");
    CHECK(stat_at(d, "file", Follow::Yes)->size == 7);
    CHECK(stat_at(d, "ln", Follow::No)->type == FileType::SymbolicLink);
    CHECK(*readlink_at(d, "ln") == "file");
    auto rd = DirReader::open(d, "dir");
    REQUIRE(rd.ok());
    CHECK_FALSE(rd->next()->has_value());

    CHECK(err_of(openat_beneath(d, "file", O_WRONLY)) == FsErrc::ReadOnly);
    CHECK(err_of(openat_beneath(d, "file", O_RDWR)) == FsErrc::ReadOnly);
    CHECK(err_of(openat_beneath(d, "file", O_RDONLY | O_TRUNC)) == FsErrc::ReadOnly);
    CHECK(err_of(openat_beneath(d, "file", O_RDONLY | O_APPEND)) == FsErrc::ReadOnly);
    CHECK(err_of(openat_beneath(d, "new", O_RDONLY | O_CREAT, 0644)) == FsErrc::ReadOnly);
    CHECK(err_of(mkdir_at(d, "newdir")) == FsErrc::ReadOnly);
    CHECK(err_of(rmdir_at(d, "dir")) == FsErrc::ReadOnly);
    CHECK(err_of(unlink_at(d, "file")) == FsErrc::ReadOnly);
    CHECK(err_of(rename_at(d, "file", d, "renamed")) == FsErrc::ReadOnly);
    CHECK(err_of(link_at(d, "file", Follow::No, d, "linked")) == FsErrc::ReadOnly);
    CHECK(err_of(symlink_at("file", d, "ln2")) == FsErrc::ReadOnly);
    CHECK(err_of(set_times_at(d, "file", Follow::No, {0, UTIME_NOW}, {0, UTIME_NOW})) ==
          FsErrc::ReadOnly);
    CHECK(err_of(set_size_at(d, "file", 0)) == FsErrc::ReadOnly);
    auto f = File::open(d, "file", O_RDONLY);
    REQUIRE(f.ok());
    CHECK(err_of(f->set_size(0)) == FsErrc::ReadOnly);
    CHECK(err_of(f->set_times({0, UTIME_NOW}, {0, UTIME_NOW})) == FsErrc::ReadOnly);
    CHECK(f->stat()->size == 7);

    // Subdirectory handles and duplicates keep the restriction.
    auto sub = open_subdir(d, "dir");
    REQUIRE(sub.ok());
    CHECK(err_of(mkdir_at(*sub, "x")) == FsErrc::ReadOnly);
    auto widened = d.duplicate(Access::ReadWrite);
    REQUIRE(widened.ok());
    CHECK_FALSE(widened->writable());

    // Nothing changed on the host.
    CHECK(TempTree::exists(t.root + "/file"));
    CHECK(TempTree::exists(t.root + "/dir"));
    CHECK_FALSE(TempTree::exists(t.root + "/new"));
    CHECK_FALSE(TempTree::exists(t.root + "/renamed"));
    CHECK(std::filesystem::file_size(t.root + "/file") == 7);

    // A read-write grant of the same tree may not link or rename from it.
    Dir rw = t.grant(Access::ReadWrite, r);
    CHECK(err_of(link_at(d, "file", Follow::No, rw, "alias")) == FsErrc::ReadOnly);
    CHECK(err_of(rename_at(d, "file", rw, "moved")) == FsErrc::ReadOnly);
  });
}

TEST_CASE("fs: set-times and set-size beneath a writable grant") {
  for_each_strategy([&](Resolver r, TempTree& t) {
    Dir d = t.grant(Access::ReadWrite, r);
    write_via(d, "f", "0123456789");
    REQUIRE(symlink_at("f", d, "ln").ok());
    struct timespec when {1000000000, 5};
    REQUIRE(set_times_at(d, "ln", Follow::Yes, when, when).ok());
    auto st = stat_at(d, "f", Follow::Yes);
    REQUIRE(st.ok());
    CHECK(st->mtime.tv_sec == 1000000000);
    CHECK(st->atime.tv_sec == 1000000000);
    REQUIRE(set_times_at(d, ".", Follow::No, {0, UTIME_OMIT}, when).ok());
    CHECK(stat_at(d, ".", Follow::No)->mtime.tv_sec == 1000000000);

    REQUIRE(set_size_at(d, "f", 4).ok());
    CHECK(read_via(d, "f") == "0123");
    auto f = File::open(d, "f", O_RDWR);
    REQUIRE(f.ok());
    REQUIRE(f->set_size(2).ok());
    CHECK(f->stat()->size == 2);
    auto ro = File::open(d, "f", O_RDONLY);
    REQUIRE(ro.ok());
    CHECK(err_of(ro->set_size(1)) == FsErrc::BadDescriptor);
  });
}

TEST_CASE("fs: mount table maps guest paths to grants") {
  TempTree t;
  REQUIRE(::mkdir((t.root + "/data").c_str(), 0755) == 0);
  TempTree::write(t.root + "/data/x", "xdata");
  MountTable mt;
  REQUIRE(mt.add("/", t.grant(Access::ReadOnly, Resolver::Auto)).ok());
  auto data = Dir::open_host(t.root + "/data", Access::ReadWrite);
  REQUIRE(data.ok());
  REQUIRE(mt.add("/data//", std::move(*data)).ok());
  CHECK(mt.mounts().size() == 2);
  CHECK(mt.mounts()[1].guest_path == "/data");
  CHECK(err_of(mt.add("/data", t.grant(Access::ReadOnly, Resolver::Auto))) == FsErrc::Exist);
  CHECK(err_of(mt.add("rel", t.grant(Access::ReadOnly, Resolver::Auto))) == FsErrc::Invalid);
  CHECK(err_of(mt.add("/a/../b", t.grant(Access::ReadOnly, Resolver::Auto))) == FsErrc::Invalid);

  auto l = mt.lookup("/data/x");
  REQUIRE(l.ok());
  CHECK(l->mount->guest_path == "/data");
  CHECK(l->relative == "x");
  CHECK(read_via(l->mount->dir, l->relative) == "xdata");

  auto top = mt.lookup("/data");
  REQUIRE(top.ok());
  CHECK(top->mount->guest_path == "/data");
  CHECK(top->relative == ".");

  auto other = mt.lookup("/database/./y/");
  REQUIRE(other.ok());
  CHECK(other->mount->guest_path == "/");
  CHECK(other->relative == "database/y/");

  // ".." is not folded lexically: it is refused when resolved beneath /data.
  auto up = mt.lookup("/data/../etc");
  REQUIRE(up.ok());
  CHECK(up->mount->guest_path == "/data");
  CHECK(up->relative == "../etc");
  CHECK(err_of(openat_beneath(up->mount->dir, up->relative, O_RDONLY)) == FsErrc::NotPermitted);

  CHECK(err_of(mt.lookup("relative")) == FsErrc::Invalid);
  MountTable only_data;
  REQUIRE(only_data.add("/data", t.grant(Access::ReadOnly, Resolver::Walk)).ok());
  CHECK(err_of(only_data.lookup("/etc/passwd")) == FsErrc::NoEntry);
}
