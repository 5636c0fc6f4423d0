// Unit tests for WasiHost (hostfns/wasi.h): the WASI interfaces defined once
// and shared by instances, each reaching its own WasiCtx through its Store.
// Two instances of one host keep their own stdio, exit code, arguments,
// environment and handle table; a handle of one instance is unknown to
// another; a store without a WasiCtx traps instead of touching anything;
// instances link against the one shared linker (its host instance is
// referenced by each, not rebuilt); and a wrong-signature import is still
// refused at link time naming the import. wasi:sockets is defined once
// too: each instance keeps its own grant, socket limit and sockets.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "component/host_context.h"
#include "component/load.h"
#include "component/text/component_wat.h"
#include "dispatcher/dispatcher.h"
#include "error_message.h"
#include "fixtures.h"
#include "hostfns/wasi.h"
#include "test_loop.h"

using namespace wippy;
using wippy::testing::error_message;
using namespace wippy::hostfns;
using component::Val;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::shared_ptr<const component::Component> load_probe() {
  auto bytes = wippy::testing::load_fixture("wasi_probe.component.wasm");
  REQUIRE(!bytes.empty());
  auto comp = component::load_component(bytes);
  REQUIRE_MESSAGE(comp.ok(), (comp.ok() ? "" : comp.error().message));
  return *comp;
}

std::shared_ptr<const component::Component> from_wat(const std::string& wat) {
  auto bin = component::component_wat_to_binary(wat);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto comp = component::load_component(*bin);
  REQUIRE_MESSAGE(comp.ok(), (comp.ok() ? "" : comp.error().message));
  return *comp;
}

// Function `fn` of interface `iface` as the host's shared linker offers it.
component::ComponentFuncRef host_func(const WasiHost& host, const std::string& iface, const std::string& fn) {
  auto item = host.linker()->resolve(iface);
  REQUIRE_MESSAGE(item.ok(), (item.ok() ? "" : item.error().message));
  REQUIRE(item->instance);
  auto it = item->instance->exports.find(fn);
  REQUIRE(it != item->instance->exports.end());
  REQUIRE(it->second.func);
  return it->second.func;
}

// Readies `ctx` on `host` and makes it the host context of `store`, as
// WasiHost::instantiate does before it instantiates.
void ready(const WasiHost& host, WasiCtx& ctx, Store& store) {
  component::Linker per_instance;
  REQUIRE(host.prepare(ctx, per_instance).ok());
  component::bind_host_context(store, ctx);
}

}  // namespace

TEST_CASE("wasi host: instances of one WasiHost keep their own stdio, exit code, args and env") {
  auto comp = load_probe();
  const WasiHost host(WasiPackages::for_imports(*comp));
  struct Guest {
    WasiCtx ctx;
    Store store;
    int code = -1;
    std::string error;
  };
  Guest first, second, exiter, cat, sleeper;
  first.ctx.args = {"probe-one", "args", "alpha"};  // prints its arguments, then its environment
  first.ctx.env = {{"WHO", "first"}};
  second.ctx.args = {"probe-two", "args", "beta", "gamma"};
  second.ctx.env = {{"WHO", "second"}, {"EXTRA", "1"}};
  exiter.ctx.args = {"probe", "exit", "3"};  // exit(err): status 1
  cat.ctx.args = {"probe", "cat"};           // stdin to stdout, upper-cased
  cat.ctx.in.buffer = "cat stdin\n";
  sleeper.ctx.args = {"probe", "sleep", "20"};

  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  for (Guest* g : {&sleeper, &first, &second, &exiter, &cat}) {
    REQUIRE(loop.spawn([g, &comp, &host] {
      auto r = run_wasi_command(g->store, comp, g->ctx, host);
      if (r) g->code = *r;
      else g->error = r.error().message;
    }).valid());
  }
  loop.run();

  for (Guest* g : {&sleeper, &first, &second, &exiter, &cat}) CHECK_MESSAGE(g->error.empty(), g->error);
  CHECK(first.code == 0);
  CHECK(first.ctx.out.buffer == "probe-one\nargs\nalpha\nWHO=first\n");
  CHECK(second.code == 0);
  CHECK(second.ctx.out.buffer == "probe-two\nargs\nbeta\ngamma\nWHO=second\nEXTRA=1\n");
  CHECK_FALSE(first.ctx.exit_code.has_value());
  CHECK(exiter.code == 1);
  CHECK(exiter.ctx.exit_code == 1);
  CHECK(exiter.ctx.out.buffer.empty());
  CHECK(cat.code == 0);
  CHECK(cat.ctx.out.buffer == "CAT STDIN\n");
  CHECK(cat.ctx.state.stdin_pos == cat.ctx.in.buffer.size());
  CHECK(sleeper.code == 0);
  CHECK_FALSE(sleeper.ctx.out.buffer.empty());
  CHECK(first.ctx.state.stdin_pos == 0);  // only cat read stdin
}

