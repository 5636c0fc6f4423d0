// Unit tests for wasi:filesystem (hostfns/filesystem_*.cpp) on fs/.
// Two ways in: (1) the host functions called directly through the linker
// with component values (FsHostApi below), for exact error codes — open-at
// flag handling, escapes (not-permitted), read-only grants (read-only),
// cross-grant renames and links, file-backed wasi:io streams,
// read-directory, stat / metadata-hash / is-same-object, timestamps,
// filesystem-error-code; (2) real guests (tests/guests/fs_*.c built by
// meson into components, found through $WIPPY_GUEST_DIR) run by
// run_wasi_command: fs_ops and fs_escape with host-side checks of what they
// left behind, and 200 fs_sleep_read guests as fibers on one dispatcher
// thread, each sleeping and reading and writing files at the same time.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "component/linker.h"
#include "dispatcher/clock.h"
#include "dispatcher/dispatcher.h"
#include "fs/resolve.h"
#include "hostfns/filesystem_wit.h"
#include "guest_files.h"
#include "hostfns/wasi.h"
#include "temp_dir.h"
#include "test_loop.h"

using namespace wippy;
using namespace wippy::hostfns;
using component::Val;
using component::ValKind;
using wasifs::ErrorCode;
using Vals = std::vector<Val>;

namespace {

// A scratch directory: base/ with rw/ (granted read-write at /rw), ro/
// (granted read-only at /ro), other/ (another read-write grant at /other)
// and outside/ (never granted).
struct Scratch {
  std::string base;
  Scratch() {
    base = wippy::testing::make_temp_dir("wippy-wasi-fs-", "/tmp");
    for (const char* d : {"rw", "ro", "other", "outside"}) REQUIRE(::mkdir(path(d).c_str(), 0755) == 0);
    write("outside/secret", "secret");
    write("ro/file", "read only");
    write("rw/file", "0123456789");
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(base, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::string path(const std::string& rel) const { return base + "/" + rel; }
  void write(const std::string& rel, const std::string& text) const {
    std::ofstream(path(rel), std::ios::binary) << text;
  }
  std::string read(const std::string& rel) const {
    std::ifstream f(path(rel), std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), {});
  }
  bool exists(const std::string& rel) const {
    struct stat st {};
    return ::lstat(path(rel).c_str(), &st) == 0;
  }
  void symlink(const std::string& target, const std::string& rel) const {
    REQUIRE(::symlink(target.c_str(), path(rel).c_str()) == 0);
  }
  std::vector<Preopen> grants() const {
    return {{path("rw"), "/rw", false}, {path("ro"), "/ro", true}, {path("other"), "/other", false}};
  }
};

constexpr uint32_t kRead = 1, kWrite = 2, kMutateDir = 32;             // descriptor-flags
constexpr uint32_t kCreate = 1, kDirectory = 2, kExclusive = 4, kTruncate = 8;  // open-flags
constexpr uint32_t kFollow = 1;                                         // path-flags

// The WASI host of one WasiCtx, its functions called with Vals.
struct FsHostApi {
  WasiCtx ctx;
  component::Linker linker;
  Store store;
  uint32_t rw = 0, ro = 0, other = 0;  // descriptors of the three grants

  explicit FsHostApi(const Scratch& s, WasiLimits limits = {}) {
    ctx.preopens = s.grants();
    ctx.limits = limits;
    auto added = add_wasi_to_linker(linker, ctx);
    REQUIRE_MESSAGE(added.ok(), (added.ok() ? "" : added.error().message));
    component::bind_host_context(store, ctx);  // what instantiate does
    Vals dirs = call("wasi:filesystem/preopens", "get-directories", {});
    REQUIRE(dirs.size() == 1);
    REQUIRE(dirs[0].items.size() == 3);
    rw = dirs[0].items[0].items[0].rep();
    ro = dirs[0].items[1].items[0].rep();
    other = dirs[0].items[2].items[0].rep();
  }

  Vals call(const std::string& iface, const std::string& fn, Vals args) {
    auto inst = linker.resolve(iface + "@0.2.0");
    REQUIRE(inst.ok());
    auto it = inst->instance->exports.find(fn);
    REQUIRE_MESSAGE(it != inst->instance->exports.end(), fn);
    auto r = it->second.func->call(store, args);
    REQUIRE_MESSAGE(r.ok(), fn << ": " << (r.ok() ? "" : r.error().message));
    return std::move(*r);
  }
  Result<Vals> try_call(const std::string& fn, Vals args) {
    auto inst = linker.resolve("wasi:filesystem/types@0.2.0");
    REQUIRE(inst.ok());
    return inst->instance->exports.at(fn).func->call(store, args);
  }
  // A descriptor method: "[method]descriptor.NAME"(self, args...).
  Val m(const std::string& name, uint32_t self, Vals args = {}) {
    args.insert(args.begin(), desc(self));
    Vals r = call("wasi:filesystem/types", "[method]descriptor." + name, std::move(args));
    REQUIRE(r.size() == 1);
    return r[0];
  }
  Val desc(uint32_t rep) const { return Val::borrow(ctx.state.types.descriptor, rep); }

