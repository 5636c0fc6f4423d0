// wasi_preview1_host.h — what the wasi_snapshot_preview1 host files share
// (internal to hostfns/wasi_preview1_*.cpp; wasi_preview1.h is the public
// face). Values follow the preview1 witx (WebAssembly/WASI
// legacy/preview1): errno, filetype, fdflags, oflags, rights, and the
// guest-memory layouts of fdstat, filestat, prestat, dirent, iovec,
// subscription and event.
// GuestMemory is a bounds-checked view of the caller's memory 0: every
// access checks ptr+len against the size first, so a hostile pointer gets
// Errno::fault, never a host access outside the memory.
// FdTable maps preview1 fds to what they stand for: stdio streams (0-2),
// preopened and opened directories (fs::Dir, confined by fs/), files
// (fs::File with the fd's own position) and TCP sockets (net::Socket:
// preopened listeners and the connections accepted on them); the objects are the 0.2 host's
// (fs/, dispatcher streams), so the sandbox and I/O model are the same.
// A host function is a plain function pointer taking a Call (the host
// state, the memory, the arguments) and returning the errno; a Result error
// is a trap (proc_exit's too, see exit_error).
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "dispatcher/loop.h"
#include "dispatcher/stream.h"
#include "dispatcher/wait_clock.h"
#include "fs/dir.h"
#include "fs/file.h"
#include "fs/fs_error.h"
#include "hostfns/wasi_ctx.h"
#include "interp/store.h"
#include "net/socket.h"