TEST_CASE("wasi host: a handle lives in the calling instance's table only") {
  const WasiHost host;  // every package
  WasiCtx a, b;
  Store sa, sb;
  ready(host, a, sa);
  ready(host, b, sb);
  auto get_stdout = host_func(host, "wasi:cli/stdout@0.2.0", "get-stdout");
  auto write = host_func(host, "wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush");

  auto a1 = get_stdout->call(sa, {});
  auto a2 = get_stdout->call(sa, {});
  auto b1 = get_stdout->call(sb, {});
  REQUIRE(a1.ok());
  REQUIRE(a2.ok());
  REQUIRE(b1.ok());
  CHECK(a.state.table->size() == 2);
  CHECK(b.state.table->size() == 1);
  const uint32_t a2_rep = a2->front().rep();
  CHECK(a2_rep != b1->front().rep());

  // Writing through A's second handle reaches A's stdout.
  std::vector<Val> args{Val::borrow(a.state.types.output_stream, a2_rep), Val::bytes({'h', 'i'})};
  auto wrote = write->call(sa, args);
  REQUIRE_MESSAGE(wrote.ok(), (wrote.ok() ? "" : wrote.error().message));
  CHECK(a.out.buffer == "hi");
  CHECK(b.out.buffer.empty());

  // The same rep on B's store is not a handle of B's.
  auto foreign = write->call(sb, args);
  CHECK(has(error_message(foreign, ErrorKind::Trap), "unknown handle"));
  CHECK(b.out.buffer.empty());

  // A drop through the shared resource type empties the dropping store's table.
  const component::ResourceRef& os = a.state.types.output_stream;
  REQUIRE(os);
  CHECK(os == b.state.types.output_stream);  // one resource type for every instance
  REQUIRE(os->host_dtor);
  os->host_dtor(sa, a2_rep);
  CHECK(a.state.table->size() == 1);
  CHECK(b.state.table->size() == 1);

  // A store with no WasiCtx: the call traps, nothing is touched.
  Store bare;
  auto none = get_stdout->call(bare, {});
  CHECK(has(error_message(none, ErrorKind::Trap), "no host context"));
  os->host_dtor(bare, 1);  // does nothing
  CHECK(a.state.table->size() == 1);
  CHECK(b.state.table->size() == 1);
}

TEST_CASE("wasi host: instances link against the one shared linker") {
  auto comp = load_probe();
  const WasiHost host(WasiPackages::for_imports(*comp));
  // The linker defines each resource type once: every instance uses (and
  // references) those very types, where a linker built per instance would
  // make new ones.
  const component::ResourceRef& shared = host.types().output_stream;
  REQUIRE(shared);
  const long before = shared.use_count();
  constexpr int kInstances = 3;
  struct Live {
    WasiCtx ctx;
    Store store;
    std::unique_ptr<component::ComponentInstance> inst;
  };
  std::vector<std::unique_ptr<Live>> live;
  auto make_instances = [&] {
    for (int i = 0; i < kInstances; ++i) {
      auto l = std::make_unique<Live>();
      auto inst = host.instantiate(l->store, l->ctx, comp);
      REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
      l->inst = std::move(*inst);
      CHECK(l->store.host_data == &l->ctx);
      CHECK(l->ctx.state.types.output_stream == shared);
      CHECK(l->ctx.state.types.pollable == host.types().pollable);
      live.push_back(std::move(l));
    }
  };
  make_instances();
  CHECK(shared.use_count() >= before + kInstances);
  live.clear();
  // The linker remembers the imports it bound (linker.h, "Bindings"): those
  // references stay, and instances made later add none that outlive them.
  const long remembered = shared.use_count();
  CHECK(remembered >= before);
  make_instances();
  CHECK(shared.use_count() > remembered);
  live.clear();
  CHECK(shared.use_count() == remembered);

  // add_wasi_to_linker builds a linker for one instance: new types each time.
  WasiCtx one, two;
  component::Linker l1, l2;
  REQUIRE(add_wasi_to_linker(l1, one).ok());
  REQUIRE(add_wasi_to_linker(l2, two).ok());
  CHECK(one.state.types.output_stream != two.state.types.output_stream);
  CHECK(one.state.types.output_stream != shared);
}