  Val open(uint32_t dir, const std::string& path, uint32_t oflags, uint32_t dflags, uint32_t pflags = kFollow) {
    return m("open-at", dir, {Val::flags(pflags), Val::string(path), Val::flags(oflags), Val::flags(dflags)});
  }
  uint32_t open_ok(uint32_t dir, const std::string& path, uint32_t oflags, uint32_t dflags) {
    Val r = open(dir, path, oflags, dflags);
    REQUIRE_MESSAGE(r.is_ok(), path << ": error " << (r.payload() ? r.payload()->u : 0));
    return r.payload()->rep();
  }
  Val stream_call(const std::string& fn, Vals args) {
    Vals r = call("wasi:io/streams", fn, std::move(args));
    REQUIRE(r.size() == 1);
    return r[0];
  }
};

// The error-code of an err result (fails the test for ok).
ErrorCode err_of(const Val& r) {
  REQUIRE(r.kind == ValKind::Result);
  REQUIRE_FALSE(r.is_ok());
  return ErrorCode(r.payload()->u);
}

std::string bytes_of(const Val& list) {
  std::string s;
  for (size_t i = 0; i < list.list_size(); ++i) s.push_back(char(list.list_item(i).u));
  return s;
}
Val bytes_val(const std::string& s) {
  Vals items;
  for (char c : s) items.push_back(Val::u8(uint8_t(c)));
  return Val::list(std::move(items));
}

Val timestamp(uint64_t sec, uint32_t nsec) {
  return Val::variant(2, Val::record({Val::u64(sec), Val::u32(nsec)}));
}

}  // namespace

TEST_CASE("wasi fs: preopens in configuration order; a missing host directory fails linking") {
  Scratch s;
  FsHostApi api(s);
  Vals dirs = api.call("wasi:filesystem/preopens", "get-directories", {});
  REQUIRE(dirs[0].items.size() == 3);
  CHECK(dirs[0].items[0].items[1].str == "/rw");
  CHECK(dirs[0].items[1].items[1].str == "/ro");
  CHECK(dirs[0].items[2].items[1].str == "/other");
  // A second call gives fresh handles to the same directories.
  CHECK(dirs[0].items[0].items[0].rep() != api.rw);
  CHECK(api.m("is-same-object", api.rw, {api.desc(dirs[0].items[0].items[0].rep())}).as_bool());
  CHECK_FALSE(api.m("is-same-object", api.rw, {api.desc(api.ro)}).as_bool());
  CHECK(api.m("get-type", api.rw).payload()->u == uint64_t(wasifs::DescriptorType::directory));
  CHECK(api.m("get-flags", api.rw).payload()->u == (kRead | kMutateDir));
  CHECK(api.m("get-flags", api.ro).payload()->u == kRead);

  WasiCtx ctx;
  ctx.preopens = {{s.path("missing"), "/m", false}};
  component::Linker linker;
  auto r = add_wasi_to_linker(linker, ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Io);
  CHECK(r.error().message.find(s.path("missing")) != std::string::npos);
  CHECK(r.error().message.find("no-entry") != std::string::npos);
}

TEST_CASE("wasi fs: open-at flags") {
  Scratch s;
  s.symlink("file", "rw/link");
  REQUIRE(::mkdir(s.path("rw/dir").c_str(), 0755) == 0);
  FsHostApi api(s);

  // directory with create / exclusive / truncate is invalid
  CHECK(err_of(api.open(api.rw, "dir", kDirectory | kCreate, kRead)) == ErrorCode::invalid);
  CHECK(err_of(api.open(api.rw, "dir", kDirectory | kExclusive, kRead)) == ErrorCode::invalid);
  CHECK(err_of(api.open(api.rw, "dir", kDirectory | kTruncate, kRead)) == ErrorCode::invalid);
  // directory on a file, missing files, exclusive creation
  CHECK(err_of(api.open(api.rw, "file", kDirectory, kRead)) == ErrorCode::not_directory);
  CHECK(err_of(api.open(api.rw, "nope", 0, kRead)) == ErrorCode::no_entry);
  CHECK(err_of(api.open(api.rw, "file", kCreate | kExclusive, kWrite)) == ErrorCode::exist);
  CHECK(err_of(api.open(api.rw, "dir", 0, kRead | kWrite)) == ErrorCode::is_directory);
  uint32_t made = api.open_ok(api.rw, "made", kCreate | kExclusive, kWrite);
  CHECK(s.exists("rw/made"));
  CHECK(api.m("get-flags", made).payload()->u == kWrite);
  CHECK(api.m("get-type", made).payload()->u == uint64_t(wasifs::DescriptorType::regular_file));

  // a directory opens as a directory descriptor with or without `directory`
  uint32_t d1 = api.open_ok(api.rw, "dir", kDirectory, kRead);
  uint32_t d2 = api.open_ok(api.rw, "dir", 0, kRead);
  CHECK(api.m("get-type", d2).payload()->u == uint64_t(wasifs::DescriptorType::directory));
  CHECK(api.m("is-same-object", d1, {api.desc(d2)}).as_bool());
  CHECK(api.m("get-flags", d1).payload()->u == (kRead | kMutateDir));
  // a subdirectory descriptor is a root of its own (as a cap-std Dir in
  // wasmtime): ".." above it is refused even where the grant goes on
  CHECK(err_of(api.open(d1, "../../outside/secret", 0, kRead)) == ErrorCode::not_permitted);
  CHECK(err_of(api.open(d1, "../file", 0, kRead)) == ErrorCode::not_permitted);
  CHECK(err_of(api.open(d1, "../dir/.", 0, kRead)) == ErrorCode::not_permitted);
  // a file descriptor is no base for paths
  CHECK(err_of(api.open(made, "x", 0, kRead)) == ErrorCode::not_directory);
  CHECK(err_of(api.m("create-directory-at", made, {Val::string("x")})) == ErrorCode::not_directory);

  // symlink-follow: without it a final symlink is a loop
  CHECK(err_of(api.open(api.rw, "link", 0, kRead, 0)) == ErrorCode::loop);
  uint32_t via = api.open_ok(api.rw, "link", 0, kRead);
  CHECK(api.m("get-flags", via).payload()->u == kRead);

  // truncate empties; write-only without read gives a descriptor that cannot read
  uint32_t t = api.open_ok(api.rw, "file", kTruncate, kWrite);
  CHECK(s.read("rw/file").empty());
  CHECK(err_of(api.m("read", t, {Val::u64(4), Val::u64(0)})) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("read-via-stream", t, {Val::u64(0)})) == ErrorCode::bad_descriptor);
  // read-only descriptors cannot be written or resized
  uint32_t r = api.open_ok(api.rw, "made", 0, kRead);
  CHECK(err_of(api.m("write", r, {bytes_val("x"), Val::u64(0)})) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("write-via-stream", r, {Val::u64(0)})) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("append-via-stream", r)) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("set-size", r, {Val::u64(0)})) == ErrorCode::bad_descriptor);
  // file-only methods on a directory
  CHECK(err_of(api.m("read", api.rw, {Val::u64(1), Val::u64(0)})) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("set-size", api.rw, {Val::u64(0)})) == ErrorCode::bad_descriptor);
  CHECK(err_of(api.m("advise", api.rw, {Val::u64(0), Val::u64(0), Val::enumeration(1)})) ==
        ErrorCode::bad_descriptor);
  CHECK(api.m("advise", r, {Val::u64(0), Val::u64(0), Val::enumeration(1)}).is_ok());
  // an unknown handle traps
  auto bad = api.try_call("[method]descriptor.stat", {api.desc(9999)});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Trap);
}