namespace wippy::hostfns::p1 {

// errno (witx `errno`, u16).
enum class Errno : uint16_t {
  success = 0, toobig = 1, acces = 2, addrinuse = 3, addrnotavail = 4, afnosupport = 5, again = 6,
  already = 7, badf = 8, badmsg = 9, busy = 10, canceled = 11, child = 12, connaborted = 13,
  connrefused = 14, connreset = 15, deadlk = 16, destaddrreq = 17, dom = 18, dquot = 19, exist = 20,
  fault = 21, fbig = 22, hostunreach = 23, idrm = 24, ilseq = 25, inprogress = 26, intr = 27,
  inval = 28, io = 29, isconn = 30, isdir = 31, loop = 32, mfile = 33, mlink = 34, msgsize = 35,
  multihop = 36, nametoolong = 37, netdown = 38, netreset = 39, netunreach = 40, nfile = 41,
  nobufs = 42, nodev = 43, noent = 44, noexec = 45, nolck = 46, nolink = 47, nomem = 48,
  nomsg = 49, noprotoopt = 50, nospc = 51, nosys = 52, notconn = 53, notdir = 54, notempty = 55,
  notrecoverable = 56, notsock = 57, notsup = 58, notty = 59, nxio = 60, overflow = 61,
  ownerdead = 62, perm = 63, pipe = 64, proto = 65, protonosupport = 66, prototype = 67,
  range = 68, rofs = 69, spipe = 70, srch = 71, stale = 72, timedout = 73, txtbsy = 74, xdev = 75,
  notcapable = 76,
};

// The errno of an fs/ error (the names match one to one).
Errno errno_of(fs::FsErrc e);

// filetype (u8).
enum class FileType : uint8_t {
  unknown = 0, block_device = 1, character_device = 2, directory = 3, regular_file = 4,
  socket_dgram = 5, socket_stream = 6, symbolic_link = 7,
};
FileType filetype_of(fs::FileType t);
// A filestat (64 bytes: dev, ino, filetype, nlink, size, atim, mtim, ctim;
// times in ns, 0 before 1970) at `out`.
void put_filestat(uint8_t* out, const fs::FileStat& st);

// fdflags (u16), oflags (u16), lookupflags (u32), fstflags (u16).
inline constexpr uint16_t kFdAppend = 1, kFdDsync = 2, kFdNonblock = 4, kFdRsync = 8, kFdSync = 16;
inline constexpr uint16_t kOCreat = 1, kODirectory = 2, kOExcl = 4, kOTrunc = 8;
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint16_t kFstAtim = 1, kFstAtimNow = 2, kFstMtim = 4, kFstMtimNow = 8;

// rights (u64): bit n as in the witx.
namespace rights {
inline constexpr uint64_t fd_datasync = 1ull << 0, fd_read = 1ull << 1, fd_seek = 1ull << 2,
    fd_fdstat_set_flags = 1ull << 3, fd_sync = 1ull << 4, fd_tell = 1ull << 5, fd_write = 1ull << 6,
    fd_advise = 1ull << 7, fd_allocate = 1ull << 8, path_create_directory = 1ull << 9,
    path_create_file = 1ull << 10, path_link_source = 1ull << 11, path_link_target = 1ull << 12,
    path_open = 1ull << 13, fd_readdir = 1ull << 14, path_readlink = 1ull << 15,
    path_rename_source = 1ull << 16, path_rename_target = 1ull << 17, path_filestat_get = 1ull << 18,
    path_filestat_set_size = 1ull << 19, path_filestat_set_times = 1ull << 20,
    fd_filestat_get = 1ull << 21, fd_filestat_set_size = 1ull << 22, fd_filestat_set_times = 1ull << 23,
    path_symlink = 1ull << 24, path_remove_directory = 1ull << 25, path_unlink_file = 1ull << 26,
    poll_fd_readwrite = 1ull << 27, sock_shutdown = 1ull << 28, sock_accept = 1ull << 29;
// What an open regular file / a directory / a stdio stream reports.
inline constexpr uint64_t file = fd_datasync | fd_read | fd_seek | fd_fdstat_set_flags | fd_sync | fd_tell |
                                 fd_write | fd_advise | fd_allocate | fd_filestat_get | fd_filestat_set_size |
                                 fd_filestat_set_times | poll_fd_readwrite;
inline constexpr uint64_t dir = fd_fdstat_set_flags | fd_sync | fd_datasync | path_create_directory |
                                path_create_file | path_link_source | path_link_target | path_open | fd_readdir |
                                path_readlink | path_rename_source | path_rename_target | path_filestat_get |
                                path_filestat_set_size | path_filestat_set_times | fd_filestat_get |
                                fd_filestat_set_times | path_symlink | path_remove_directory |
                                path_unlink_file;
inline constexpr uint64_t stdio = fd_read | fd_write | fd_fdstat_set_flags | fd_filestat_get | poll_fd_readwrite;
// A listening socket (accept) / a connected one (read, write, shutdown).
inline constexpr uint64_t listener = fd_fdstat_set_flags | fd_filestat_get | poll_fd_readwrite | sock_accept;
inline constexpr uint64_t connection = fd_read | fd_write | fd_fdstat_set_flags | fd_filestat_get |
                                       poll_fd_readwrite | sock_shutdown;
}  // namespace rights

// A bounds-checked view of the calling instance's memory 0.
class GuestMemory {
 public:
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}
  bool fits(uint64_t ptr, uint64_t len) const { return ptr <= size_ && len <= size_ - ptr; }
  // ptr..ptr+len inside the memory, or nullptr.
  uint8_t* at(uint64_t ptr, uint64_t len) const { return fits(ptr, len) && base_ ? base_ + ptr : nullptr; }
  template <class T>
  bool load(uint64_t ptr, T& out) const {
    const uint8_t* p = at(ptr, sizeof(T));
    if (!p) return false;
    std::memcpy(&out, p, sizeof(T));
    return true;
  }
  template <class T>
  bool store(uint64_t ptr, T v) const {
    uint8_t* p = at(ptr, sizeof(T));
    if (!p) return false;
    std::memcpy(p, &v, sizeof(T));
    return true;
  }
  // The guest string ptr..ptr+len, or nullopt when out of bounds.
  std::optional<std::string> string(uint64_t ptr, uint64_t len) const {
    const uint8_t* p = at(ptr, len);
    if (!p) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(p), size_t(len));
  }

 private:
  uint8_t* base_;
  uint64_t size_;
};

// One guest buffer of an iovec / ciovec list (already bounds-checked).
struct IoBuf {
  uint8_t* data;
  uint32_t len;
};
// The `count` iovecs at `iovs` (8 bytes each: buf u32, len u32); nullopt
// (fault) when the list or any buffer is out of bounds, or when there are
// more than kMaxIovecs (a bound on what the host materializes per call).
inline constexpr uint32_t kMaxIovecs = 1u << 16;
std::optional<std::vector<IoBuf>> load_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count);