TEST_CASE("wasi host: a wrong-signature import is refused at link time naming it; the host stays usable") {
  const WasiHost host;
  auto bad = from_wat(R"((component
      (import "wasi:cli/exit@0.2.0" (instance (export "exit-with-code" (func (param "status-code" u32)))))))");
  WasiCtx ctx;
  Store store;
  auto r = host.instantiate(store, ctx, bad);
  CHECK(has(error_message(r, ErrorKind::Unlinkable), "wasi:cli/exit@0.2.0"));
  CHECK(has(r.error().message, "exit-with-code"));
  CHECK(has(r.error().message, "the host has u8, the component declares u32"));

  auto good = from_wat(R"((component
      (import "wasi:cli/exit@0.2.0" (instance (export "exit-with-code" (func (param "status-code" u8)))))))");
  WasiCtx ctx2;
  Store store2;
  auto ok = host.instantiate(store2, ctx2, good);
  CHECK_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));

  // A missing interface still names the import.
  auto missing = from_wat(R"((component
      (import "wasi:nope/thing@0.2.0" (instance (export "f" (func))))))");
  WasiCtx ctx3;
  Store store3;
  auto m = host.instantiate(store3, ctx3, missing);
  CHECK(has(error_message(m, ErrorKind::Unlinkable), "wasi:nope/thing@0.2.0"));
}

TEST_CASE("wasi host: a preopen that cannot be opened fails the instance naming it") {
  auto comp = load_probe();
  const WasiHost host(WasiPackages::for_imports(*comp));
  WasiCtx ctx;
  ctx.preopens.push_back({"/nonexistent-wippy-host-dir", "/data", false});
  Store store;
  auto r = host.instantiate(store, ctx, comp);
  CHECK(has(error_message(r, ErrorKind::Io), "/nonexistent-wippy-host-dir"));
}