TEST_CASE("wasi fs: escapes are not-permitted") {
  Scratch s;
  s.symlink("../outside/secret", "rw/up");
  s.symlink(s.path("outside/secret"), "rw/abs");
  s.symlink("c2", "rw/c1");
  s.symlink("sub/c3", "rw/c2");
  REQUIRE(::mkdir(s.path("rw/sub").c_str(), 0755) == 0);
  s.symlink("../../outside", "rw/sub/c3");
  s.symlink("../outside", "rw/dirlink");
  FsHostApi api(s);
  for (const char* p : {"../outside/secret", "/etc/passwd", "up", "abs", "c1/secret", "dirlink/secret",
                        "sub/../../outside/secret", "..", "sub/../.."}) {
    CAPTURE(p);
    CHECK(err_of(api.open(api.rw, p, 0, kRead)) == ErrorCode::not_permitted);
    CHECK(err_of(api.m("stat-at", api.rw, {Val::flags(kFollow), Val::string(p)})) == ErrorCode::not_permitted);
    CHECK(err_of(api.m("metadata-hash-at", api.rw, {Val::flags(kFollow), Val::string(p)})) ==
          ErrorCode::not_permitted);
  }
  CHECK(err_of(api.open(api.rw, "dirlink/new", kCreate, kWrite)) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("create-directory-at", api.rw, {Val::string("../outside/d")})) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("unlink-file-at", api.rw, {Val::string("../outside/secret")})) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("remove-directory-at", api.rw, {Val::string("../outside")})) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("symlink-at", api.rw, {Val::string("/etc/passwd"), Val::string("l")})) ==
        ErrorCode::not_permitted);
  CHECK(err_of(api.m("rename-at", api.rw, {Val::string("file"), api.desc(api.rw), Val::string("../outside/f")})) ==
        ErrorCode::not_permitted);
  CHECK(err_of(api.m("link-at", api.rw, {Val::flags(0), Val::string("../outside/secret"), api.desc(api.rw),
                                         Val::string("stolen")})) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("readlink-at", api.rw, {Val::string("../outside/secret")})) == ErrorCode::not_permitted);
  CHECK(err_of(api.m("set-times-at", api.rw, {Val::flags(kFollow), Val::string("up"), Val::variant(1),
                                              Val::variant(1)})) == ErrorCode::not_permitted);
  // without symlink-follow the link itself is inside and may be looked at
  Val st = api.m("stat-at", api.rw, {Val::flags(0), Val::string("up")});
  REQUIRE(st.is_ok());
  CHECK(st.payload()->items[0].u == uint64_t(wasifs::DescriptorType::symbolic_link));
  Val text = api.m("readlink-at", api.rw, {Val::string("abs")});
  REQUIRE(text.is_ok());
  CHECK(text.payload()->str == s.path("outside/secret"));
  // between grants: cross-device
  CHECK(err_of(api.m("rename-at", api.rw, {Val::string("file"), api.desc(api.other), Val::string("f")})) ==
        ErrorCode::cross_device);
  CHECK(err_of(api.m("link-at", api.rw, {Val::flags(0), Val::string("file"), api.desc(api.other),
                                         Val::string("f")})) == ErrorCode::cross_device);
  CHECK(err_of(api.m("link-at", api.rw, {Val::flags(kFollow), Val::string("file"), api.desc(api.rw),
                                         Val::string("f")})) == ErrorCode::invalid);
  CHECK(s.read("outside/secret") == "secret");
  CHECK_FALSE(s.exists("outside/d"));
  CHECK_FALSE(s.exists("outside/f"));
  CHECK_FALSE(s.exists("rw/stolen"));
  CHECK(s.exists("rw/file"));
}

