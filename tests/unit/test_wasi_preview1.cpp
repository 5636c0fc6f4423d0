// test_wasi_preview1.cpp — the wasi_snapshot_preview1 host
// (hostfns/wasi_preview1.h) on core modules written as WAT: each test
// module imports the preview1 functions it needs and exports a wrapper
// `call_NAME` per function (a host function needs a calling instance for
// its memory), so the tests call them with raw arguments and check the
// errno, what was written to memory and what reached the host. Covers the
// errno paths the C guests of tests/guests do not reach (fault on every
// kind of out-of-bounds pointer, badf/notdir/spipe/notsock/notcapable/inval/
// ilseq), link errors naming the import, proc_exit codes above 1, and 1,000
// preview1 guests sleeping in poll_oneoff on one loop, and registry entries
// granted `wasi1` (commands and reactors), and sockets on a preopened
// listener (accept, recv/send, peek, shutdown, poll, limits, timeout).
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/clock.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/loop.h"
#include "dispatcher/wait.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_preview1.h"
#include "net/socket.h"
#include "runtime_fixture.h"
#include "temp_dir.h"
#include "test_loop.h"
#include "wat_module.h"
#include "wippy/runtime.h"

using namespace wippy;
using namespace wippy::hostfns;

namespace {

// errno values of the preview1 witx used below.
constexpr uint32_t kSuccess = 0, kBadf = 8, kFault = 21, kIlseq = 25, kInval = 28, kNametoolong = 37, kNoent = 44,
                   kNotcapable = 76, kNotdir = 54, kNotsock = 57, kAgain = 6, kMfile = 33, kNotconn = 53,
                   kTimedout = 73, kNotsup = 58, kPerm = 63, kRofs = 69, kSpipe = 70,
                   kXdev = 75;

// Signatures as in wasi_preview1_<family>.cpp: 'i' i32, 'I' i64.
const std::map<std::string, std::string> kSigs = {
    {"args_get", "ii"}, {"args_sizes_get", "ii"}, {"environ_get", "ii"}, {"environ_sizes_get", "ii"},
    {"clock_time_get", "iIi"}, {"clock_res_get", "ii"}, {"random_get", "ii"}, {"proc_raise", "i"},
    {"fd_close", "i"}, {"fd_write", "iiii"}, {"fd_read", "iiii"}, {"fd_pwrite", "iiiIi"}, {"fd_pread", "iiiIi"},
    {"fd_seek", "iIii"}, {"fd_tell", "ii"}, {"fd_fdstat_get", "ii"}, {"fd_fdstat_set_rights", "iII"},
    {"fd_fdstat_set_flags", "ii"}, {"fd_filestat_get", "ii"}, {"fd_prestat_get", "ii"},
    {"fd_prestat_dir_name", "iii"}, {"fd_readdir", "iiiIi"}, {"fd_renumber", "ii"},
    {"fd_filestat_set_times", "iIIi"}, {"fd_allocate", "iII"},
    {"path_open", "iiiiiIIii"}, {"path_create_directory", "iii"}, {"path_unlink_file", "iii"},
    {"path_rename", "iiiiii"}, {"path_link", "iiiiiii"}, {"path_readlink", "iiiiii"}, {"path_symlink", "iiiii"},
    {"path_filestat_get", "iiiii"}, {"poll_oneoff", "iiii"}, {"sock_send", "iiiii"}, {"sched_yield", ""},
    {"fd_advise", "iIIi"}, {"fd_datasync", "i"}, {"fd_sync", "i"}, {"fd_filestat_set_size", "iI"},
    {"path_remove_directory", "iii"}, {"path_filestat_set_times", "iiiiIIi"}, {"sock_accept", "iii"},
    {"sock_recv", "iiiiii"}, {"sock_shutdown", "ii"},
};

std::string wat_type(char c) { return c == 'I' ? "i64" : "i32"; }

// A module importing `names` and exporting call_NAME for each, plus
// `memory` (2 pages) and whatever `extra` adds.
std::string preview1_wat(const std::vector<std::string>& names, const std::string& extra = "") {
  std::string imports, wrappers;
  for (const auto& n : names) {
    const std::string& sig = kSigs.at(n);
    std::string params;
    for (char c : sig) params += " " + wat_type(c);
    imports += "(import \"wasi_snapshot_preview1\" \"" + n + "\" (func $" + n + " (param" + params + ") (result i32)))\n";
    std::string gets;
    for (size_t i = 0; i < sig.size(); ++i) gets += " local.get " + std::to_string(i);
    wrappers += "(func (export \"call_" + n + "\") (param" + params + ") (result i32)" + gets + " call $" + n + ")\n";
  }
  return "(module\n" + imports + "(memory (export \"memory\") 2)\n" + wrappers + extra + ")";
}

// A temporary directory tree, removed at the end.
struct Tree {
  std::string base;
  Tree() {
    base = wippy::testing::make_temp_dir("wippy-p1-", "/tmp");
    for (const char* d : {"rw", "ro", "other"}) REQUIRE(::mkdir((base + "/" + d).c_str(), 0755) == 0);
    std::ofstream(base + "/rw/file") << "0123456789";
    std::ofstream(base + "/ro/file") << "read only";
  }
  ~Tree() {
    std::error_code ec;
    std::filesystem::remove_all(base, ec);
  }
};

// One preview1 instance of a generated module, with the ctx it sees.
struct Guest {
  WasiCtx ctx;
  Store store;
  Instance* inst = nullptr;
  MemoryInst* mem = nullptr;

  // `setup` may add to the ctx (limits, tcp_listeners) before Preview1::create.
  explicit Guest(const std::vector<std::string>& names, const Tree* tree = nullptr,
                 const std::function<void(WasiCtx&)>& setup = {}) {
    if (setup) setup(ctx);
    if (tree) {
      ctx.preopens.push_back({tree->base + "/rw", "/rw", false});    // fd 3
      ctx.preopens.push_back({tree->base + "/ro", "/ro", true});     // fd 4
      ctx.preopens.push_back({tree->base + "/other", "/other", false});  // fd 5
    }
    ctx.args = {"prog", "a b"};
    ctx.env = {{"K", "V"}};
    ctx.in.buffer = "input bytes";
    auto mod = testing::compile_wat_module(preview1_wat(names));
    auto p1 = Preview1::create(ctx);
    REQUIRE(p1.ok());
    auto imports = p1->link(store, *mod);
    REQUIRE_MESSAGE(imports.ok(), (imports.ok() ? "" : imports.error().message));
    auto i = instantiate(store, mod, *imports);
    REQUIRE(i.ok());
    inst = *i;
    mem = inst->export_memory("memory");
    REQUIRE(mem != nullptr);
  }

  uint32_t call(const std::string& name, std::vector<uint64_t> args) {
    FuncInst* f = inst->export_func("call_" + name);
    REQUIRE_MESSAGE(f != nullptr, name);
    std::vector<Value> vals;
    for (size_t i = 0; i < args.size(); ++i)
      vals.push_back(kSigs.at(name)[i] == 'I' ? val_i64(args[i]) : val_i32(uint32_t(args[i])));
    auto r = invoke(store, f, vals);
    REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
    return (*r)[0].i32;
  }
  void put(uint32_t at, const std::string& bytes) { std::memcpy(mem->data + at, bytes.data(), bytes.size()); }
  void put32(uint32_t at, uint32_t v) { std::memcpy(mem->data + at, &v, 4); }
  void put64(uint32_t at, uint64_t v) { std::memcpy(mem->data + at, &v, 8); }
  uint32_t get32(uint32_t at) const { uint32_t v; std::memcpy(&v, mem->data + at, 4); return v; }
  uint64_t get64(uint32_t at) const { uint64_t v; std::memcpy(&v, mem->data + at, 8); return v; }
  std::string get(uint32_t at, size_t n) const { return std::string(reinterpret_cast<char*>(mem->data) + at, n); }
  // Puts `path` at 1024 and opens it beneath dirfd; returns the errno, the new fd at 60.
  uint32_t open(uint32_t dirfd, const std::string& path, uint32_t oflags, uint64_t rights, uint32_t fdflags = 0) {
    put(1024, path);
    return call("path_open", {dirfd, 1, 1024, path.size(), oflags, rights, 0, fdflags, 60});
  }
};

constexpr uint32_t kEnd = 2 * 65536;  // one past the memory of a test module
constexpr uint64_t kRead = 1ull << 1, kWrite = 1ull << 6;

}  // namespace

