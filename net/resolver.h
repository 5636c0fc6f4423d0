// resolver.h — asynchronous DNS (c-ares) on a dispatcher Loop.
// Contract:
//  * A Resolver belongs to one Loop's thread (it holds FdWatches and a
//    LoopTimer). Destroyed idle (no query in flight: no socket watched, no
//    timer armed) it touches no loop, so it may go on any thread, after
//    its loop too. Destroyed busy on another thread than its loop's, or
//    after its loop, it is left allocated (a leak, never a touch of a loop
//    that is gone or another thread's). c-ares' sockets are watched
//    with FdWatch and its timeouts with a LoopTimer, so no thread and no
//    blocking call is involved: answers are processed in the loop context.
//  * Names resolve as the system would: /etc/hosts first, then the servers
//    of /etc/resolv.conf (c-ares defaults), unless ResolverOptions::servers
//    names others ("127.0.0.1:5353,[::1]:53").
//  * start(name) checks the name (an IP literal, optionally bracketed, or a
//    host name of ASCII letters, digits, '-' and '_' labels, at most 253
//    bytes: else invalid-argument) and returns a Lookup at once. An IP
//    literal is answered without a query. A Lookup completes exactly once;
//    its manual pollable() is notified then, and on_done callbacks run (in
//    the loop context). A Lookup may be dropped early: the query finishes
//    in the background and its answer is discarded.
//  * Results are the distinct addresses (IPv4 and IPv6) in c-ares' order.
//    Errors: name-unresolvable (no such name / no addresses),
//    temporary-resolver-failure (timeout, server failure or unreachable),
//    permanent-resolver-failure (anything else, or the Resolver destroyed
//    first), out-of-memory.
//  * resolve() is the blocking form for a fiber, with an optional deadline
//    (past it: timeout).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "dispatcher/clock.h"
#include "dispatcher/fd_watch.h"
#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"
#include "net/address.h"
#include "net/net_error.h"

namespace wippy::net {

struct ResolverOptions {
  std::string servers;  // "ip:port,..."; empty: /etc/resolv.conf
  int timeout_ms = 0;   // per try; 0: c-ares default
  int tries = 0;        // 0: c-ares default
};

class Lookup {
 public:
  Lookup() : pollable_(disp::Pollable::manual()) {}
  bool done() const { return done_; }
  disp::Pollable& pollable() { return pollable_; }
  // Only meaningful once done().
  const NetResult<std::vector<IpAddress>>& result() const { return result_; }
  // Runs cb when the lookup completes (at once if it already has).
  void on_done(std::function<void()> cb);
  void complete(NetResult<std::vector<IpAddress>> r);

 private:
  bool done_ = false;
  disp::Pollable pollable_;
  NetResult<std::vector<IpAddress>> result_{ErrorCode::unknown};
  std::vector<std::function<void()>> callbacks_;
};

// True for a syntactically valid host name (not an IP literal).
bool valid_host_name(std::string_view name);

class Resolver {
 public:
  // Error (Io / Invalid) when c-ares cannot start or a server is malformed.
  static Result<std::unique_ptr<Resolver>> create(disp::Loop& loop, const ResolverOptions& opts = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  NetResult<std::shared_ptr<Lookup>> start(std::string_view name);
  // True while a query is in flight (a socket watched or a timer armed).
  bool busy() const;
  // True when this resolver was made on `loop` (compared by Loop::token,
  // so a later loop at the same address is not taken for it).
  bool on_loop(const disp::Loop& loop) const;
  NetResult<std::vector<IpAddress>> resolve(std::string_view name, uint64_t deadline = disp::kNever);

 private:
  struct Impl;
  explicit Resolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy::net
