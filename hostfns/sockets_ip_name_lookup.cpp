// sockets_ip_name_lookup.cpp — wasi:sockets/ip-name-lookup on net::Resolver
// (c-ares). resolve-addresses starts a lookup and returns a
// resolve-address-stream at once; resolve-next-address is would-block until
// the answer is in, then yields each address, then none. subscribe's
// pollable (a child of the stream) shares the lookup's event. Inside a
// dispatcher loop one Resolver per instance (WasiState::resolver) serves its
// lookups without blocking; outside one (wippy-run run), the lookup runs to
// completion on a private loop first.
// The servers are WasiCtx::resolver's (default: /etc/resolv.conf).
// WasiCtx::network.allow_lookup = false refuses with access-denied.
// limits.socket_timeout_ms bounds a lookup from resolve-addresses on: past
// it, resolve-next-address reports `timeout` once (the query is given up;
// its answer is discarded), and the stream's pollable is ready then.
#include "dispatcher/this_fiber.h"
#include "hostfns/bind_names.h"
#include "hostfns/host_util.h"
#include "hostfns/sockets.h"
#include "hostfns/sockets_wit.h"
#include "hostfns/wasi.h"
#include "net/resolver.h"

namespace wippy::hostfns {

using wasisock::ErrorCode;
using wasisock::WitIpAddress;
using NextAddress = WitResult<std::optional<WitIpAddress>, ErrorCode>;

namespace {

struct ResolveStream {
  std::shared_ptr<net::Lookup> lookup;
  size_t next = 0;      // the next address to hand out
  bool failed = false;  // the error was reported once; then none
  disp::WaitClock wait; // socket_timeout_ms, from resolve-addresses on
};

// Outside a loop: resolve to completion on a private loop.
std::shared_ptr<net::Lookup> resolve_now(const net::ResolverOptions& opts, std::string_view name, uint64_t wait_ns) {
  auto lookup = std::make_shared<net::Lookup>();
  auto made = disp::Loop::create();
  if (!made) {
    lookup->complete(ErrorCode::out_of_memory);
    return lookup;
  }
  disp::Loop& loop = **made;
  auto r = net::Resolver::create(loop, opts);
  if (!r) {
    lookup->complete(ErrorCode::permanent_resolver_failure);
    return lookup;
  }
  net::NetResult<std::vector<net::IpAddress>> out = ErrorCode::unknown;
  const uint64_t deadline = wait_ns != 0 ? disp::deadline_after(wait_ns) : disp::kNever;
  loop.spawn([&] { out = (*r)->resolve(name, deadline); });
  loop.run();
  r->reset();  // before the loop
  lookup->complete(std::move(out));
  return lookup;
}

net::NetResult<std::shared_ptr<net::Lookup>> start_lookup(WasiState& st, const net::ResolverOptions& opts,
                                                         std::string_view name, uint64_t wait_ns) {
  disp::Loop* loop = disp::Loop::current();
  if (loop == nullptr) {
    if (!net::parse_ip(name) && !net::valid_host_name(name)) return ErrorCode::invalid_argument;
    return resolve_now(opts, name, wait_ns);
  }
  if (!st.resolver || !st.resolver->on_loop(*loop)) {
    auto r = net::Resolver::create(*loop, opts);
    if (!r) return ErrorCode::permanent_resolver_failure;
    st.resolver = std::move(*r);  // the old one goes as resolver.h says
  }
  return st.resolver->start(name);
}

}  // namespace

void add_sockets_ip_name_lookup(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/ip-name-lookup"));
  auto streams = inst.context_resource<ResolveStream, WasiCtx>("resolve-address-stream");

  inst.func("resolve-addresses",
            [streams](WasiCtx& ctx, Borrow<> /*network*/, std::string_view name)
                -> Result<WitResult<Own<ResolveStream>, ErrorCode>> {
              using Out = WitResult<Own<ResolveStream>, ErrorCode>;
              if (!ctx.network.allow_lookup) return Out(wit_err(ErrorCode::access_denied));
              const uint64_t wait_ns = socket_wait_ns(ctx.limits);
              auto l = start_lookup(ctx.state, ctx.resolver, name, wait_ns);
              if (!l) return Out(wit_err(l.error()));
              auto s = std::make_shared<ResolveStream>();
              s->lookup = std::move(*l);
              s->wait.set_timeout(wait_ns);
              s->wait.arm();
              auto h = in(ctx, streams).add(std::move(s));
              if (!h) return h.error();
              return Out(wit_ok(*h));
            });

  inst.func("[method]resolve-address-stream.resolve-next-address",
            [streams](WasiCtx& ctx, Borrow<ResolveStream> self) -> Result<NextAddress> {
              auto s = in(ctx, streams).get(self);
              if (!s) return s.error();
              ResolveStream& rs = **s;
              if (rs.failed) return NextAddress(wit_ok(std::optional<WitIpAddress>()));
              if (!rs.lookup->done()) {
                if (!rs.wait.expired()) return NextAddress(wit_err(ErrorCode::would_block));
                rs.failed = true;  // no answer within socket_timeout_ms: the lookup is given up
                return NextAddress(wit_err(ErrorCode::timeout));
              }
              const auto& r = rs.lookup->result();
              if (!r && !rs.failed) {  // the error once, then the end of the stream
                rs.failed = true;
                return NextAddress(wit_err(r.error()));
              }
              if (!r || rs.next >= r->size()) return NextAddress(wit_ok(std::optional<WitIpAddress>()));
              return NextAddress(wit_ok(std::optional<WitIpAddress>(wasisock::to_wit((*r)[rs.next++]))));
            });

  inst.func("[method]resolve-address-stream.subscribe",
            [streams](WasiCtx& ctx, Borrow<ResolveStream> self) -> Result<Val> {
    auto s = in(ctx, streams).get(self);
    if (!s) return s.error();
    // A copy shares the lookup's event: notified when the answer comes,
    // or ready when the stream's clock runs out.
    disp::Pollable p = (*s)->lookup->pollable();
    return new_pollable(ctx.state, std::move(p).until((*s)->wait), self.rep());
  });
}

}  // namespace wippy::hostfns