TEST_CASE("preview1: args, environ, clocks and random write where asked; out-of-bounds pointers are fault") {
  Guest g({"args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_time_get", "clock_res_get",
           "random_get", "proc_raise", "sched_yield"});
  CHECK(g.call("args_sizes_get", {0, 4}) == kSuccess);
  CHECK(g.get32(0) == 2);
  CHECK(g.get32(4) == 9);  // "prog\0a b\0"
  CHECK(g.call("args_get", {16, 64}) == kSuccess);
  CHECK(g.get32(16) == 64);
  CHECK(g.get32(20) == 69);
  CHECK(g.get(64, 9) == std::string("prog\0a b\0", 9));
  CHECK(g.call("environ_sizes_get", {0, 4}) == kSuccess);
  CHECK(g.get32(0) == 1);
  CHECK(g.call("environ_get", {16, 64}) == kSuccess);
  CHECK(g.get(64, 4) == std::string("K=V\0", 4));

  CHECK(g.call("args_get", {kEnd - 4, 64}) == kFault);  // pointer array runs off the end
  CHECK(g.call("args_get", {16, kEnd - 3}) == kFault);  // strings run off the end
  CHECK(g.call("environ_sizes_get", {0, kEnd}) == kFault);
  CHECK(g.call("args_sizes_get", {0xFFFFFFFF, 0}) == kFault);

  const uint64_t before = disp::now_ns();
  CHECK(g.call("clock_time_get", {1, 0, 8}) == kSuccess);
  CHECK(g.get64(8) >= before);
  CHECK(g.call("clock_time_get", {0, 0, 8}) == kSuccess);
  CHECK(g.get64(8) > 1'600'000'000ull * 1'000'000'000ull);  // realtime, after 2020
  CHECK(g.call("clock_time_get", {7, 0, 8}) == kInval);
  CHECK(g.call("clock_time_get", {1, 0, kEnd - 4}) == kFault);
  CHECK(g.call("clock_res_get", {1, 8}) == kSuccess);
  CHECK(g.get64(8) > 0);
  CHECK(g.call("clock_res_get", {4, 8}) == kInval);

  CHECK(g.call("random_get", {256, 64}) == kSuccess);
  CHECK(g.get(256, 64) != std::string(64, '\0'));
  CHECK(g.call("random_get", {kEnd - 10, 64}) == kFault);
  CHECK(g.call("proc_raise", {9}) == kNotsup);
  CHECK(g.call("sched_yield", {}) == kSuccess);  // outside a fiber: nothing to yield to
}

TEST_CASE("preview1: stdio fds write to the capture buffers and read stdin; no seeking on them") {
  Guest g({"fd_write", "fd_read", "fd_pwrite", "fd_seek", "fd_tell", "fd_fdstat_get", "fd_close", "sock_send",
           "fd_prestat_get", "fd_renumber", "fd_fdstat_set_rights", "fd_fdstat_set_flags"});
  g.put(512, "hello ");
  g.put(600, "world");
  g.put32(100, 512), g.put32(104, 6), g.put32(108, 600), g.put32(112, 5);
  CHECK(g.call("fd_write", {1, 100, 2, 120}) == kSuccess);
  CHECK(g.get32(120) == 11);
  CHECK(g.ctx.out.buffer == "hello world");
  CHECK(g.call("fd_write", {2, 100, 0, 120}) == kSuccess);  // zero iovecs: nothing written, 0 reported
  CHECK(g.get32(120) == 0);
  CHECK(g.ctx.err.buffer.empty());

  g.put32(100, 700), g.put32(104, 5), g.put32(108, 720), g.put32(112, 100);
  CHECK(g.call("fd_read", {0, 100, 2, 120}) == kSuccess);
  CHECK(g.get32(120) == 11);
  CHECK(g.get(700, 5) == "input");
  CHECK(g.get(720, 6) == " bytes");
  CHECK(g.call("fd_read", {0, 100, 2, 120}) == kSuccess);  // the end: 0 bytes
  CHECK(g.get32(120) == 0);

  // Out-of-bounds iovec lists, buffers and result pointers: fault, nothing written.
  g.ctx.out.buffer.clear();
  g.put32(100, kEnd - 2), g.put32(104, 5);
  CHECK(g.call("fd_write", {1, 100, 1, 120}) == kFault);
  CHECK(g.call("fd_write", {1, kEnd - 4, 1, 120}) == kFault);
  g.put32(100, 512), g.put32(104, 6);
  CHECK(g.call("fd_write", {1, 100, 1, kEnd - 2}) == kFault);
  CHECK(g.call("fd_write", {1, 100, 0x20000000, 120}) == kFault);  // count * 8 past the end
  CHECK(g.ctx.out.buffer.empty());

  CHECK(g.call("fd_write", {0, 100, 1, 120}) == kBadf);  // stdin is not writable
  CHECK(g.call("fd_write", {77, 100, 1, 120}) == kBadf);
  CHECK(g.call("fd_pwrite", {1, 100, 1, 0, 120}) == kSpipe);
  CHECK(g.call("fd_seek", {1, 0, 0, 120}) == kSpipe);
  CHECK(g.call("fd_tell", {1, 120}) == kSpipe);
  CHECK(g.call("fd_prestat_get", {1, 120}) == kBadf);
  CHECK(g.call("sock_send", {1, 100, 1, 0, 120}) == kNotsock);
  CHECK(g.call("sock_send", {9, 100, 1, 0, 120}) == kBadf);

  CHECK(g.call("fd_fdstat_get", {1, 200}) == kSuccess);
  CHECK(g.mem->data[200] == 0);  // a capture buffer is no terminal: unknown
  CHECK(g.call("fd_fdstat_get", {1, kEnd - 8}) == kFault);
  CHECK(g.call("fd_fdstat_set_rights", {1, ~0ull, 0}) == kNotcapable);  // only narrowing
  CHECK(g.call("fd_fdstat_set_rights", {1, kWrite, 0}) == kSuccess);
  CHECK(g.call("fd_fdstat_get", {1, 200}) == kSuccess);
  CHECK(g.get64(208) == kWrite);
  CHECK(g.call("fd_fdstat_set_flags", {1, 16}) == kInval);  // sync cannot be set later

  CHECK(g.call("fd_renumber", {2, 9}) == kBadf);  // `to` must be open
  CHECK(g.call("fd_renumber", {2, 1}) == kSuccess);
  g.put32(100, 512), g.put32(104, 6);
  CHECK(g.call("fd_write", {1, 100, 1, 120}) == kSuccess);
  CHECK(g.ctx.err.buffer == "hello ");  // fd 1 is now what fd 2 was
  CHECK(g.call("fd_close", {2}) == kBadf);
  CHECK(g.call("fd_close", {1}) == kSuccess);
  CHECK(g.call("fd_close", {1}) == kBadf);
}