TEST_CASE("wasi fs: a read-only grant refuses every mutation with read-only") {
  Scratch s;
  REQUIRE(::mkdir(s.path("ro/dir").c_str(), 0755) == 0);
  s.symlink("file", "ro/link");
  FsHostApi api(s);
  const uint32_t ro = api.ro;
  CHECK(err_of(api.open(ro, "file", 0, kWrite)) == ErrorCode::read_only);
  CHECK(err_of(api.open(ro, "file", 0, kRead | kWrite)) == ErrorCode::read_only);
  CHECK(err_of(api.open(ro, "file", kTruncate, kRead)) == ErrorCode::read_only);
  CHECK(err_of(api.open(ro, "new", kCreate, kRead)) == ErrorCode::read_only);
  CHECK(err_of(api.open(ro, "dir", kDirectory, kRead | kMutateDir)) == ErrorCode::read_only);
  CHECK(err_of(api.m("create-directory-at", ro, {Val::string("d")})) == ErrorCode::read_only);
  CHECK(err_of(api.m("remove-directory-at", ro, {Val::string("dir")})) == ErrorCode::read_only);
  CHECK(err_of(api.m("unlink-file-at", ro, {Val::string("file")})) == ErrorCode::read_only);
  CHECK(err_of(api.m("symlink-at", ro, {Val::string("file"), Val::string("l2")})) == ErrorCode::read_only);
  CHECK(err_of(api.m("rename-at", ro, {Val::string("file"), api.desc(ro), Val::string("f2")})) ==
        ErrorCode::read_only);
  CHECK(err_of(api.m("link-at", ro, {Val::flags(0), Val::string("file"), api.desc(ro), Val::string("f2")})) ==
        ErrorCode::read_only);
  // into or out of a read-only grant from a writable one
  CHECK(err_of(api.m("rename-at", api.rw, {Val::string("file"), api.desc(ro), Val::string("f2")})) ==
        ErrorCode::read_only);
  CHECK(err_of(api.m("link-at", ro, {Val::flags(0), Val::string("file"), api.desc(api.rw), Val::string("f2")})) ==
        ErrorCode::read_only);
  CHECK(err_of(api.m("set-times-at", ro, {Val::flags(kFollow), Val::string("file"), timestamp(1, 0),
                                          timestamp(1, 0)})) == ErrorCode::read_only);
  CHECK(err_of(api.m("set-times", ro, {Val::variant(1), Val::variant(1)})) == ErrorCode::read_only);
  uint32_t sub = api.open_ok(ro, "dir", kDirectory, kRead);
  CHECK(api.m("get-flags", sub).payload()->u == kRead);
  CHECK(err_of(api.open(sub, "x", kCreate, kWrite)) == ErrorCode::read_only);
  CHECK(err_of(api.m("set-times", sub, {Val::variant(1), Val::variant(1)})) == ErrorCode::read_only);
  uint32_t f = api.open_ok(ro, "file", 0, kRead);
  CHECK(err_of(api.m("set-size", f, {Val::u64(0)})) == ErrorCode::read_only);
  CHECK(err_of(api.m("set-times", f, {Val::variant(1), Val::variant(1)})) == ErrorCode::read_only);
  CHECK(err_of(api.m("write", f, {bytes_val("x"), Val::u64(0)})) == ErrorCode::read_only);
  CHECK(err_of(api.m("write-via-stream", f, {Val::u64(0)})) == ErrorCode::bad_descriptor);
  // reading is fine
  Val r = api.m("read", f, {Val::u64(100), Val::u64(0)});
  REQUIRE(r.is_ok());
  CHECK(bytes_of(r.payload()->items[0]) == "read only");
  CHECK(api.m("stat", f).is_ok());
  CHECK(api.m("sync", f).is_ok());
  CHECK(api.m("read-directory", ro).is_ok());
  CHECK(s.read("ro/file") == "read only");
  CHECK(s.exists("ro/dir"));
  CHECK(s.exists("ro/link"));
  CHECK_FALSE(s.exists("ro/new"));
  CHECK(s.read("rw/file") == "0123456789");
}