TEST_CASE("wasi host: sockets are defined once; each instance keeps its own grant, limits and sockets") {
  const WasiHost host;  // every package, sockets included
  WasiCtx a, b;
  b.network.allow_lookup = false;
  b.limits.max_open_sockets = 1;
  Store sa, sb;
  ready(host, a, sa);
  ready(host, b, sb);
  auto create = host_func(host, "wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket");
  auto network = host_func(host, "wasi:sockets/instance-network@0.2.0", "instance-network");
  auto lookup = host_func(host, "wasi:sockets/ip-name-lookup@0.2.0", "resolve-addresses");
  auto family = host_func(host, "wasi:sockets/tcp@0.2.0", "[method]tcp-socket.address-family");
  constexpr uint32_t kIpv4 = 0, kAccessDenied = 1, kNewSocketLimit = 10;
  const std::vector<Val> ipv4{Val::enumeration(kIpv4)};

  // B may hold one socket; A (no limit) two, in its own table.
  auto b1 = create->call(sb, ipv4);
  auto b2 = create->call(sb, ipv4);
  auto a1 = create->call(sa, ipv4);
  auto a2 = create->call(sa, ipv4);
  for (auto* r : {&b1, &b2, &a1, &a2}) REQUIRE_MESSAGE(r->ok(), (r->ok() ? "" : r->error().message));
  CHECK(b1->front().is_ok());
  REQUIRE_FALSE(b2->front().is_ok());
  CHECK(b2->front().payload()->case_index() == kNewSocketLimit);
  REQUIRE(a1->front().is_ok());
  CHECK(a2->front().is_ok());
  CHECK(a.state.table->size() == 2);
  CHECK(b.state.table->size() == 1);

  // A's second socket is A's: B's store (one handle) does not know its rep.
  const Val& a_sock = *a2->front().payload();
  CHECK(a_sock.rep() != b1->front().payload()->rep());
  std::vector<Val> self{Val::borrow(a_sock.resource, a_sock.rep())};
  auto fam = family->call(sa, self);
  REQUIRE_MESSAGE(fam.ok(), (fam.ok() ? "" : fam.error().message));
  CHECK(fam->front().case_index() == kIpv4);
  auto foreign = family->call(sb, self);
  REQUIRE_FALSE(foreign.ok());
  CHECK(has(foreign.error().message, "unknown handle"));

  // Each instance's grant decides its lookups.
  auto na = network->call(sa, {});
  auto nb = network->call(sb, {});
  REQUIRE(na.ok());
  REQUIRE(nb.ok());
  auto look = [&](Store& s, const Val& net) {
    const std::vector<Val> args{Val::borrow(net.resource, net.rep()), Val::string("127.0.0.1")};
    return lookup->call(s, args);
  };
  auto la = look(sa, na->front());
  auto lb = look(sb, nb->front());
  REQUIRE_MESSAGE(la.ok(), (la.ok() ? "" : la.error().message));
  REQUIRE_MESSAGE(lb.ok(), (lb.ok() ? "" : lb.error().message));
  CHECK(la->front().is_ok());
  REQUIRE_FALSE(lb->front().is_ok());
  CHECK(lb->front().payload()->case_index() == kAccessDenied);
}

// A `canon lower`'s core shape follows from the lowered function's type
// alone, and a `resource.new`/`rep`/`drop`'s from its kind, so each is made
// once per component (ComponentMemo::lowered_for) and every later instance
// uses the very same one.
TEST_CASE("wasi host: a component's lowered signatures are flattened once for all its instances") {
  auto comp = load_probe();
  const WasiHost host(WasiPackages::for_imports(*comp));
  using Kind = component::Canon::Kind;
  auto makes_core = [](Kind k) {
    return k == Kind::Lower || k == Kind::ResourceNew || k == Kind::ResourceRep || k == Kind::ResourceDrop;
  };
  size_t lowers = 0, resource_fns = 0;
  for (const auto& c : comp->canons) {
    lowers += c.kind == Kind::Lower;
    resource_fns += makes_core(c.kind) && c.kind != Kind::Lower;
  }
  REQUIRE(lowers > 0);
  REQUIRE(resource_fns > 0);
  std::vector<const component::LoweredShape*> first;
  for (int round = 0; round < 2; ++round) {
    WasiCtx ctx;
    Store store;
    auto inst = host.instantiate(store, ctx, comp);
    REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
    std::vector<const component::LoweredShape*> now;
    for (size_t i = 0; i < comp->memo->lowered.size(); ++i) {
      const auto& s = comp->memo->lowered[i];
      const Kind kind = comp->canons[i].kind;
      CHECK((s != nullptr) == makes_core(kind));
      if (!s) continue;
      if (kind == Kind::Lower) {
        // Spilled parameters lift from one pointer; spilled results add one.
        CHECK(s->core->params.size() == s->nflat_params + (s->results_spill ? 1 : 0));
      } else {
        // A handle in; a handle or representation out, except for drop.
        CHECK(s->core->params == std::vector<ValType>{ValType::I32});
        CHECK(s->core->results.size() == (kind == Kind::ResourceDrop ? 0u : 1u));
      }
      now.push_back(s.get());
    }
    // Functions of one core type share one FuncType object.
    for (size_t a = 0; a < now.size(); ++a)
      for (size_t b = a + 1; b < now.size(); ++b)
        if (*now[a]->core == *now[b]->core) CHECK(now[a]->core == now[b]->core);
    CHECK(now.size() == lowers + resource_fns);
    if (round == 0) first = now;
    else CHECK(now == first);
  }
}