TEST_CASE("preview1: preopens, confinement, read-only grants and file positions") {
  Tree t;
  Guest g({"fd_prestat_get", "fd_prestat_dir_name", "path_open", "fd_read", "fd_write", "fd_pread", "fd_seek",
           "fd_tell", "fd_readdir", "path_create_directory", "path_unlink_file", "path_rename", "path_link",
           "path_symlink", "path_readlink", "path_filestat_get", "fd_filestat_get", "fd_filestat_set_times",
           "fd_allocate", "fd_close"},
          &t);
  CHECK(g.call("fd_prestat_get", {3, 8}) == kSuccess);
  CHECK(g.get32(8) == 0);
  CHECK(g.get32(12) == 3);
  CHECK(g.call("fd_prestat_dir_name", {4, 16, 3}) == kSuccess);
  CHECK(g.get(16, 3) == "/ro");
  CHECK(g.call("fd_prestat_dir_name", {4, 16, 2}) == kNametoolong);
  CHECK(g.call("fd_prestat_dir_name", {4, kEnd - 1, 3}) == kFault);
  CHECK(g.call("fd_prestat_get", {6, 8}) == kBadf);

  // Escapes are perm, as in the 0.2 host.
  CHECK(g.open(3, "../other/x", 1, kWrite) == kPerm);
  CHECK(g.open(3, "/etc/passwd", 0, kRead) == kPerm);
  CHECK(g.call("path_symlink", {1024, 0, 3, 1024, 0}) != kSuccess);
  g.put(1100, "../..");
  g.put(1200, "esc");
  CHECK(g.call("path_symlink", {1100, 5, 3, 1200, 3}) == kSuccess);  // stored, refused when followed
  CHECK(g.open(3, "esc/x", 0, kRead) == kPerm);
  g.put(1300, "\xff\xfe");
  CHECK(g.call("path_create_directory", {3, 1300, 2}) == kIlseq);
  CHECK(g.call("path_create_directory", {3, kEnd - 1, 5}) == kFault);

  // Read-only grant: rofs for every change.
  CHECK(g.open(4, "new", 1, kWrite) == kRofs);
  CHECK(g.open(4, "file", 0, kWrite) == kRofs);
  g.put(1400, "d");
  CHECK(g.call("path_create_directory", {4, 1400, 1}) == kRofs);
  g.put(1400, "file");
  CHECK(g.call("path_unlink_file", {4, 1400, 4}) == kRofs);
  g.put(1500, "moved");
  CHECK(g.call("path_rename", {3, 1500, 0, 4, 1500, 5}) != kSuccess);
  CHECK(g.call("path_link", {4, 0, 1400, 4, 5, 1500, 5}) == kRofs);
  CHECK(g.call("path_link", {3, 0, 1400, 4, 5, 1500, 5}) == kXdev);  // rw -> other grant
  CHECK(g.call("path_link", {3, 1, 1400, 4, 3, 1500, 5}) == kInval);  // symlink_follow

  // A file: own position, seek, tell, pread.
  REQUIRE(g.open(3, "file", 0, kRead | kWrite) == kSuccess);
  const uint32_t fd = g.get32(60);
  CHECK(fd == 6);
  g.put32(100, 800), g.put32(104, 4);
  CHECK(g.call("fd_read", {fd, 100, 1, 120}) == kSuccess);
  CHECK(g.get(800, 4) == "0123");
  CHECK(g.call("fd_tell", {fd, 128}) == kSuccess);
  CHECK(g.get64(128) == 4);
  CHECK(g.call("fd_seek", {fd, uint64_t(-2), 1, 128}) == kSuccess);
  CHECK(g.get64(128) == 2);
  CHECK(g.call("fd_seek", {fd, uint64_t(-20), 1, 128}) == kInval);
  CHECK(g.call("fd_seek", {fd, 0, 3, 128}) == kInval);
  CHECK(g.call("fd_seek", {fd, 0, 2, kEnd - 4}) == kFault);
  CHECK(g.call("fd_pread", {fd, 100, 1, 8, 120}) == kSuccess);
  CHECK(g.get32(120) == 2);
  CHECK(g.get(800, 2) == "89");
  CHECK(g.call("fd_tell", {fd, 128}) == kSuccess);
  CHECK(g.get64(128) == 2);  // pread leaves the position alone
  CHECK(g.call("fd_allocate", {fd, 0, 100}) == kSuccess);
  CHECK(std::filesystem::file_size(t.base + "/rw/file") == 100);
  CHECK(g.call("fd_filestat_get", {fd, 300}) == kSuccess);
  CHECK(g.mem->data[316] == 4);  // regular_file
  CHECK(g.get64(332) == 100);
  CHECK(g.call("fd_filestat_set_times", {fd, 0, 0, 1 | 2}) == kInval);  // atim and atim_now
  CHECK(g.call("fd_readdir", {fd, 400, 100, 0, 120}) == kNotdir);
  g.put(1400, "file");
  CHECK(g.call("path_create_directory", {fd, 1400, 4}) == kNotdir);  // a file as the base
  CHECK(g.call("fd_close", {fd}) == kSuccess);

  // path_readlink truncates; path_filestat_get does not follow without the flag.
  g.put(1600, "target-name");
  g.put(1700, "lnk");
  CHECK(g.call("path_symlink", {1600, 11, 3, 1700, 3}) == kSuccess);
  CHECK(g.call("path_readlink", {3, 1700, 3, 900, 6, 120}) == kSuccess);
  CHECK(g.get32(120) == 6);
  CHECK(g.get(900, 6) == "target");
  CHECK(g.call("path_filestat_get", {3, 0, 1700, 3, 300}) == kSuccess);
  CHECK(g.mem->data[316] == 7);  // symbolic_link
  CHECK(g.call("path_filestat_get", {3, 1, 1700, 3, 300}) == kNoent);  // dangling when followed

  // fd_readdir: ".", "..", then the entries; a small buffer is filled to the brim.
  CHECK(g.call("fd_readdir", {4, 400, 4096, 0, 120}) == kSuccess);
  const uint32_t used = g.get32(120);
  CHECK(used == 24 + 1 + 24 + 2 + 24 + 4);  // ".", "..", "file"
  CHECK(g.get(400 + 24, 1) == ".");
  CHECK(g.get64(400 + 25) == 2);  // d_next of ".."
  CHECK(g.call("fd_readdir", {4, 400, 30, 0, 120}) == kSuccess);
  CHECK(g.get32(120) == 30);
  CHECK(g.call("fd_readdir", {4, 400, 4096, 2, 120}) == kSuccess);  // from the cookie on
  CHECK(g.get32(120) == 28);
  CHECK(g.get(400 + 24, 4) == "file");
  CHECK(g.call("fd_readdir", {4, kEnd - 10, 100, 0, 120}) == kFault);
}

TEST_CASE("preview1: poll_oneoff errors come back as events at once; a clock sleeps at least its time") {
  Guest g({"poll_oneoff"});
  CHECK(g.call("poll_oneoff", {0, 1000, 0, 120}) == kInval);
  CHECK(g.call("poll_oneoff", {0, 1000, 70000, 120}) == kInval);  // more than the host takes at once
  CHECK(g.call("poll_oneoff", {kEnd - 40, 1000, 1, 120}) == kFault);
  CHECK(g.call("poll_oneoff", {0, kEnd - 16, 1, 120}) == kFault);
  // Subscription 0: fd_read on fd 99 (badf); 1: a clock with unknown flags
  // (inval); 2: a one-hour sleep, which must not be waited for.
  std::memset(g.mem->data, 0, 48 * 3);
  g.put64(0, 11), g.mem->data[8] = 1, g.put32(16, 99);
  g.put64(48, 22), g.mem->data[56] = 0, g.put32(64, 1), g.put64(72, 1), g.mem->data[88] = 2;
  g.put64(96, 33), g.mem->data[104] = 0, g.put32(112, 1), g.put64(120, 3600ull * 1000000000ull);
  CHECK(g.call("poll_oneoff", {0, 1000, 3, 200}) == kSuccess);
  CHECK(g.get32(200) == 2);
  CHECK(g.get64(1000) == 11);
  CHECK((g.get32(1008) & 0xFFFF) == kBadf);
  CHECK(g.get64(1032) == 22);
  CHECK((g.get32(1040) & 0xFFFF) == kInval);

  // One 30 ms relative monotonic sleep (outside a fiber: the thread blocks).
  std::memset(g.mem->data, 0, 48);
  g.put64(0, 44), g.put32(16, 1), g.put64(24, 30'000'000);
  const uint64_t t0 = disp::now_ns();
  CHECK(g.call("poll_oneoff", {0, 1000, 1, 200}) == kSuccess);
  CHECK(disp::now_ns() - t0 >= 30'000'000);
  CHECK(g.get32(200) == 1);
  CHECK(g.get64(1000) == 44);
  CHECK((g.get32(1008) & 0xFFFF) == kSuccess);
  CHECK(g.mem->data[1010] == 0);  // clock event
}

