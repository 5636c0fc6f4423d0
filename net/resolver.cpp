// resolver.cpp — c-ares driven by the dispatcher: its socket-state callback
// maintains one FdWatch per c-ares socket, a LoopTimer follows
// ares_timeout(), and ares_getaddrinfo answers complete Lookups.
#include "net/resolver.h"

#include <ares.h>
#include <netdb.h>

#include <algorithm>
#include <cstring>

#include "base/same_owner.h"
#include "dispatcher/this_fiber.h"
#include "interp/quote.h"

namespace wippy::net {

void Lookup::on_done(std::function<void()> cb) {
  if (done_) {
    cb();
    return;
  }
  callbacks_.push_back(std::move(cb));
}

void Lookup::complete(NetResult<std::vector<IpAddress>> r) {
  if (done_) return;
  done_ = true;
  result_ = std::move(r);
  pollable_.notify();
  auto cbs = std::move(callbacks_);
  callbacks_.clear();
  for (auto& cb : cbs) cb();
}

bool valid_host_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
    ++label;
  }
  return true;
}

namespace {

ErrorCode error_from_ares(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME: return ErrorCode::name_unresolvable;
    case ARES_ETIMEOUT:
    case ARES_ECONNREFUSED:
    case ARES_ESERVFAIL: return ErrorCode::temporary_resolver_failure;
    case ARES_ENOMEM: return ErrorCode::out_of_memory;
    case ARES_EBADNAME: return ErrorCode::invalid_argument;
    default: return ErrorCode::permanent_resolver_failure;
  }
}

