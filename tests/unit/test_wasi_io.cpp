// Unit tests for the open I/O model below hostfns/: the ResourceTable
// (parent/child links, max_handles, type checks), event pollables shared by
// copies, the one readiness routine over mixed lists, fd streams with
// check-write backpressure and honoured permits, and descriptors kept open
// while a pollable on them lives.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "component/resource_table.h"
#include "dispatcher/dispatcher.h"
#include "dispatcher/fd_stream.h"
#include "dispatcher/wait.h"
#include "hostfns/fd_budget.h"
#include "test_loop.h"

using namespace wippy;
using component::ResourceTable;

namespace {

struct Counted {
  explicit Counted(int* live) : live(live) { ++*live; }
  ~Counted() { --*live; }
  int* live;
};
struct Other {};

// A non-blocking pipe, closed on destruction.
struct NbPipe {
  int rd = -1, wr = -1;
  NbPipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
    rd = fds[0];
    wr = fds[1];
  }
  ~NbPipe() {
    if (rd >= 0) ::close(rd);
    if (wr >= 0) ::close(wr);
  }
  std::string drain() const {
    std::string s;
    char buf[65536];
    for (ssize_t n; (n = ::read(rd, buf, sizeof buf)) > 0;) s.append(buf, size_t(n));
    return s;
  }
};

bool fd_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("resource table: children keep a dropped parent alive; take refuses while they live") {
  ResourceTable t;
  int live = 0;
  auto parent = t.insert<Counted>(std::make_shared<Counted>(&live));
  REQUIRE(parent.ok());
  auto child1 = t.insert<Counted>(std::make_shared<Counted>(&live), *parent);
  auto child2 = t.insert<Counted>(std::make_shared<Counted>(&live), *parent);
  REQUIRE(child1.ok());
  REQUIRE(child2.ok());
  CHECK(*child1 != *child2);
  CHECK(t.children(*parent) == 2);
  CHECK(live == 3);

  auto taken = t.take<Counted>(*parent);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().kind == ErrorKind::Trap);
  CHECK(taken.error().message.find("resource has children") != std::string::npos);

  t.drop(*parent);  // the guest's handle goes, the object stays for its children
  CHECK(t.get<Counted>(*parent) == nullptr);
  CHECK(live == 3);
  CHECK(t.size() == 3);
  t.drop(*child1);
  CHECK(live == 2);
  t.drop(*child2);  // the last child: the parent goes too
  CHECK(live == 0);
  CHECK(t.size() == 0);

  // Children of an unknown or dropped parent are refused.
  CHECK_FALSE(t.insert<Counted>(std::make_shared<Counted>(&live), 12345).ok());
  CHECK(live == 0);
}

TEST_CASE("resource table: types are checked and reps are unique across types") {
  ResourceTable t;
  int live = 0;
  auto a = t.insert<Counted>(std::make_shared<Counted>(&live));
  auto b = t.insert<Other>(std::make_shared<Other>());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  CHECK(t.get<Counted>(*a) != nullptr);
  CHECK(t.get<Other>(*a) == nullptr);
  CHECK(t.get<Counted>(*b) == nullptr);
  CHECK(t.count(component::resource_tag<Counted>()) == 1);
  CHECK_FALSE(t.take<Other>(*a).ok());
  auto back = t.take<Counted>(*a);
  REQUIRE(back.ok());
  CHECK(live == 1);  // the caller holds it now
  back->reset();
  CHECK(live == 0);
  t.drop(999);  // unknown reps are ignored
}

TEST_CASE("resource table: max_handles bounds every type together") {
  ResourceTable t(100);
  std::vector<uint32_t> reps;
  for (int i = 0; i < 100; ++i) {
    auto r = i % 2 ? t.insert<Other>(std::make_shared<Other>()) : t.insert<int>(std::make_shared<int>(i));
    REQUIRE(r.ok());
    reps.push_back(*r);
  }
  auto over = t.insert<Other>(std::make_shared<Other>());
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().kind == ErrorKind::Trap);
  CHECK(over.error().message.find("limits.max_handles = 100") != std::string::npos);
  t.drop(reps[0]);
  CHECK(t.insert<Other>(std::make_shared<Other>()).ok());  // dropping frees a place
  // A million attempts past the limit allocate nothing that stays.
  int refused = 0;
  for (int i = 0; i < 1000000; ++i) refused += t.insert<Other>(std::make_shared<Other>()).ok() ? 0 : 1;
  CHECK(refused == 1000000);
  CHECK(t.size() == 100);
}