TEST_CASE("preview1: fd subscriptions: stdin with bytes, stdout and files are ready; append mode writes at the end") {
  Tree t;
  Guest g({"poll_oneoff", "path_open", "fd_write", "fd_fdstat_set_flags", "fd_fdstat_get", "fd_tell"}, &t);
  // fd_read on stdin (buffered bytes), fd_write on stdout, and a clock of an hour.
  std::memset(g.mem->data, 0, 48 * 3);
  g.put64(0, 1), g.mem->data[8] = 1, g.put32(16, 0);
  g.put64(48, 2), g.mem->data[56] = 2, g.put32(64, 1);
  g.put64(96, 3), g.mem->data[104] = 0, g.put32(112, 1), g.put64(120, 3600ull * 1000000000ull);
  CHECK(g.call("poll_oneoff", {0, 1000, 3, 200}) == kSuccess);
  REQUIRE(g.get32(200) == 2);
  CHECK(g.get64(1000) == 1);
  CHECK(g.mem->data[1010] == 1);  // fd_read
  CHECK(g.get64(1032) == 2);
  CHECK(g.mem->data[1042] == 2);  // fd_write
  // A file: fd_read reports the bytes after the position.
  REQUIRE(g.open(3, "file", 0, kRead | kWrite) == kSuccess);
  const uint32_t fd = g.get32(60);
  std::memset(g.mem->data, 0, 48);
  g.put64(0, 9), g.mem->data[8] = 1, g.put32(16, fd);
  CHECK(g.call("poll_oneoff", {0, 1000, 1, 200}) == kSuccess);
  CHECK(g.get32(200) == 1);
  CHECK(g.get64(1016) == 10);  // nbytes: all of "0123456789"
  // Append mode, set after opening: writes go to the end, the position follows.
  CHECK(g.call("fd_fdstat_set_flags", {fd, 1}) == kSuccess);
  CHECK(g.call("fd_fdstat_get", {fd, 300}) == kSuccess);
  CHECK(g.mem->data[302] == 1);
  g.put(512, "AB");
  g.put32(100, 512), g.put32(104, 2);
  CHECK(g.call("fd_write", {fd, 100, 1, 120}) == kSuccess);
  CHECK(g.call("fd_tell", {fd, 128}) == kSuccess);
  CHECK(g.get64(128) == 12);
  std::ifstream in(t.base + "/rw/file");
  CHECK(std::string((std::istreambuf_iterator<char>(in)), {}) == "0123456789AB");
}

TEST_CASE("preview1: 1,000 guests sleeping in poll_oneoff park only their fibers on one loop") {
  constexpr int kGuests = 1000;
  constexpr uint64_t kSleep = 50'000'000;
  // run(): one relative monotonic clock subscription of kSleep, then the
  // event's userdata (the guest's number, passed in) if all went well.
  const std::string run =
      "(func (export \"run\") (param $n i32) (result i32)\n"
      "  (i64.store (i32.const 0) (i64.extend_i32_u (local.get $n)))\n"
      "  (i32.store8 (i32.const 8) (i32.const 0))\n"
      "  (i32.store (i32.const 16) (i32.const 1))\n"
      "  (i64.store (i32.const 24) (i64.const " + std::to_string(kSleep) + "))\n"
      "  (i32.store16 (i32.const 40) (i32.const 0))\n"
      "  (if (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200))\n"
      "    (then (return (i32.const -1))))\n"
      "  (if (i32.ne (i32.load (i32.const 200)) (i32.const 1)) (then (return (i32.const -2))))\n"
      "  (i32.wrap_i64 (i64.load (i32.const 100))))\n";
  auto mod = testing::compile_wat_module(preview1_wat({"poll_oneoff"}, run));
  struct One {
    WasiCtx ctx;
    Store store;
    FuncInst* run = nullptr;
  };
  std::vector<std::unique_ptr<One>> guests;
  for (int i = 0; i < kGuests; ++i) {
    auto g = std::make_unique<One>();
    auto p1 = Preview1::create(g->ctx);
    REQUIRE(p1.ok());
    auto imports = p1->link(g->store, *mod);
    REQUIRE(imports.ok());
    auto inst = instantiate(g->store, mod, *imports);
    REQUIRE(inst.ok());
    g->run = (*inst)->export_func("run");
    guests.push_back(std::move(g));
  }
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  int done = 0, right = 0;
  std::string first_error;
  const uint64_t t0 = disp::now_ns();
  for (int i = 0; i < kGuests; ++i) {
    auto h = disp::spawn_guest_call(loop, guests[i]->store, guests[i]->run, {val_i32(uint32_t(i))}, {},
                                    [&, i](Result<std::vector<Value>> r) {
                                      ++done;
                                      if (r.ok() && (*r)[0].i32 == uint32_t(i)) ++right;
                                      else if (first_error.empty())
                                        first_error = r.ok() ? std::to_string(int32_t((*r)[0].i32)) : r.error().message;
                                    });
    REQUIRE(h.valid());
  }
  // Runs once every guest has started: all of them are parked, none done.
  int done_when_parked = -1;
  loop.spawn([&] { done_when_parked = done; });
  loop.run();
  CHECK(done_when_parked == 0);
  CHECK(done == kGuests);
  CHECK_MESSAGE(right == kGuests, first_error);
  CHECK(disp::now_ns() - t0 >= kSleep);
}

TEST_CASE("preview1: link errors name the import; proc_exit codes come back as given") {
  WasiCtx ctx;
  auto p1 = Preview1::create(ctx);
  REQUIRE(p1.ok());
  auto link = [&](const std::string& wat) {
    Store store;
    auto mod = testing::compile_wat_module(wat);
    auto r = p1->link(store, *mod);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Unlinkable);
    return r.error().message;
  };
  std::string m = link(R"((module (import "wasi_snapshot_preview1" "fd_frobnicate" (func (param i32) (result i32)))))");
  CHECK(m.find("\"wasi_snapshot_preview1\" \"fd_frobnicate\"") != std::string::npos);
  CHECK(m.find("no such function") != std::string::npos);
  m = link(R"((module (import "wasi_snapshot_preview1" "fd_close" (func (param i64) (result i32)))))");
  CHECK(m.find("\"fd_close\"") != std::string::npos);
  CHECK(m.find("wrong signature (i64) -> (i32), expected (i32) -> (i32)") != std::string::npos);
  m = link(R"((module (import "wasi_snapshot_preview1" "memory" (memory 1))))");
  CHECK(m.find("\"memory\" (memory)") != std::string::npos);
  m = link(R"((module (import "wasi_unstable" "fd_close" (func (param i32) (result i32)))))");
  CHECK(m.find("\"wasi_unstable\" \"fd_close\"") != std::string::npos);

  for (uint32_t code : {0u, 3u, 42u, 300u}) {
    WasiCtx c;
    Store store;
    auto mod = testing::compile_wat_module(
        "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
        " (memory (export \"memory\") 1)"
        " (func (export \"_start\") (call $exit (i32.const " + std::to_string(code) + ")) unreachable))");
    auto r = run_preview1_command(store, mod, c);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == int(code));
  }
  // A module without memory: proc_exit works, pointers are fault.
  {
    WasiCtx c;
    Store store;
    auto no_mem = testing::compile_wat_module(
        "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
        " (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $sizes (param i32 i32) (result i32)))"
        " (func (export \"_start\") (call $exit (i32.add (i32.const 100)"
        "   (call $sizes (i32.const 0) (i32.const 4))))))");
    auto r = run_preview1_command(store, no_mem, c);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == 100 + int(kFault));
  }
  WasiCtx c;
  Store store;
  auto returns = testing::compile_wat_module(
      "(module (import \"wasi_snapshot_preview1\" \"sched_yield\" (func (result i32)))"
      " (memory (export \"memory\") 1) (func (export \"_start\")))");
  auto r = run_preview1_command(store, returns, c);
  REQUIRE(r.ok());
  CHECK(*r == 0);
  auto no_start = testing::compile_wat_module(
      "(module (import \"wasi_snapshot_preview1\" \"sched_yield\" (func (result i32))) (memory 1))");
  Store store2;
  auto r2 = run_preview1_command(store2, no_start, c);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message.find("_start") != std::string::npos);
}

namespace {

// A registry with one function.wat entry `name` (module text `wat`,
// method `method`, imports `imports`).
std::string wat_entry(const std::string& name, const std::string& method, const std::string& imports,
                      const std::string& wat) {
  std::string quoted;
  for (char c : wat) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "namespace: p1\nentries:\n  - name: " + name + "\n    kind: function.wat\n    method: " + method +
         "\n    imports: [" + imports + "]\n    source: '" + quoted + "'\n";
}

// _start writes "hi\n" to fd 1 and exits with 7.
constexpr const char* kCommandWat =
    "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))"
    " (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
    " (memory (export \"memory\") 1) (data (i32.const 16) \"hi\\n\")"
    " (func (export \"_start\") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))"
    "  (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (call $exit (i32.const 7))))";

}  // namespace