std::vector<IpAddress> addresses_of(const ares_addrinfo* info) {
  std::vector<IpAddress> out;
  for (const ares_addrinfo_node* n = info != nullptr ? info->nodes : nullptr; n != nullptr; n = n->ai_next) {
    auto sa = from_sockaddr(n->ai_addr, static_cast<socklen_t>(n->ai_addrlen));
    if (!sa) continue;
    const IpAddress ip = ip_of(*sa);
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  return out;
}

// c-ares wants "ip:port" with IPv6 bracketed; check each entry ourselves
// so that a bad option is a clear error.
bool valid_servers(std::string_view csv) {
  while (!csv.empty()) {
    const size_t comma = csv.find(',');
    const std::string_view one = csv.substr(0, comma);
    if (!parse_socket_address(one) && !parse_ip(one)) return false;
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

struct Resolver::Impl {
  explicit Impl(disp::Loop& l) : loop(l), loop_token(l.token()), timer(l, [this] { on_timer(); }) {}

  disp::Loop& loop;
  std::weak_ptr<const void> loop_token;  // expires with the loop
  ares_channel channel = nullptr;
  bool library_ready = false;
  disp::LoopTimer timer;
  std::unordered_map<int, std::unique_ptr<disp::FdWatch>> watches;

  static void sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Impl*>(data);
    if (!readable && !writable) {
      self->watches.erase(fd);
      return;
    }
    auto& w = self->watches[fd];
    if (!w) {
      w = std::make_unique<disp::FdWatch>(self->loop, fd, [self](int f, bool r, bool wr) {
        Impl* impl = self;  // the FdWatch (and this closure) may be destroyed below
        ares_process_fd(impl->channel, r ? f : ARES_SOCKET_BAD, wr ? f : ARES_SOCKET_BAD);
        impl->rearm();
      });
    }
    (void)w->set_interest(readable != 0, writable != 0);
  }

  void on_timer() {
    ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    rearm();
  }

  void rearm() {
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
      timer.disarm();
      return;
    }
    const uint64_t ns = static_cast<uint64_t>(tv.tv_sec) * 1000000000u + static_cast<uint64_t>(tv.tv_usec) * 1000u;
    timer.arm(disp::deadline_after(ns));
  }

  static void answered(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
    std::unique_ptr<std::shared_ptr<Lookup>> holder(static_cast<std::shared_ptr<Lookup>*>(arg));
    if (status != ARES_SUCCESS) {
      if (info != nullptr) ares_freeaddrinfo(info);
      (*holder)->complete(error_from_ares(status));
      return;
    }
    std::vector<IpAddress> addrs = addresses_of(info);
    ares_freeaddrinfo(info);
    if (addrs.empty()) {
      (*holder)->complete(ErrorCode::name_unresolvable);
      return;
    }
    (*holder)->complete(std::move(addrs));
  }
};

Resolver::Resolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

bool Resolver::on_loop(const disp::Loop& loop) const {
  return same_owner(impl_->loop_token, loop.token());
}

bool Resolver::busy() const { return !impl_->watches.empty() || impl_->timer.armed(); }

Resolver::~Resolver() {
  if (busy() && (impl_->loop_token.expired() || !impl_->loop.on_own_thread())) {
    (void)impl_.release();  // see the header: never touch that loop
    return;
  }
  if (impl_->channel != nullptr) ares_destroy(impl_->channel);  // pending lookups complete with an error
  impl_->watches.clear();
  impl_->timer.disarm();
  if (impl_->library_ready) ares_library_cleanup();
}

Result<std::unique_ptr<Resolver>> Resolver::create(disp::Loop& loop, const ResolverOptions& opts) {
  if (!opts.servers.empty() && !valid_servers(opts.servers))
    return make_error(ErrorKind::Invalid, "resolver servers must be a comma-separated list of IP or IP:PORT, got '" +
                                              quote_input(opts.servers) + "'");
  auto impl = std::make_unique<Impl>(loop);
  int rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) return make_error(ErrorKind::Io, std::string("c-ares init failed: ") + ares_strerror(rc));
  impl->library_ready = true;
  std::unique_ptr<Resolver> r(new Resolver(std::move(impl)));
  Impl& im = *r->impl_;
  ares_options o{};
  int mask = ARES_OPT_SOCK_STATE_CB;
  o.sock_state_cb = &Impl::sock_state;
  o.sock_state_cb_data = &im;
  if (opts.timeout_ms > 0) {
    o.timeout = opts.timeout_ms;
    mask |= ARES_OPT_TIMEOUTMS;
  }
  if (opts.tries > 0) {
    o.tries = opts.tries;
    mask |= ARES_OPT_TRIES;
  }
  rc = ares_init_options(&im.channel, &o, mask);
  if (rc != ARES_SUCCESS) {
    im.channel = nullptr;
    return make_error(ErrorKind::Io, std::string("c-ares channel init failed: ") + ares_strerror(rc));
  }
  if (!opts.servers.empty()) {
    rc = ares_set_servers_ports_csv(im.channel, opts.servers.c_str());
    if (rc != ARES_SUCCESS)
      return make_error(ErrorKind::Invalid, "resolver servers '" + quote_input(opts.servers) +
                                                "' refused by c-ares: " + ares_strerror(rc));
  }
  return r;
}

NetResult<std::shared_ptr<Lookup>> Resolver::start(std::string_view name) {
  auto lookup = std::make_shared<Lookup>();
  if (auto ip = parse_ip(name)) {
    lookup->complete(std::vector<IpAddress>{*ip});
    return lookup;
  }
  if (!valid_host_name(name)) return ErrorCode::invalid_argument;
  const std::string host(name);
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one node per address
  auto* holder = new std::shared_ptr<Lookup>(lookup);
  ares_getaddrinfo(impl_->channel, host.c_str(), nullptr, &hints, &Impl::answered, holder);
  impl_->rearm();
  return lookup;
}

NetResult<std::vector<IpAddress>> Resolver::resolve(std::string_view name, uint64_t deadline) {
  auto started = start(name);
  if (!started) return started.error();
  Lookup& l = **started;
  disp::Pollable timeout = disp::Pollable::at(deadline);
  while (!l.done()) {
    disp::Pollable* list[2] = {&l.pollable(), &timeout};
    const size_t n = deadline == disp::kNever ? 1 : 2;
    disp::PollResult pr = disp::this_fiber::poll(std::span<disp::Pollable* const>(list, n));
    if (pr.err != disp::Errc::ok) return error_from_wait(pr.err);
    if (!l.done() && timeout.ready()) return ErrorCode::timeout;
  }
  return l.result();
}

}  // namespace wippy::net
