// wasi_preview1_poll.cpp — preview1 poll_oneoff on the dispatcher.
// Each subscription (48 bytes) becomes a disp::Pollable: a clock one a
// deadline (monotonic, relative or absolute; realtime absolute times are
// converted to the monotonic clock once), an fd_read / fd_write one the
// pollable of the fd's stream (stdio) or socket (readable: data, a
// connection to accept, the peer's end; not bounded by socket_timeout_ms:
// a clock subscription is the guest's own timeout), or ready at once
// (files, which never block). The call then waits with disp::wait_any, which parks only
// the calling fiber, and reports one event (32 bytes) per ready
// subscription. Subscriptions that fail (an unknown fd: badf; a directory:
// badf; an unknown clock or flags: inval) are reported as events with that
// error at once, without waiting. nsubscriptions 0 or above 65,536 is
// inval; buffers out of bounds are fault. fd_read on a file reports the bytes left after its
// position in nbytes, on a socket the bytes queued (FIONREAD).
#include <sys/ioctl.h>
#include <time.h>

#include "dispatcher/wait.h"
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

namespace {

constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
constexpr uint16_t kSubClockAbstime = 1;
constexpr uint32_t kSubSize = 48, kEventSize = 32;
// The most subscriptions one call takes (each costs a host object): more
// is inval.
constexpr uint32_t kMaxSubscriptions = 1u << 16;

struct Sub {
  uint64_t userdata = 0;
  uint8_t type = 0;
  Errno error = Errno::success;  // non-success: reported at once
  disp::Pollable pollable = disp::Pollable::always();
  uint64_t nbytes = 0;
  int socket = -1;  // an fd_read on a socket: nbytes is what it holds once ready
};

// The monotonic deadline of a clock subscription, or nullopt (inval).
std::optional<uint64_t> clock_deadline(uint32_t id, uint64_t timeout, uint16_t flags) {
  if (flags & ~kSubClockAbstime) return std::nullopt;
  const bool abs = flags & kSubClockAbstime;
  if (id == 1) return abs ? timeout : disp::deadline_after(timeout);
  if (id != 0) return std::nullopt;
  if (!abs) return disp::deadline_after(timeout);
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t now = uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
  return disp::deadline_after(timeout > now ? timeout - now : 0);
}

Sub subscribe(Call& c, uint64_t at) {
  Sub s;
  c.mem.load(at, s.userdata);
  c.mem.load(at + 8, s.type);
  if (s.type == kEventClock) {
    uint32_t id = 0;
    uint64_t timeout = 0;
    uint16_t flags = 0;
    c.mem.load(at + 16, id);
    c.mem.load(at + 24, timeout);
    c.mem.load(at + 40, flags);
    auto deadline = clock_deadline(id, timeout, flags);
    if (!deadline) s.error = Errno::inval;
    else s.pollable = disp::Pollable::at(*deadline);
    return s;
  }
  if (s.type != kEventFdRead && s.type != kEventFdWrite) {
    s.error = Errno::inval;
    return s;
  }
  uint32_t n = 0;
  c.mem.load(at + 16, n);
  Fd* fd = c.host.fds.get(n);
  if (!fd) {
    s.error = Errno::badf;
  } else if (auto* in = std::get_if<StdinFd>(&fd->obj)) {
    if (s.type == kEventFdRead) s.pollable = in->stream->subscribe();
    else s.error = Errno::badf;
  } else if (auto* out = std::get_if<StdoutFd>(&fd->obj)) {
    if (s.type == kEventFdWrite) s.pollable = out->stream->subscribe();
    else s.error = Errno::badf;
  } else if (auto* sock = socket_of(fd)) {
    const int host = sock->sock->fd();
    s.pollable = s.type == kEventFdRead ? disp::Pollable::readable(host, sock->sock) : disp::Pollable::writable(host, sock->sock);
    if (s.type == kEventFdRead) s.socket = host;
  } else if (auto* f = file_of(fd)) {
    if (s.type == kEventFdRead) {
      auto st = f->file->stat();
      if (st && st->size > f->pos) s.nbytes = st->size - f->pos;
    }
  } else {
    s.error = Errno::badf;
  }
  return s;
}

void put_event(const GuestMemory& mem, uint64_t at, const Sub& s) {
  uint8_t ev[kEventSize] = {};
  std::memcpy(ev, &s.userdata, 8);
  uint16_t err = uint16_t(s.error);
  std::memcpy(ev + 8, &err, 2);
  ev[10] = s.type;
  if (s.type != kEventClock) std::memcpy(ev + 16, &s.nbytes, 8);
  std::memcpy(mem.at(at, kEventSize), ev, kEventSize);
}

Result<Errno> poll_oneoff(Call& c) {
  const uint32_t in = c.u32(0), out = c.u32(1), count = c.u32(2), nevents = c.u32(3);
  if (count == 0 || count > kMaxSubscriptions) return Errno::inval;
  if (!c.mem.fits(in, uint64_t(count) * kSubSize) || !c.mem.fits(out, uint64_t(count) * kEventSize) ||
      !c.mem.fits(nevents, 4))
    return Errno::fault;
  std::vector<Sub> subs;
  subs.reserve(count);
  for (uint32_t i = 0; i < count; ++i) subs.push_back(subscribe(c, in + uint64_t(i) * kSubSize));

  uint32_t n = 0;
  for (const Sub& s : subs)
    if (s.error != Errno::success) put_event(c.mem, out + uint64_t(n++) * kEventSize, s);
  if (n == 0) {
    std::vector<disp::Pollable*> list;
    list.reserve(subs.size());
    for (Sub& s : subs) list.push_back(&s.pollable);
    auto ready = disp::wait_any(list);
    if (!ready) return ready.error();
    for (uint32_t i : *ready) {
      int queued = 0;
      if (subs[i].socket >= 0 && ::ioctl(subs[i].socket, FIONREAD, &queued) == 0 && queued > 0)
        subs[i].nbytes = uint64_t(queued);
      put_event(c.mem, out + uint64_t(n++) * kEventSize, subs[i]);
    }
  }
  c.mem.store<uint32_t>(nevents, n);
  return Errno::success;
}

constexpr FuncDef kFuncs[] = {
    {"poll_oneoff", "iiii", true, poll_oneoff},
};

}  // namespace

std::span<const FuncDef> poll_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