TEST_CASE("wasi fs: file streams read and write at their own positions") {
  Scratch s;
  FsHostApi api(s);
  uint32_t f = api.open_ok(api.rw, "file", 0, kRead | kWrite);
  Val in = api.m("read-via-stream", f, {Val::u64(2)});
  REQUIRE(in.is_ok());
  Val is = Val::borrow(api.ctx.state.types.input_stream, in.payload()->rep());
  Val r1 = api.stream_call("[method]input-stream.read", {is, Val::u64(3)});
  REQUIRE(r1.is_ok());
  CHECK(bytes_of(*r1.payload()) == "234");
  Val r2 = api.stream_call("[method]input-stream.blocking-read", {is, Val::u64(100)});
  REQUIRE(r2.is_ok());
  CHECK(bytes_of(*r2.payload()) == "56789");
  Val r3 = api.stream_call("[method]input-stream.read", {is, Val::u64(100)});
  REQUIRE_FALSE(r3.is_ok());
  CHECK(r3.payload()->case_index() == 1);  // closed: end of file

  Val out = api.m("write-via-stream", f, {Val::u64(8)});
  REQUIRE(out.is_ok());
  Val os = Val::borrow(api.ctx.state.types.output_stream, out.payload()->rep());
  Val cw = api.stream_call("[method]output-stream.check-write", {os});
  REQUIRE(cw.is_ok());
  CHECK(cw.payload()->u > 0);
  CHECK(api.stream_call("[method]output-stream.write", {os, bytes_val("ab")}).is_ok());
  CHECK(api.stream_call("[method]output-stream.write", {os, bytes_val("cd")}).is_ok());
  CHECK(api.stream_call("[method]output-stream.blocking-flush", {os}).is_ok());
  CHECK(s.read("rw/file") == "01234567abcd");
  Val app = api.m("append-via-stream", f);
  REQUIRE(app.is_ok());
  Val as = Val::borrow(api.ctx.state.types.output_stream, app.payload()->rep());
  CHECK(api.stream_call("[method]output-stream.blocking-write-and-flush", {as, bytes_val("!")}).is_ok());
  CHECK(api.stream_call("[method]output-stream.write", {os, bytes_val("e")}).is_ok());  // at 12, over "!"
  CHECK(api.stream_call("[method]output-stream.write", {as, bytes_val("?")}).is_ok());  // at the end again
  CHECK(s.read("rw/file") == "01234567abcde?");

  // descriptor.read / write are positional and leave the streams alone
  Val w = api.m("write", f, {bytes_val("XY"), Val::u64(0)});
  REQUIRE(w.is_ok());
  CHECK(w.payload()->u == 2);
  Val rd = api.m("read", f, {Val::u64(4), Val::u64(1)});
  REQUIRE(rd.is_ok());
  CHECK(bytes_of(rd.payload()->items[0]) == "Y234");
  CHECK_FALSE(rd.payload()->items[1].as_bool());
  Val end = api.m("read", f, {Val::u64(4), Val::u64(100)});
  REQUIRE(end.is_ok());
  CHECK(end.payload()->items[0].list_size() == 0);
  CHECK(end.payload()->items[1].as_bool());

  // a stream keeps its file open after the descriptor is dropped
  uint32_t g = api.open_ok(api.rw, "file", 0, kRead);
  Val gin = api.m("read-via-stream", g, {Val::u64(0)});
  REQUIRE(gin.is_ok());
  api.ctx.state.types.descriptor->host_dtor(api.store, g);  // what a guest's drop does
  CHECK(api.try_call("[method]descriptor.stat", {api.desc(g)}).ok() == false);
  Val gr = api.stream_call("[method]input-stream.read",
                           {Val::borrow(api.ctx.state.types.input_stream, gin.payload()->rep()), Val::u64(2)});
  REQUIRE(gr.is_ok());
  CHECK(bytes_of(*gr.payload()) == "XY");
}

TEST_CASE("wasi fs: filesystem-error-code of a failed stream write") {
  int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(full >= 0);
  Scratch s;
  FsHostApi api(s);
  api.ctx.out.fd = full;
  Vals out = api.call("wasi:cli/stdout", "get-stdout", {});
  Val os = Val::borrow(api.ctx.state.types.output_stream, out[0].rep());
  Val w = api.stream_call("[method]output-stream.write", {os, bytes_val("x")});
  REQUIRE_FALSE(w.is_ok());
  REQUIRE(w.payload()->case_index() == 0);  // last-operation-failed(error)
  Val error = Val::borrow(api.ctx.state.types.error, w.payload()->payload()->rep());
  Vals code = api.call("wasi:filesystem/types", "filesystem-error-code", {error});
  REQUIRE(code[0].kind == ValKind::Option);
  REQUIRE(code[0].case_index() == 1);
  CHECK(ErrorCode(code[0].payload()->u) == ErrorCode::insufficient_space);
  ::close(full);
}