TEST_CASE("preview1 registry: wasi1 grants a core module preview1; commands exit, reactors initialize") {
  RegistryScratch s;
  RuntimeOptions opts;
  opts.inherit_stdio = false;
  for (const char* grant : {"wasi1", "wasi-preview1", "Preview1", "wasi_snapshot_preview1"}) {
    auto rt = Runtime::load(s.write("c.yaml", wat_entry("c", "_start", grant, kCommandWat)), opts);
    REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
    auto out = (*rt)->call_json("p1:c", std::vector<std::string>{});
    REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
    CHECK(out->exit_code == 7);
    CHECK(out->out == "hi\n");
    auto again = (*rt)->call_json("p1:c", std::vector<std::string>{});  // a fresh instance each call
    REQUIRE(again.ok());
    CHECK(again->exit_code == 7);
  }
  // Without the grant: refused at load, in the component-import format.
  auto denied = Runtime::load(s.write("d.yaml", wat_entry("c", "_start", "wasi:cli", kCommandWat)), opts);
  REQUIRE_FALSE(denied.ok());
  CHECK_MESSAGE(denied.error().message.find("core module imports wasi_snapshot_preview1, which entry p1:c does not "
                                            "grant (add wasi1 to imports)") != std::string::npos,
                denied.error().message);
  // An unknown preview1 function: refused at load, naming it.
  auto unknown = Runtime::load(
      s.write("u.yaml", wat_entry("c", "_start", "wasi1",
                                  "(module (import \"wasi_snapshot_preview1\" \"fd_nope\" (func)) (func (export \"_start\")))")),
      opts);
  REQUIRE_FALSE(unknown.ok());
  CHECK_MESSAGE(unknown.error().message.find("\"fd_nope\"") != std::string::npos, unknown.error().message);

  // A reactor: _initialize runs before the method.
  const std::string reactor =
      "(module (import \"wasi_snapshot_preview1\" \"sched_yield\" (func (result i32)))"
      " (memory (export \"memory\") 1) (global $g (mut i32) (i32.const 0))"
      " (func (export \"_initialize\") (global.set $g (i32.const 40)))"
      " (func (export \"get\") (result i32) (i32.add (global.get $g) (i32.const 2))))";
  auto rt = Runtime::load(s.write("r.yaml", wat_entry("r", "get", "wasi1", reactor)), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  auto out = (*rt)->call_json("p1:r", std::vector<std::string>{});
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  CHECK(out->json == "42");
}

TEST_CASE("preview1: random arguments to every function never crash the host nor reach outside the grants") {
  Tree t;
  std::ofstream(t.base + "/outside.txt") << "untouched";
  std::vector<std::string> names;
  for (const auto& [name, sig] : kSigs)
    // No random sleeps; and no closing, so that the grants stay open.
    if (name != "poll_oneoff" && name != "sched_yield" && name != "fd_close" && name != "fd_renumber")
      names.push_back(name);
  Guest g(names, &t);
  g.ctx.limits.max_file_bytes = 1 << 20;
  std::mt19937_64 rng(1234);
  // Memory: path-like bytes first, so that paths resolve somewhere.
  const char kPathBytes[] = "ab./\0";
  for (uint32_t i = 0; i < 8192; ++i) g.mem->data[i] = uint8_t(kPathBytes[rng() % 5]);
  auto i32 = [&]() -> uint64_t {
    switch (rng() % 6) {
      case 0: return rng() % 8;  // an fd, a small length or flag set
      case 1: return rng() % 8192;  // inside the path bytes
      case 2: return kEnd - rng() % 64;  // near the end of memory
      case 3: return uint32_t(rng());
      case 4: return 0xFFFFFFFF;
      default: return rng() % 64;
    }
  };
  auto i64 = [&]() -> uint64_t { return rng() % 3 == 0 ? rng() : rng() % 64; };
  int traps = 0, successes = 0;
  std::map<uint32_t, int> errnos;
  for (int n = 0; n < 20000; ++n) {
    const std::string& name = names[rng() % names.size()];
    const std::string& sig = kSigs.at(name);
    std::vector<Value> vals;
    for (char c : sig) vals.push_back(c == 'I' ? val_i64(i64()) : val_i32(uint32_t(i32())));
    if (name.rfind("args", 0) != 0 && name.rfind("environ", 0) != 0 && name.rfind("clock", 0) != 0 &&
        name != "random_get" && name != "proc_raise" && name != "path_symlink" && rng() % 4 != 0)
      vals[0] = val_i32(uint32_t(rng() % 8));  // mostly an open fd (3-5: the grants)
    if (name == "path_symlink" && rng() % 4 != 0) vals[2] = val_i32(uint32_t(3 + rng() % 3));
    auto r = invoke(g.store, g.inst->export_func("call_" + name), vals);
    if (!r) {
      CHECK_MESSAGE(r.error().kind == ErrorKind::Trap, name << ": " << r.error().message);
      ++traps;
      continue;
    }
    CHECK_MESSAGE((*r)[0].i32 <= 76, name << " returned " << (*r)[0].i32);
    if ((*r)[0].i32 == kSuccess) ++successes;
    ++errnos[(*r)[0].i32];
  }
  // The calls reach past the argument checks: some succeed, and the
  // failures are of many kinds, not only fault.
  CHECK(successes > 500);
  CHECK(errnos.size() >= 8);
  std::string seen;
  for (const auto& [e, n] : errnos) seen += std::to_string(e) + ":" + std::to_string(n) + " ";
  MESSAGE("errno counts: " << seen << "traps: " << traps);
  std::ifstream in(t.base + "/outside.txt");
  CHECK(std::string((std::istreambuf_iterator<char>(in)), {}) == "untouched");
  for (const auto& e : std::filesystem::directory_iterator(t.base))
    CHECK_MESSAGE((e.path().filename() == "rw" || e.path().filename() == "ro" || e.path().filename() == "other" ||
                   e.path().filename() == "outside.txt"),
                  e.path().string());
}

namespace {

const std::vector<std::string> kSockFuncs = {"sock_accept", "sock_recv", "sock_send", "sock_shutdown",
                                              "fd_fdstat_get", "fd_fdstat_set_flags", "fd_read", "fd_write",
                                              "fd_close", "fd_pread", "fd_seek", "fd_filestat_get", "poll_oneoff"};

// A listener on 127.0.0.1, any port, as `run --tcplisten` makes one.
std::shared_ptr<net::Socket> loopback_listener(const net::Policy& policy = {}) {
  auto l = open_tcp_listener(policy, net::make_socket_address(net::loopback(net::Family::ipv4), 0));
  REQUIRE_MESSAGE(l.ok(), (l.ok() ? "" : l.error().message));
  return *l;
}

// A host client connected to `port` on 127.0.0.1 (waits in a fiber, or
// blocks the thread outside one).
net::Socket connect_client(uint16_t port) {
  auto c = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
  REQUIRE(c.ok());
  auto now = c->start_connect(net::make_socket_address(net::loopback(net::Family::ipv4), port));
  REQUIRE(now.ok());
  if (!*now) {
    REQUIRE(disp::wait_fd(c->fd(), true).ok());
    REQUIRE(c->finish_connect().ok());
  }
  return std::move(*c);
}

// What the client receives next (waiting for it); "" at the end of the stream.
std::string client_read(net::Socket& c) {
  REQUIRE(disp::wait_fd(c.fd(), false).ok());
  char buf[256];
  auto n = c.read({reinterpret_cast<uint8_t*>(buf), sizeof buf});
  REQUIRE(n.ok());
  return std::string(buf, *n);
}

void client_write(net::Socket& c, const std::string& s) {
  auto n = c.write({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  REQUIRE(n.ok());
  REQUIRE(*n == s.size());
}

}  // namespace

TEST_CASE("preview1 sockets: open_tcp_listener applies the network grant") {
  const auto any = net::make_socket_address(net::loopback(net::Family::ipv4), 0);
  auto none = open_tcp_listener(net::Policy::none(), any);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("tcp listen on 127.0.0.1:0: access-denied") != std::string::npos);
  net::Policy no_listen;
  no_listen.allow_listen = false;
  auto refused = open_tcp_listener(no_listen, any);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("does not allow listening") != std::string::npos);
  auto rules = net::parse_policy({"tcp:127.0.0.1:9000-9001"});
  REQUIRE(rules.ok());
  auto off_rule = open_tcp_listener(*rules, net::make_socket_address(net::loopback(net::Family::ipv4), 1));
  REQUIRE_FALSE(off_rule.ok());
  CHECK(off_rule.error().message.find("access-denied") != std::string::npos);
  auto ok = open_tcp_listener(*rules, any);  // port 0: any port the kernel picks
  REQUIRE(ok.ok());
  CHECK(net::port_of(*(*ok)->local_address()) != 0);
}

TEST_CASE("preview1 sockets: a preopened listener accepts; connections recv, peek, send, shutdown and close") {
  auto listener = loopback_listener();
  const uint16_t port = net::port_of(*listener->local_address());
  Tree t;
  Guest g(kSockFuncs, &t, [&](WasiCtx& ctx) { ctx.tcp_listeners.push_back(listener); });
  const uint32_t lfd = 6;  // after the three preopened dirs of the tree

  CHECK(g.call("fd_fdstat_get", {lfd, 300}) == kSuccess);
  CHECK(g.mem->data[300] == 6);  // socket_stream
  CHECK((g.get64(308) & (1ull << 29)) != 0);  // sock_accept right
  CHECK(g.call("fd_filestat_get", {lfd, 400}) == kSuccess);
  CHECK(g.mem->data[416] == 6);

  // Non-blocking accept with no client; bad flags; not a socket; no fd; fault.
  CHECK(g.call("fd_fdstat_set_flags", {lfd, 4}) == kSuccess);
  CHECK(g.call("sock_accept", {lfd, 0, 60}) == kAgain);
  CHECK(g.call("fd_fdstat_set_flags", {lfd, 0}) == kSuccess);
  CHECK(g.call("sock_accept", {lfd, 8, 60}) == kInval);
  CHECK(g.call("sock_accept", {1, 0, 60}) == kNotsock);
  CHECK(g.call("sock_accept", {3, 0, 60}) == kNotsock);  // a directory
  CHECK(g.call("sock_accept", {99, 0, 60}) == kBadf);
  CHECK(g.call("sock_accept", {lfd, 0, kEnd}) == kFault);
  g.put32(100, 512), g.put32(104, 8);
  CHECK(g.call("sock_recv", {lfd, 100, 1, 0, 120, 124}) == kNotconn);
  CHECK(g.call("sock_shutdown", {lfd, 3}) == kNotconn);

  net::Socket client = connect_client(port);
  REQUIRE(g.call("sock_accept", {lfd, 0, 60}) == kSuccess);
  const uint32_t conn = g.get32(60);
  CHECK(conn == 7);
  CHECK(g.call("sock_accept", {conn, 0, 60}) == kInval);  // not a listener
  CHECK(g.call("fd_fdstat_get", {conn, 300}) == kSuccess);
  CHECK(g.mem->data[300] == 6);
  CHECK((g.get64(308) & (1ull << 28)) != 0);  // sock_shutdown right

  client_write(client, "hello");
  // poll_oneoff: fd_read on the connection is ready with the 5 bytes queued.
  std::memset(g.mem->data + 2000, 0, 48);
  g.put64(2000, 77), g.mem->data[2008] = 1, g.put32(2016, conn);
  CHECK(g.call("poll_oneoff", {2000, 2100, 1, 2200}) == kSuccess);
  CHECK(g.get32(2200) == 1);
  CHECK(g.get64(2100) == 77);
  CHECK((g.get32(2108) & 0xFFFF) == kSuccess);
  CHECK(g.get64(2116) == 5);

  // Peek 3, then read all 5 across two iovecs.
  g.put32(100, 512), g.put32(104, 3);
  CHECK(g.call("sock_recv", {conn, 100, 1, 1, 120, 124}) == kSuccess);
  CHECK(g.get32(120) == 3);
  CHECK(g.get(512, 3) == "hel");
  g.put32(100, 512), g.put32(104, 2), g.put32(108, 600), g.put32(112, 10);
  CHECK(g.call("sock_recv", {conn, 100, 2, 0, 120, 124}) == kSuccess);
  CHECK(g.get32(120) == 5);
  CHECK(g.get(512, 2) == "he");
  CHECK(g.get(600, 3) == "llo");
  CHECK(g.call("sock_recv", {conn, 100, 1, 4, 120, 124}) == kInval);  // unknown riflags
  CHECK(g.call("sock_recv", {conn, kEnd - 4, 1, 0, 120, 124}) == kFault);
  // Nothing queued on a nonblock connection: again.
  CHECK(g.call("fd_fdstat_set_flags", {conn, 4}) == kSuccess);
  CHECK(g.call("sock_recv", {conn, 100, 1, 0, 120, 124}) == kAgain);
  CHECK(g.call("fd_fdstat_set_flags", {conn, 0}) == kSuccess);

  // recv_waitall: waits until both writes of the client filled the buffer.
  client_write(client, "abc");
  g.put32(100, 512), g.put32(104, 3);
  CHECK(g.call("sock_recv", {conn, 100, 1, 2, 120, 124}) == kSuccess);
  CHECK(g.get32(120) == 3);
  CHECK(g.get(512, 3) == "abc");

  g.put(700, "world");
  g.put32(100, 700), g.put32(104, 5);
  CHECK(g.call("sock_send", {conn, 100, 1, 0, 120}) == kSuccess);
  CHECK(g.get32(120) == 5);
  CHECK(client_read(client) == "world");
  CHECK(g.call("sock_send", {conn, 100, 1, 1, 120}) == kInval);  // siflags has no bits
  CHECK(g.call("sock_send", {conn, 100, 1, 0, kEnd}) == kFault);

  // fd_write / fd_read are send / recv; positions do not exist.
  g.put32(100, 700), g.put32(104, 1);
  CHECK(g.call("fd_write", {conn, 100, 1, 120}) == kSuccess);
  CHECK(client_read(client) == "w");
  client_write(client, "xy");
  g.put32(100, 512), g.put32(104, 16);
  CHECK(g.call("fd_read", {conn, 100, 1, 120}) == kSuccess);
  CHECK(g.get32(120) == 2);
  CHECK(g.get(512, 2) == "xy");
  CHECK(g.call("fd_pread", {conn, 100, 1, 0, 120}) == kSpipe);
  CHECK(g.call("fd_seek", {conn, 0, 0, 120}) == kSpipe);

  CHECK(g.call("sock_shutdown", {conn, 0}) == kInval);
  CHECK(g.call("sock_shutdown", {conn, 4}) == kInval);
  CHECK(g.call("sock_shutdown", {1, 1}) == kNotsock);
  CHECK(g.call("sock_shutdown", {99, 1}) == kBadf);
  CHECK(g.call("sock_shutdown", {conn, 2}) == kSuccess);
  CHECK(client_read(client).empty());  // the guest's side ended
  client.close();
  CHECK(g.call("sock_recv", {conn, 100, 1, 0, 120, 124}) == kSuccess);
  CHECK(g.get32(120) == 0);  // the client's end
  CHECK(g.call("fd_close", {conn}) == kSuccess);
  CHECK(g.call("sock_send", {conn, 100, 1, 0, 120}) == kBadf);
  CHECK(g.call("fd_close", {conn}) == kBadf);
}

TEST_CASE("preview1 sockets: max_open_sockets bounds accepted connections; socket_timeout_ms a blocking recv") {
  auto listener = loopback_listener();
  const uint16_t port = net::port_of(*listener->local_address());
  Guest g(kSockFuncs, nullptr, [&](WasiCtx& ctx) {
    ctx.tcp_listeners.push_back(listener);
    ctx.limits.max_open_sockets = 1;
    ctx.limits.socket_timeout_ms = 50;
  });
  const uint32_t lfd = 3;  // no preopened dirs
  net::Socket a = connect_client(port), b = connect_client(port);
  REQUIRE(g.call("sock_accept", {lfd, 0, 60}) == kSuccess);
  const uint32_t first = g.get32(60);
  CHECK(g.call("sock_accept", {lfd, 0, 60}) == kMfile);  // the one socket slot is taken
  // The waiting connection was not taken: it is there once a slot frees.
  CHECK(g.call("fd_close", {first}) == kSuccess);
  REQUIRE(g.call("sock_accept", {lfd, 4, 60}) == kSuccess);  // fdflags nonblock for the new fd
  const uint32_t second = g.get32(60);
  CHECK(g.call("fd_fdstat_get", {second, 300}) == kSuccess);
  CHECK(g.get32(302) % 65536 == 4);
  CHECK(g.call("fd_fdstat_set_flags", {second, 0}) == kSuccess);
  // A blocking recv with nothing coming: timedout after at least 50 ms.
  g.put32(100, 512), g.put32(104, 8);
  const uint64_t t0 = disp::now_ns();
  CHECK(g.call("sock_recv", {second, 100, 1, 0, 120, 124}) == kTimedout);
  CHECK(disp::now_ns() - t0 >= 50'000'000);
  client_write(b, "late");
  CHECK(g.call("sock_recv", {second, 100, 1, 0, 120, 124}) == kSuccess);  // the clock restarts
  CHECK(g.get32(120) == 4);
}

TEST_CASE("preview1 sockets: a blocking sock_accept parks only its fiber until a client connects") {
  auto listener = loopback_listener();
  const uint16_t port = net::port_of(*listener->local_address());
  Guest g(kSockFuncs, nullptr, [&](WasiCtx& ctx) { ctx.tcp_listeners.push_back(listener); });
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  bool done = false, done_before_connect = true;
  uint32_t result = ~0u;
  std::optional<net::Socket> client;
  auto h = disp::spawn_guest_call(loop, g.store, g.inst->export_func("call_sock_accept"),
                                  {val_i32(3), val_i32(0), val_i32(60)}, {}, [&](Result<std::vector<Value>> r) {
                                    done = true;
                                    if (r.ok()) result = (*r)[0].i32;
                                  });
  REQUIRE(h.valid());
  loop.spawn([&] {
    done_before_connect = done;
    client = connect_client(port);
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK_FALSE(done_before_connect);
  CHECK(done);
  CHECK(result == kSuccess);
  CHECK(g.get32(60) == 4);
}

TEST_CASE("preview1: the CPU-time clocks count the instance's own CPU time, never going back") {
  const std::string spin =
      "(func (export \"spin\") (param $n i32) (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1)))"
      " (br_if $l (local.get $n))))\n";
  auto mod = testing::compile_wat_module(preview1_wat({"clock_time_get", "clock_res_get", "poll_oneoff"}, spin));
  WasiCtx ctx;
  Store store;
  auto p1 = Preview1::create(ctx);
  REQUIRE(p1.ok());
  auto imports = p1->link(store, *mod);
  REQUIRE(imports.ok());
  auto inst = instantiate(store, mod, *imports);
  REQUIRE(inst.ok());
  MemoryInst* mem = (*inst)->export_memory("memory");
  auto read64 = [&](uint32_t at) { uint64_t v; std::memcpy(&v, mem->data + at, 8); return v; };
  auto call = [&](const char* name, std::vector<Value> args) {
    auto r = disp::call_in_fiber(store, (*inst)->export_func(name), args);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r->empty() ? 0u : (*r)[0].i32;
  };
  std::vector<uint64_t> readings;  // process, thread, process, ... across calls and fibers
  // Reads clock `id` (2: process CPU time, 3: thread CPU time) into readings.
  auto read_clock = [&](uint32_t id) {
    CHECK(call("call_clock_time_get", {val_i32(id), val_i64(0), val_i32(16)}) == kSuccess);
    readings.push_back(read64(16));
  };
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  loop.spawn([&] {
    for (uint32_t id : {2u, 3u}) {
      CHECK(call("call_clock_res_get", {val_i32(id), val_i32(8)}) == kSuccess);
      CHECK(read64(8) > 0);
    }
    read_clock(2);
    call("spin", {val_i32(20'000'000)});
    read_clock(3);
  });
  CHECK(loop.run() == disp::RunResult::finished);
  // Another loop's fiber (later calls of the same instance) continues from
  // there: a 30 ms sleep in poll_oneoff, then a spin that adds CPU time.
  auto loop2_owner = wippy::testing::make_loop();
  disp::Loop& loop2 = *loop2_owner;
  loop2.spawn([&] {
    read_clock(2);
    std::memset(mem->data + 100, 0, 48);
    uint32_t one = 1;
    uint64_t sleep = 30'000'000;
    std::memcpy(mem->data + 116, &one, 4), std::memcpy(mem->data + 124, &sleep, 8);
    CHECK(call("call_poll_oneoff", {val_i32(100), val_i32(200), val_i32(1), val_i32(300)}) == kSuccess);
    read_clock(3);
    call("spin", {val_i32(20'000'000)});
    read_clock(2);
  });
  CHECK(loop2.run() == disp::RunResult::finished);
  REQUIRE(readings.size() == 5);
  for (size_t i = 1; i < readings.size(); ++i) CHECK(readings[i] >= readings[i - 1]);
  CHECK(readings[1] > readings[0]);  // the spin used CPU
  CHECK(readings[4] > readings[3]);
  // Outside a fiber (the thread's CPU clock), still not below the last reading.
  FuncInst* get = (*inst)->export_func("call_clock_time_get");
  std::vector<Value> args = {val_i32(3), val_i64(0), val_i32(16)};
  auto r = invoke(store, get, args);
  REQUIRE(r.ok());
  CHECK((*r)[0].i32 == kSuccess);
  CHECK(read64(16) >= readings.back());
  args[2] = val_i32(kEnd - 4);
  r = invoke(store, get, args);
  REQUIRE(r.ok());
  CHECK((*r)[0].i32 == kFault);
}

namespace {

// A loopback port that was free a moment ago (bound, read, closed).
uint16_t free_loopback_port() {
  auto probe = open_tcp_listener({}, net::make_socket_address(net::loopback(net::Family::ipv4), 0));
  REQUIRE(probe.ok());
  return net::port_of(*(*probe)->local_address());
}

// A registry with one function.wat reactor `serve` on the module `wat`,
// granted wasi1 and `wasi_block` (YAML lines under `wasi:`).
std::string listen_entry(const std::string& imports, const std::string& wasi_block, const std::string& wat) {
  return "namespace: p1\nentries:\n  - name: s\n    kind: function.wat\n    method: serve\n    imports: [" +
         imports + "]\n    wasi:\n" + wasi_block + "    source: '" + wat + "'\n";
}

// serve(): accepts one connection on fd 3, sends it "hi\n", closes it and
// returns 0 (1000 + errno when sock_accept fails).
constexpr const char* kServeWat =
    "(module (import \"wasi_snapshot_preview1\" \"sock_accept\" (func $accept (param i32 i32 i32) (result i32)))"
    " (import \"wasi_snapshot_preview1\" \"sock_send\" (func $send (param i32 i32 i32 i32 i32) (result i32)))"
    " (import \"wasi_snapshot_preview1\" \"fd_close\" (func $close (param i32) (result i32)))"
    " (memory (export \"memory\") 1) (data (i32.const 16) \"hi\\n\")"
    " (func (export \"serve\") (result i32) (local $e i32)"
    "  (local.set $e (call $accept (i32.const 3) (i32.const 0) (i32.const 8)))"
    "  (if (local.get $e) (then (return (i32.add (i32.const 1000) (local.get $e)))))"
    "  (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))"
    "  (drop (call $send (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 12)))"
    "  (drop (call $close (i32.load (i32.const 8)))) (i32.const 0)))";

// Connects to 127.0.0.1:port from a plain thread (blocking) and reads to
// the end of the stream.
std::string blocking_fetch(uint16_t port) {
  auto c = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
  if (!c) return "create failed";
  const auto at = net::make_socket_address(net::loopback(net::Family::ipv4), port);
  auto now = c->start_connect(at);
  if (!now) return "connect failed";
  std::string got;
  for (int spins = 0; spins < 100000; ++spins) {
    pollfd p{c->fd(), short(*now ? POLLIN : POLLOUT), 0};
    ::poll(&p, 1, 1000);
    if (!*now) {
      if (!c->finish_connect()) return "connect failed";
      now = true;
      continue;
    }
    uint8_t buf[64];
    auto n = c->read({buf, sizeof buf});
    if (!n) {
      if (n.error() == net::ErrorCode::would_block) continue;
      return got + " (read failed)";
    }
    if (*n == 0) return got;
    got.append(reinterpret_cast<const char*>(buf), *n);
  }
  return got + " (no end)";
}

}  // namespace

TEST_CASE("preview1 registry: wasi.tcp_listen preopens a listener every instance of the entry accepts on") {
  RegistryScratch s;
  RuntimeOptions opts;
  opts.inherit_stdio = false;
  const uint16_t port = free_loopback_port();
  const std::string listen = "      tcp_listen: [\"127.0.0.1:" + std::to_string(port) + "\"]\n";
  auto rt = Runtime::load(s.write("l.yaml", listen_entry("wasi1", listen, kServeWat)), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  // Two calls, two instances (a preview1 instance is made afresh after a
  // call): both accept on the one listener, opened at load.
  for (int call = 0; call < 2; ++call) {
    std::string got;
    std::thread client([&] { got = blocking_fetch(port); });
    auto out = (*rt)->call_json("p1:s", std::vector<std::string>{});
    client.join();
    REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
    CHECK(out->json == "0");
    CHECK(got == "hi\n");
  }

  // The address is taken now (the runtime above holds it): the second
  // load fails, naming the line.
  auto taken = Runtime::load(s.write("t.yaml", listen_entry("wasi1", listen, kServeWat)), opts);
  REQUIRE_FALSE(taken.ok());
  CHECK_MESSAGE(taken.error().message.find("t.yaml:8: entry p1:s: wasi tcp_listen: tcp listen on 127.0.0.1:" +
                                           std::to_string(port) + ": address-in-use") != std::string::npos,
                taken.error().message);

  // The network grant applies.
  auto denied = Runtime::load(
      s.write("d.yaml", listen_entry("wasi1", "      network: {allow_listen: false}\n      tcp_listen: [\"127.0.0.1:0\"]\n",
                                     kServeWat)),
      opts);
  REQUIRE_FALSE(denied.ok());
  CHECK_MESSAGE(denied.error().message.find("does not allow listening") != std::string::npos, denied.error().message);

  // Not an address; not a list.
  auto bad = Runtime::load(s.write("b.yaml", listen_entry("wasi1", "      tcp_listen: [nowhere]\n", kServeWat)), opts);
  REQUIRE_FALSE(bad.ok());
  CHECK_MESSAGE(bad.error().message.find("b.yaml:8: entry p1:s: wasi tcp_listen nowhere: expected HOST:PORT") !=
                    std::string::npos,
                bad.error().message);
  auto scalar = Runtime::load(s.write("c.yaml", listen_entry("wasi1", "      tcp_listen: 127.0.0.1:80\n", kServeWat)), opts);
  REQUIRE_FALSE(scalar.ok());
  CHECK_MESSAGE(scalar.error().message.find("wasi tcp_listen must be a list") != std::string::npos,
                scalar.error().message);

  // Only preview1 modules take listeners.
  auto plain = Runtime::load(
      s.write("p.yaml", listen_entry("wasi1", "      tcp_listen: [\"127.0.0.1:0\"]\n",
                                     "(module (func (export \"serve\") (result i32) (i32.const 0)))")),
      opts);
  REQUIRE_FALSE(plain.ok());
  CHECK_MESSAGE(plain.error().message.find("p.yaml:8) is for preview1 modules") != std::string::npos,
                plain.error().message);
}

TEST_CASE("preview1: fd_advise, fd_sync, fd_datasync and fd_allocate on files, directories, stdio and bad fds") {
  constexpr uint32_t kFbig = 22, kNospc = 51;
  Tree t;
  Guest g({"path_open", "fd_advise", "fd_sync", "fd_datasync", "fd_allocate", "fd_filestat_get"}, &t,
          [](WasiCtx& ctx) { ctx.limits.max_file_bytes = 64; });
  REQUIRE(g.open(3, "file", 0, kRead | kWrite) == kSuccess);
  const uint32_t fd = g.get32(60);
  for (uint32_t advice = 0; advice <= 5; ++advice) CHECK(g.call("fd_advise", {fd, 0, 10, advice}) == kSuccess);
  CHECK(g.call("fd_advise", {fd, 0, 10, 6}) == kInval);
  CHECK(g.call("fd_advise", {3, 0, 10, 0}) == kBadf);  // a directory
  CHECK(g.call("fd_advise", {1, 0, 10, 0}) == kBadf);  // stdout
  CHECK(g.call("fd_advise", {99, 0, 10, 0}) == kBadf);

  CHECK(g.call("fd_sync", {fd}) == kSuccess);
  CHECK(g.call("fd_datasync", {fd}) == kSuccess);
  CHECK(g.call("fd_sync", {3}) == kSuccess);  // a preopened directory
  CHECK(g.call("fd_sync", {1}) == kInval);    // stdio has nothing to sync
  CHECK(g.call("fd_datasync", {99}) == kBadf);

  // Grows only, up to limits.max_file_bytes; offset + len must not wrap.
  CHECK(g.call("fd_allocate", {fd, 0, 4}) == kSuccess);  // shorter than the file: nothing to do
  CHECK(g.call("fd_allocate", {fd, 10, 30}) == kSuccess);
  REQUIRE(g.call("fd_filestat_get", {fd, 400}) == kSuccess);
  CHECK(g.get64(432) == 40);  // filestat.size
  CHECK(g.call("fd_allocate", {fd, 60, 5}) == kNospc);
  CHECK(g.call("fd_allocate", {fd, ~uint64_t(0), 2}) == kFbig);
  CHECK(g.call("fd_allocate", {3, 0, 1}) == kBadf);
  REQUIRE(g.call("fd_filestat_get", {fd, 400}) == kSuccess);
  CHECK(g.get64(432) == 40);
  CHECK(std::filesystem::file_size(t.base + "/rw/file") == 40);
}

TEST_CASE("runtime workers: a second call in flight goes to the idle worker and its own pool") {
  RegistryScratch s;
  RuntimeOptions opts;
  opts.inherit_stdio = false;
  opts.workers = 2;
  const uint16_t port = free_loopback_port();
  const std::string listen = "      tcp_listen: [\"127.0.0.1:" + std::to_string(port) + "\"]\n";
  auto rt = Runtime::load(s.write("w.yaml", listen_entry("wasi1", listen, kServeWat)), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  // Each serve() call stays in flight, parked in sock_accept, until a
  // client connects, so the second call finds the first worker busy.
  std::optional<Result<CallOutput>> a, b;
  // Waits until the pools hold `n` instances. Not a timing check: the
  // bound (300,000 polls, minutes) only turns a routing bug, which would
  // leave the count short for ever, into a failure instead of a hang.
  auto wait_live = [&](uint32_t n) {
    for (int i = 0; i < 300000; ++i) {
      auto info = (*rt)->pool_info("p1:s");
      if (info.ok() && info->live == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
  std::thread first([&] { a.emplace((*rt)->call_json("p1:s", std::vector<std::string>{})); });
  CHECK(wait_live(1));
  // An inline pool serves one call at a time: while the first call waits,
  // only a second worker's own pool can make a second instance for the
  // second call (on the first worker it would wait for the first's).
  std::thread second([&] { b.emplace((*rt)->call_json("p1:s", std::vector<std::string>{})); });
  CHECK(wait_live(2));
  CHECK(blocking_fetch(port) == "hi\n");
  CHECK(blocking_fetch(port) == "hi\n");
  first.join();
  second.join();
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  REQUIRE_MESSAGE(a->ok(), (a->ok() ? "" : a->error().message));
  REQUIRE_MESSAGE(b->ok(), (b->ok() ? "" : b->error().message));
  CHECK((*a)->json == "0");
  CHECK((*b)->json == "0");
  auto info = (*rt)->pool_info("p1:s");
  REQUIRE(info.ok());
  CHECK(info->capacity == 2);
  CHECK(info->live == 2);
  CHECK(info->resets == 2);
}