TEST_CASE("event pollables: every copy sees notify and wakes its fiber") {
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  auto ev = std::make_shared<disp::Event>();
  disp::Pollable a = disp::Pollable::on(ev);
  disp::Pollable b = a;  // a copy shares the event
  CHECK_FALSE(a.ready());
  CHECK_FALSE(b.ready());
  int woke = 0;
  for (int i = 0; i < 3; ++i) {
    loop.spawn([&, i] {
      disp::Pollable mine = i == 0 ? a : b;
      disp::Pollable later = disp::Pollable::after(60'000'000'000ull);
      disp::Pollable* list[] = {&later, &mine};
      auto r = disp::wait_any(list);
      REQUIRE(r.ok());
      CHECK(*r == std::vector<uint32_t>{1});
      ++woke;
    });
  }
  loop.spawn([&] {
    CHECK(disp::this_fiber::sleep_for(5'000'000) == disp::Errc::ok);
    CHECK(woke == 0);
    ev->notify();
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(woke == 3);
  CHECK(a.ready());
  b.reset();
  CHECK_FALSE(a.ready());
  CHECK_FALSE(ev->has_waiters());
}

TEST_CASE("ready_now: one routine for deadlines, descriptors and events in one list") {
  NbPipe p;
  disp::Pollable past = disp::Pollable::at(1);
  disp::Pollable future = disp::Pollable::after(60'000'000'000ull);
  disp::Pollable readable = disp::Pollable::readable(p.rd);
  disp::Pollable writable = disp::Pollable::writable(p.wr);
  disp::Pollable ev = disp::Pollable::manual();
  disp::Pollable always = disp::Pollable::always();
  const disp::Pollable* list[] = {&past, &future, &readable, &writable, &ev, &always};
  std::vector<uint32_t> r;
  disp::ready_now(list, r);
  CHECK(r == std::vector<uint32_t>{0, 3, 5});
  REQUIRE(::write(p.wr, "x", 1) == 1);
  ev.notify();
  r.clear();
  disp::ready_now(list, r);
  CHECK(r == std::vector<uint32_t>{0, 2, 3, 4, 5});
  CHECK(readable.ready());
  CHECK_FALSE(future.ready());
}

TEST_CASE("fd output stream: check-write is 0 when the pipe is full, and a granted permit is honoured") {
  NbPipe p;
  disp::FdOutputStream out(p.wr);
  auto as_bytes = [](const std::string& s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  // Someone else already put 1000 bytes in the pipe: it holds less than a permit.
  std::string sent(1000, '#');
  REQUIRE(::write(p.wr, sent.data(), sent.size()) == 1000);
  auto cw = out.check_write();
  REQUIRE(cw.ok());
  REQUIRE(cw->ok());
  REQUIRE(cw->count == disp::OutputStream::kWriteBudget);
  std::string chunk(size_t(cw->count), '\0');
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = char('a' + i % 26);
  auto w = out.write(as_bytes(chunk));
  REQUIRE(w.ok());
  CHECK(w->ok());  // the whole permit is accepted although the pipe took only part
  CHECK(w->count == chunk.size());
  sent += chunk;
  CHECK(out.kept() > 0);
  cw = out.check_write();
  REQUIRE(cw.ok());
  CHECK(cw->ok());
  CHECK(cw->count == 0);  // backpressure: the pipe is full
  CHECK_FALSE(out.subscribe().ready());
  // Past the permit: refused, and what is kept does not grow.
  size_t kept = out.kept();
  auto over = out.write(as_bytes(chunk));
  REQUIRE(over.ok());
  CHECK(over->status == disp::StreamStatus::failed);
  CHECK(out.kept() == kept);

  // A reader drains; flushing then completes and every byte arrives in order.
  std::string got = p.drain();
  CHECK(out.subscribe().ready());
  auto bf = out.blocking_flush();
  REQUIRE(bf.ok());
  CHECK(bf->ok());
  CHECK(out.kept() == 0);
  got += p.drain();
  CHECK(got.size() == sent.size());
  CHECK((got == sent));
  cw = out.check_write();
  REQUIRE(cw.ok());
  CHECK(cw->count == disp::OutputStream::kWriteBudget);
}

TEST_CASE("fd output stream: write_all moves more than the pipe holds while a fiber reads") {
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  NbPipe p;
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 31 + (i >> 11));
  std::string got;
  loop.spawn([&] {
    disp::FdOutputStream out(p.wr);
    auto r = out.write_all(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
    REQUIRE(r.ok());
    CHECK(r->ok());
    CHECK(r->count == data.size());
    ::close(p.wr);
    p.wr = -1;
  });
  loop.spawn([&] {
    disp::FdInputStream in(p.rd);
    std::vector<uint8_t> buf;
    for (;;) {
      auto r = in.blocking_read(40000, buf);
      REQUIRE(r.ok());
      if (r->status == disp::StreamStatus::closed) break;
      REQUIRE(r->ok());
      got.append(buf.begin(), buf.end());
    }
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK((got == data));
}

TEST_CASE("fd output stream: a vanished reader is `closed`, and stays so") {
  std::signal(SIGPIPE, SIG_IGN);  // as wippy-run does: EPIPE instead of a signal
  NbPipe p;
  ::close(p.rd);
  p.rd = -1;
  disp::FdOutputStream out(p.wr);
  const uint8_t b[] = {1, 2, 3};
  auto w = out.write(b);
  REQUIRE(w.ok());
  CHECK(w->status == disp::StreamStatus::closed);
  auto cw = out.check_write();
  REQUIRE(cw.ok());
  CHECK(cw->status == disp::StreamStatus::closed);
  CHECK(out.subscribe().ready());  // ready, so a waiter sees the end
}

TEST_CASE("fd output stream over a socket: a vanished peer is `closed` without SIGPIPE") {
  std::signal(SIGPIPE, SIG_DFL);  // a plain write(2) would kill the process now
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  ::close(sv[1]);
  {
    disp::FdOutputStream out(sv[0], nullptr, true);
    const uint8_t b[] = {1, 2, 3};
    auto w = out.write(b);
    REQUIRE(w.ok());
    CHECK(w->status == disp::StreamStatus::closed);
  }
  ::close(sv[0]);
  std::signal(SIGPIPE, SIG_IGN);
}

TEST_CASE("fd streams: a pollable keeps the descriptor's owner alive, so its number is not reused") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  struct Owner {  // like a socket: closes its descriptors when it goes
    Owner(int r, int w) : rd(r), wr(w) {}
    Owner(const Owner&) = delete;
    ~Owner() {
      ::close(rd);
      ::close(wr);
    }
    int rd, wr;
  };
  auto owner = std::make_shared<Owner>(fds[0], fds[1]);
  auto stream = std::make_unique<disp::FdInputStream>(fds[0], owner);
  disp::Pollable p = stream->subscribe();
  owner.reset();
  stream.reset();  // the socket and its stream are dropped ...
  CHECK(fd_open(fds[0]));  // ... but the pollable still holds the descriptor
  CHECK_FALSE(p.ready());
  p = disp::Pollable::always();  // the last holder goes
  CHECK_FALSE(fd_open(fds[0]));
  CHECK_FALSE(fd_open(fds[1]));
}

TEST_CASE("fd budget: slots count until destroyed, and may outlive the budget") {
  std::shared_ptr<const void> survivor;
  {
    hostfns::FdBudget b(2);
    auto s1 = b.acquire();
    auto s2 = b.acquire();
    REQUIRE(s1);
    REQUIRE(s2);
    CHECK_FALSE(b.acquire());
    CHECK(b.used() == 2);
    s1.reset();
    CHECK(b.used() == 1);
    survivor = b.acquire();
    CHECK(survivor);
  }
  survivor.reset();  // no use after free (ASan would tell)
  hostfns::FdBudget unlimited(0);
  std::vector<std::shared_ptr<const void>> many;
  for (int i = 0; i < 5000; ++i) many.push_back(unlimited.acquire());
  CHECK(many.back());
}