TEST_CASE("wasi fs: read-directory, stat, metadata hashes, times") {
  Scratch s;
  REQUIRE(::mkdir(s.path("rw/dir").c_str(), 0755) == 0);
  s.symlink("file", "rw/link");
  FsHostApi api(s);

  Val rd = api.m("read-directory", api.rw);
  REQUIRE(rd.is_ok());
  Val stream = Val::borrow(api.ctx.state.types.directory_entry_stream, rd.payload()->rep());
  std::set<std::pair<std::string, uint64_t>> seen;
  for (;;) {
    Vals e = api.call("wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry", {stream});
    REQUIRE(e[0].is_ok());
    const Val& opt = *e[0].payload();
    if (opt.case_index() == 0) break;
    seen.emplace(opt.payload()->items[1].str, opt.payload()->items[0].u);
  }
  using DT = wasifs::DescriptorType;
  CHECK(seen == std::set<std::pair<std::string, uint64_t>>{
                    {"dir", uint64_t(DT::directory)}, {"file", uint64_t(DT::regular_file)},
                    {"link", uint64_t(DT::symbolic_link)}});
  uint32_t f = api.open_ok(api.rw, "file", 0, kRead);
  CHECK(err_of(api.m("read-directory", f)) == ErrorCode::not_directory);

  Val st = api.m("stat", f);
  REQUIRE(st.is_ok());
  CHECK(st.payload()->items[0].u == uint64_t(DT::regular_file));
  CHECK(st.payload()->items[1].u == 1);   // link-count
  CHECK(st.payload()->items[2].u == 10);  // size
  CHECK(st.payload()->items[4].case_index() == 1);  // some(mtime)

  // metadata hashes: equal for the same file however reached, else different
  Val h1 = api.m("metadata-hash", f);
  Val h2 = api.m("metadata-hash-at", api.rw, {Val::flags(kFollow), Val::string("link")});
  Val h3 = api.m("metadata-hash-at", api.rw, {Val::flags(0), Val::string("link")});
  Val h4 = api.m("metadata-hash", api.rw);
  REQUIRE((h1.is_ok() && h2.is_ok() && h3.is_ok() && h4.is_ok()));
  CHECK(*h1.payload() == *h2.payload());
  CHECK_FALSE(*h1.payload() == *h3.payload());
  CHECK_FALSE(*h1.payload() == *h4.payload());
  uint32_t via_link = api.open_ok(api.rw, "link", 0, kRead);
  CHECK(api.m("is-same-object", f, {api.desc(via_link)}).as_bool());
  CHECK_FALSE(api.m("is-same-object", f, {api.desc(api.rw)}).as_bool());

  // times: set by path and by descriptor, read back; no-change keeps
  REQUIRE(api.m("set-times-at", api.rw, {Val::flags(kFollow), Val::string("file"), timestamp(1000000000, 5),
                                         timestamp(1234567890, 250000000)})
              .is_ok());
  Val t = api.m("stat-at", api.rw, {Val::flags(kFollow), Val::string("file")});
  REQUIRE(t.is_ok());
  CHECK(t.payload()->items[3].payload()->items[0].u == 1000000000);
  CHECK(t.payload()->items[3].payload()->items[1].u == 5);
  CHECK(t.payload()->items[4].payload()->items[0].u == 1234567890);
  CHECK(t.payload()->items[4].payload()->items[1].u == 250000000);
  uint32_t w = api.open_ok(api.rw, "file", 0, kRead | kWrite);
  REQUIRE(api.m("set-times", w, {Val::variant(0), timestamp(1500000000, 0)}).is_ok());
  t = api.m("stat", w);
  CHECK(t.payload()->items[3].payload()->items[0].u == 1000000000);
  CHECK(t.payload()->items[4].payload()->items[0].u == 1500000000);
  CHECK(err_of(api.m("set-times", w, {timestamp(1, 1000000000), Val::variant(0)})) == ErrorCode::invalid);
  // the link itself (no follow) and a directory descriptor
  REQUIRE(api.m("set-times-at", api.rw, {Val::flags(0), Val::string("link"), timestamp(1100000000, 0),
                                         timestamp(1100000000, 0)})
              .is_ok());
  Val lt = api.m("stat-at", api.rw, {Val::flags(0), Val::string("link")});
  CHECK(lt.payload()->items[4].payload()->items[0].u == 1100000000);
  CHECK(api.m("stat", w).payload()->items[4].payload()->items[0].u == 1500000000);
  uint32_t d = api.open_ok(api.rw, "dir", kDirectory, kRead);
  REQUIRE(api.m("set-times", d, {timestamp(2000000000, 0), timestamp(2000000000, 0)}).is_ok());
  struct stat hs {};
  REQUIRE(::stat(s.path("rw/dir").c_str(), &hs) == 0);
  CHECK(hs.st_mtim.tv_sec == 2000000000);
  CHECK(api.m("sync", d).is_ok());
  CHECK(api.m("sync-data", w).is_ok());

  // the remaining path methods
  CHECK(api.m("create-directory-at", api.rw, {Val::string("made")}).is_ok());
  CHECK(err_of(api.m("create-directory-at", api.rw, {Val::string("made")})) == ErrorCode::exist);
  CHECK(api.m("symlink-at", api.rw, {Val::string("made"), Val::string("made_link")}).is_ok());
  CHECK(api.m("readlink-at", api.rw, {Val::string("made_link")}).payload()->str == "made");
  CHECK(err_of(api.m("readlink-at", api.rw, {Val::string("file")})) == ErrorCode::invalid);
  CHECK(api.m("rename-at", api.rw, {Val::string("made"), api.desc(d), Val::string("moved")}).is_ok());
  CHECK(s.exists("rw/dir/moved"));
  CHECK(api.m("link-at", api.rw, {Val::flags(0), Val::string("file"), api.desc(d), Val::string("hard")}).is_ok());
  CHECK(api.m("stat", f).payload()->items[1].u == 2);
  CHECK(err_of(api.m("remove-directory-at", api.rw, {Val::string("dir")})) == ErrorCode::not_empty);
  CHECK(err_of(api.m("unlink-file-at", api.rw, {Val::string("dir")})) == ErrorCode::is_directory);
  CHECK(api.m("unlink-file-at", d, {Val::string("hard")}).is_ok());
  CHECK(api.m("remove-directory-at", d, {Val::string("moved")}).is_ok());
  CHECK(api.m("unlink-file-at", api.rw, {Val::string("made_link")}).is_ok());
  CHECK(api.m("remove-directory-at", api.rw, {Val::string("dir")}).is_ok());
  CHECK_FALSE(s.exists("rw/dir"));
}