// What a preview1 fd stands for.
struct StdinFd {
  std::shared_ptr<disp::InputStream> stream;
};
struct StdoutFd {
  std::shared_ptr<disp::OutputStream> stream;
};
struct DirFd {
  std::shared_ptr<const fs::Dir> dir;
  std::optional<std::string> preopen;  // guest path of a preopen
  std::shared_ptr<const void> fd_slot;  // limits.max_open_files
};
struct FileFd {
  std::shared_ptr<const fs::File> file;
  uint64_t pos = 0;
  std::shared_ptr<const void> fd_slot;
};

// A TCP socket: a preopened listener (WasiCtx::tcp_listeners, shared with
// the ctx) or a connection sock_accept made (holding socket slots, see
// acquire_socket_slots). `wait` bounds each blocking wait by
// limits.socket_timeout_ms.
struct SocketFd {
  std::shared_ptr<net::Socket> sock;
  bool listening = false;
  std::shared_ptr<const void> slots;
  disp::WaitClock wait;
};

struct Fd {
  std::variant<StdinFd, StdoutFd, DirFd, FileFd, SocketFd> obj;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  uint16_t fdflags = 0;
};

// The preview1 fd table: 0-2 stdio, the preopens from 3 on, then what the
// guest opens (the lowest free number, as POSIX).
class FdTable {
 public:
  Fd* get(uint32_t fd);
  // nullopt when the table is full (WasiLimits::max_handles entries).
  std::optional<uint32_t> insert(Fd fd);
  void put(uint32_t at, Fd fd) { fds_[at] = std::move(fd); }
  bool erase(uint32_t fd) { return fds_.erase(fd) != 0; }
  size_t max = 65536;

 private:
  std::map<uint32_t, Fd> fds_;
};

// The instance's CPU-time clock (clock_time_get process/thread ids): the
// CPU time of its calls' fibers, joined so that it never goes back (a new
// call's fiber, or a reading below the last one, continues from the last
// value read).
struct CpuClock {
  bool seen = false;
  disp::FiberHandle fiber;  // whose reading `offset` applies to
  int64_t offset = 0;
  uint64_t last = 0;
  uint64_t last_raw = 0;    // the reading behind `last`
};

// One preview1 instance's host state.
struct Host {
  WasiCtx* ctx = nullptr;
  FdTable fds;
  CpuClock cpu;
};

// One host call: the state, the caller's memory and the arguments.
struct Call {
  Host& host;
  GuestMemory mem;
  std::span<const Value> args;
  uint32_t u32(size_t i) const { return args[i].i32; }
  uint64_t u64(size_t i) const { return args[i].i64; }
  WasiCtx& ctx() const { return *host.ctx; }
};

using HostFn = Result<Errno> (*)(Call& c);

// One function of the module: its name, parameter types ('i' i32, 'I'
// i64), whether it returns the errno (all but proc_exit), the code.
struct FuncDef {
  const char* name;
  const char* params;
  bool returns_errno;
  HostFn fn;
};

// The functions, one table per family (wasi_preview1_<family>.cpp).
std::span<const FuncDef> args_env_clock_funcs();  // args, environ, clocks, random, proc, sched
std::span<const FuncDef> fd_funcs();
std::span<const FuncDef> path_funcs();
std::span<const FuncDef> poll_funcs();            // poll_oneoff
std::span<const FuncDef> sock_funcs();

// Shared by the families: the file / dir behind an fd (nullptr for
// anything else, or no fd).
FileFd* file_of(Fd* fd);
DirFd* dir_of(Fd* fd);
SocketFd* socket_of(Fd* fd);
// fd_read / fd_write on a connected socket: sock_recv / sock_send without
// flags (wasi_preview1_sock.cpp); `n` is the byte count moved.
Result<Errno> socket_read(Fd& fd, const std::vector<IoBuf>& bufs, uint64_t& n);
Result<Errno> socket_write(Fd& fd, const std::vector<IoBuf>& bufs, uint64_t& n);
// utimensat(2) times from preview1 timestamps and fstflags (UTIME_OMIT /
// UTIME_NOW); nullopt (inval) for unknown flags or a time given both ways.
std::optional<std::pair<timespec, timespec>> times_of(uint64_t atim, uint64_t mtim, uint32_t flags);

}  // namespace wippy::hostfns::p1