TEST_CASE("wasi fs: an O_DIRECTORY open is no O_TMPFILE (read-only grants, openat2)") {
  Scratch s;
  REQUIRE(::mkdir(s.path("ro/sub").c_str(), 0755) == 0);
  for (fs::Resolver r : {fs::Resolver::Auto, fs::Resolver::Walk}) {
    auto dir = fs::Dir::open_host(s.path("ro"), fs::Access::ReadOnly, r);
    REQUIRE(dir.ok());
    auto fd = fs::openat_beneath(*dir, "sub", O_RDONLY | O_DIRECTORY, 0666);
    CHECK(fd.ok());
  }
}

TEST_CASE("wasi fs: guests fs_ops and fs_escape in process") {
  Scratch s;
  s.write("other/seed.txt", "seed\n");
  {
    WasiCtx ctx;
    ctx.args = {"fs_ops"};
    ctx.preopens = {{s.path("other"), "/data", false}};
    Store store;
    auto r = run_wasi_command(store, load_guest("fs_ops"), ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK_MESSAGE(*r == 0, ctx.out.buffer);
    CHECK(ctx.out.buffer.find(" checks, 0 failed\n") != std::string::npos);
    CHECK(s.read("other/seed.txt") == "seed\n");
    CHECK_FALSE(s.exists("other/ops"));
    REQUIRE(::unlink(s.path("other/seed.txt").c_str()) == 0);
  }
  {
    // fs_escape's fixture (see tests/guests/fs_escape.setup.sh), made here.
    REQUIRE(::mkdir(s.path("rw/sub").c_str(), 0755) == 0);
    s.write("rw/file_inside", "inside\n");
    s.write("rw/file", "file\n");
    s.write("outside/secret", "secret\n");
    s.symlink("file_inside", "rw/inside");
    s.symlink("../outside/secret", "rw/up");
    s.symlink(s.path("outside/secret"), "rw/abs");
    s.symlink("/", "rw/abs_root");
    s.symlink("chain2", "rw/chain1");
    s.symlink("sub/chain3", "rw/chain2");
    s.symlink("../../outside/secret", "rw/sub/chain3");
    s.symlink("../outside", "rw/dirlink");
    s.symlink("../../..", "rw/sub/deep");
    s.symlink("loop2", "rw/loop1");
    s.symlink("loop1", "rw/loop2");
    WasiCtx ctx;
    ctx.args = {"fs_escape"};
    ctx.preopens = {{s.path("rw"), "/data", false}, {s.path("other"), "/other", false}};
    Store store;
    auto r = run_wasi_command(store, load_guest("fs_escape"), ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK_MESSAGE(*r == 0, ctx.out.buffer);
    CHECK(s.read("outside/secret") == "secret\n");
    std::set<std::string> outside;
    for (auto& e : std::filesystem::directory_iterator(s.path("outside"))) outside.insert(e.path().filename());
    CHECK(outside == std::set<std::string>{"secret"});
    CHECK(std::filesystem::is_empty(s.path("other")));
  }
}

TEST_CASE("wasi fs: 200 guests sleep and use files at once on one dispatcher thread") {
  constexpr int kGuests = 200;
  constexpr uint64_t kSleepMs = 100;
  Scratch s;
  s.write("ro/a.txt", std::string(1000, 'a'));
  s.write("ro/b.txt", std::string(70000, 'b'));
  std::vector<uint8_t> bytes = load_guest("fs_sleep_read");

  struct Run {
    WasiCtx ctx;
    int code = -1;
    std::string error;
  };
  std::vector<std::unique_ptr<Run>> runs;
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  int running = 0, most_running = 0;
  for (int i = 0; i < kGuests; ++i) {
    runs.push_back(std::make_unique<Run>());
    Run& run = *runs.back();
    run.ctx.args = {"fs_sleep_read", "g" + std::to_string(i), std::to_string(kSleepMs)};
    run.ctx.preopens = {{s.path("ro"), "/in", true}, {s.path("rw"), "/out", false}};
    loop.spawn([&run, &bytes, &running, &most_running] {
      most_running = std::max(most_running, ++running);
      Store store;
      auto r = run_wasi_command(store, bytes, run.ctx);
      --running;
      if (r.ok()) run.code = *r;
      else run.error = r.error().message;
    });
  }
  uint64_t t0 = disp::now_ns();
  loop.run();
  uint64_t elapsed_ms = (disp::now_ns() - t0) / 1'000'000;

  for (int i = 0; i < kGuests; ++i) {
    CAPTURE(i);
    const Run& run = *runs[size_t(i)];
    CHECK(run.error.empty());
    CHECK(run.code == 0);
    CHECK(run.ctx.out.buffer == "g" + std::to_string(i) + " a=1000 b=70000 own=yes\n");
    CHECK(s.read("rw/g" + std::to_string(i) + ".txt") == "g" + std::to_string(i));
  }
  // The sleeps overlapped: every guest started before any finished (the
  // loop runs fibers first in, first out, so a guest woken from its sleep
  // queues behind the ones not yet started). How long that takes is a
  // figure for bench/ (`wippy-bench guests`), not a test.
  CHECK(most_running == kGuests);
  CHECK(elapsed_ms >= kSleepMs);
}

TEST_CASE("wasi fs: limits.max_file_bytes caps writes with insufficient-space") {
  Scratch s;
  WasiLimits lim;
  lim.max_file_bytes = 10;
  FsHostApi api(s, lim);
  uint32_t f = api.open_ok(api.rw, "capped", kCreate, kRead | kWrite);
  CHECK(api.m("write", f, {bytes_val("01234567"), Val::u64(0)}).is_ok());
  CHECK(err_of(api.m("write", f, {bytes_val("89ab"), Val::u64(8)})) == ErrorCode::insufficient_space);
  CHECK(err_of(api.m("write", f, {bytes_val("x"), Val::u64(1ull << 40)})) == ErrorCode::insufficient_space);
  CHECK(api.m("write", f, {bytes_val("89"), Val::u64(8)}).is_ok());  // exactly the cap
  CHECK(err_of(api.m("set-size", f, {Val::u64(11)})) == ErrorCode::insufficient_space);
  CHECK(api.m("set-size", f, {Val::u64(10)}).is_ok());

  // Through a stream: the write fails as last-operation-failed, whose
  // filesystem-error-code is insufficient-space; nothing is written.
  Val app = api.m("append-via-stream", f);
  REQUIRE(app.is_ok());
  Val as = Val::borrow(api.ctx.state.types.output_stream, app.payload()->rep());
  Val w = api.stream_call("[method]output-stream.blocking-write-and-flush", {as, bytes_val("!")});
  REQUIRE_FALSE(w.is_ok());
  REQUIRE(w.payload()->case_index() == 0);  // last-operation-failed(error)
  Val err = Val::borrow(api.ctx.state.types.error, w.payload()->payload()->rep());
  Vals code = api.call("wasi:filesystem/types", "filesystem-error-code", {err});
  REQUIRE(code.size() == 1);
  REQUIRE(code[0].payload());
  CHECK(ErrorCode(code[0].payload()->u) == ErrorCode::insufficient_space);
  CHECK(s.read("rw/capped") == "0123456789");
}

TEST_CASE("wasi fs: limits.max_open_files refuses open-at with quota; streams hold their descriptor's place") {
  Scratch s;
  s.write("rw/a", "a");
  WasiLimits lim;
  lim.max_open_files = 3;
  FsHostApi api(s, lim);
  uint32_t a = api.open_ok(api.rw, "a", 0, kRead);
  uint32_t b = api.open_ok(api.rw, "a", 0, kRead);
  uint32_t c = api.open_ok(api.rw, ".", kDirectory, kRead);  // directories count too
  CHECK(err_of(api.open(api.rw, "a", 0, kRead)) == ErrorCode::quota);
  CHECK(api.ctx.state.open_files.used() == 3);
  api.ctx.state.table->drop(b);  // the guest drops a descriptor: its place is free
  uint32_t d = api.open_ok(api.rw, "a", 0, kRead);
  CHECK(err_of(api.open(api.rw, "a", 0, kRead)) == ErrorCode::quota);

  // A stream is a child of its descriptor: dropping the descriptor keeps
  // the file (and its place) until the stream goes.
  Val in = api.m("read-via-stream", a, {Val::u64(0)});
  REQUIRE(in.is_ok());
  uint32_t is = in.payload()->rep();
  api.ctx.state.table->drop(a);
  CHECK(err_of(api.open(api.rw, "a", 0, kRead)) == ErrorCode::quota);
  Val r = api.stream_call("[method]input-stream.read", {Val::borrow(api.ctx.state.types.input_stream, is), Val::u64(8)});
  REQUIRE(r.is_ok());
  CHECK(bytes_of(*r.payload()) == "a");  // the file is still open under the stream
  api.ctx.state.table->drop(is);
  CHECK(api.open(api.rw, "a", 0, kRead).is_ok());
  (void)c;
  (void)d;
}

TEST_CASE("wasi fs: limits.max_handles traps the call that would create one more handle") {
  Scratch s;
  s.write("rw/a", "a");
  WasiLimits lim;
  lim.max_handles = 8;
  FsHostApi api(s, lim);  // 3 preopen descriptors
  uint32_t a = api.open_ok(api.rw, "a", 0, kRead);
  for (int i = 0; i < 4; ++i) REQUIRE(api.m("read-via-stream", a, {Val::u64(0)}).is_ok());
  CHECK(api.ctx.state.table->size() == 8);
  auto r = api.try_call("[method]descriptor.read-via-stream", {api.desc(a), Val::u64(0)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message.find("limits.max_handles = 8") != std::string::npos);
  auto o = api.try_call("[method]descriptor.open-at",
                        {api.desc(api.rw), Val::flags(kFollow), Val::string("a"), Val::flags(0), Val::flags(kRead)});
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().kind == ErrorKind::Trap);
  CHECK(api.ctx.state.open_files.used() == 1);  // the refused open-at left no descriptor open
}
