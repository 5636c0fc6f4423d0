// Unit tests for linking the WASI 0.2 host (hostfns/wasi.h) on the typed
// API: a component declaring a WASI function with another signature than
// the host's (wasi:cli/exit, wasi:cli/stdout, wasi:io/streams,
// wasi:io/poll) is refused at instantiation with an Unlinkable error naming
// the import, the function and the difference; and instances of one loaded
// component, alive at the same time on one dispatcher loop, keep their own
// host state (stdout capture, stdin position, exit code).
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "error_message.h"
#include "fixtures.h"
#include "component/decode.h"
#include "component/load.h"
#include "component/text/component_wat.h"
#include "dispatcher/dispatcher.h"
#include "hostfns/wasi.h"
#include "test_loop.h"

using namespace wippy;
using wippy::testing::error_message;
using namespace wippy::hostfns;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The component of text `wat`, decoded.
std::shared_ptr<const component::Component> component_of(const std::string& wat) {
  auto bin = component::component_wat_to_binary(wat);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto c = component::decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return std::make_shared<const component::Component>(std::move(*c));
}

// The message of the error instantiating a component that imports the
// instance `iface` with the body `decls`, against a full WASI linker; ""
// when it links.
std::string link_error(const std::string& iface, const std::string& decls) {
  auto comp = component_of("(component (import \"" + iface + "\" (instance " + decls + ")))");
  WasiCtx ctx;
  component::Linker linker;
  REQUIRE(add_wasi_to_linker(linker, ctx).ok());
  Store store;
  auto r = linker.instantiate(store, comp);
  if (r.ok()) return "";
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  return r.error().message;
}

}  // namespace

TEST_CASE("wasi link: a wrong signature for a WASI function is refused naming the import") {
  // exit-with-code takes a u8.
  std::string e = link_error("wasi:cli/exit@0.2.0", R"((export "exit-with-code" (func (param "status-code" u32))))");
  CHECK(has(e, "wasi:cli/exit@0.2.0"));
  CHECK(has(e, "exit-with-code"));
  CHECK(has(e, "parameter 0 `status-code`: the host has u8, the component declares u32"));
  // exit takes result (no payloads).
  e = link_error("wasi:cli/exit@0.2.0", R"((export "exit" (func (param "status" (result u32)))))");
  CHECK(has(e, "`exit`"));
  CHECK(has(e, "the component declares u32"));
  // get-stdout returns an own<output-stream>, not a number.
  e = link_error("wasi:cli/stdout@0.2.0", R"((export "get-stdout" (func (result u32))))");
  CHECK(has(e, "wasi:cli/stdout@0.2.0"));
  CHECK(has(e, "get-stdout"));
  CHECK(has(e, "own<resource>"));
  // get-stdout returning a resource of the component's own making.
  e = link_error("wasi:cli/stdout@0.2.0",
                 R"((export "mine" (type $m (sub resource))) (export "get-stdout" (func (result (own $m)))))");
  CHECK(has(e, "wasi:cli/stdout@0.2.0"));
  // output-stream.write takes list<u8>.
  e = link_error("wasi:io/streams@0.2.0", R"((export "output-stream" (type $os (sub resource)))
      (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "contents" (list u16)))))");
  CHECK(has(e, "wasi:io/streams@0.2.0"));
  CHECK(has(e, "[method]output-stream.write"));
  CHECK(has(e, "parameter 1 `contents`"));
  // A read whose error is not stream-error.
  e = link_error("wasi:io/streams@0.2.0", R"((export "input-stream" (type $is (sub resource)))
      (export "[method]input-stream.read"
        (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error string))))))");
  CHECK(has(e, "[method]input-stream.read"));
  // poll takes list<borrow<pollable>> and returns list<u32>.
  e = link_error("wasi:io/poll@0.2.0", R"((export "pollable" (type $p (sub resource)))
      (export "poll" (func (param "in" (list (borrow $p))) (result (list u64)))))");
  CHECK(has(e, "wasi:io/poll@0.2.0"));
  CHECK(has(e, "`poll`"));
  CHECK(has(e, "result"));
  // The right declarations link.
  CHECK(link_error("wasi:cli/exit@0.2.0", R"((export "exit-with-code" (func (param "status-code" u8))))") == "");
  CHECK(link_error("wasi:io/poll@0.2.0", R"((export "pollable" (type $p (sub resource)))
      (export "poll" (func (param "in" (list (borrow $p))) (result (list u32)))))") == "");
}

TEST_CASE("wasi link: instances of one loaded component keep their own host state") {
  auto bytes = wippy::testing::load_fixture("wasi_probe.component.wasm");
  REQUIRE(!bytes.empty());
  auto comp = component::load_component(bytes);
  REQUIRE_MESSAGE(comp.ok(), (comp.ok() ? "" : comp.error().message));

  struct Guest {
    WasiCtx ctx;
    Store store;
    int code = -1;
    std::string error;
  };
  Guest sleeper, exiter, cat, second_cat;
  sleeper.ctx.args = {"wasi_probe", "sleep", "30"};  // prints the elapsed ns, returns 0
  exiter.ctx.args = {"wasi_probe", "exit", "3"};     // exit(err): status 1
  cat.ctx.args = {"wasi_probe", "cat"};              // stdin to stdout, upper-cased
  cat.ctx.in.buffer = "first stdin\n";
  second_cat.ctx.args = {"wasi_probe", "cat"};
  second_cat.ctx.in.buffer = "second stdin, longer\n";

  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  for (Guest* g : {&sleeper, &exiter, &cat, &second_cat}) {
    loop.spawn([g, &comp] {
      auto r = run_wasi_command(g->store, *comp, g->ctx);
      if (r) g->code = *r;
      else g->error = r.error().message;
    });
  }
  loop.run();

  for (Guest* g : {&sleeper, &exiter, &cat, &second_cat}) CHECK_MESSAGE(g->error.empty(), g->error);
  CHECK(sleeper.code == 0);
  CHECK_FALSE(sleeper.ctx.exit_code.has_value());
  std::istringstream lines(sleeper.ctx.out.buffer);
  std::string line;
  REQUIRE(std::getline(lines, line));
  CHECK(std::stoull(line) >= 30'000'000u);
  CHECK_FALSE(std::getline(lines, line));  // nothing of the others' output

  CHECK(exiter.code == 1);
  CHECK(exiter.ctx.exit_code == 1);
  CHECK(exiter.ctx.out.buffer.empty());

  CHECK(cat.code == 0);
  CHECK_FALSE(cat.ctx.exit_code.has_value());
  CHECK(cat.ctx.out.buffer == "FIRST STDIN\n");
  CHECK(cat.ctx.state.stdin_pos == cat.ctx.in.buffer.size());
  CHECK(second_cat.code == 0);
  CHECK(second_cat.ctx.out.buffer == "SECOND STDIN, LONGER\n");
  CHECK(second_cat.ctx.state.stdin_pos == second_cat.ctx.in.buffer.size());
}

TEST_CASE("wasi link: a linker offering only the imported packages links what the full one links") {
  auto comp = component_of(
      R"((component
           (import "wasi:cli/exit@0.2.0" (instance (export "exit" (func (param "status" (result))))))
           (import "wasi:random/random@0.2.3" (instance (export "get-random-u64" (func (result u64)))))))");
  const WasiPackages p = WasiPackages::for_imports(*comp);
  CHECK(p.cli);
  CHECK(p.random);
  CHECK_FALSE(p.clocks);
  CHECK_FALSE(p.sockets);
  CHECK_FALSE(p.http);
  CHECK_FALSE(p.filesystem);
  {
    WasiCtx ctx;
    component::Linker linker;
    REQUIRE(add_wasi_to_linker(linker, ctx, p).ok());
    Store store;
    auto r = linker.instantiate(store, comp);
    CHECK_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  }
  // A package left out is not offered: importing it is a link error.
  WasiPackages no_random = p;
  no_random.random = false;
  WasiCtx ctx;
  component::Linker linker;
  REQUIRE(add_wasi_to_linker(linker, ctx, no_random).ok());
  Store store;
  auto r = linker.instantiate(store, comp);
  CHECK(has(error_message(r, ErrorKind::Unlinkable), "wasi:random/random"));
  // With preopens configured, filesystem is set up either way, so a bad
  // preopen is still reported.
  WasiCtx bad;
  bad.preopens.push_back({"/nonexistent-wippy-dir", "/data", false});
  component::Linker linker2;
  CHECK_FALSE(add_wasi_to_linker(linker2, bad, p).ok());
}

TEST_CASE("wasi link: for_imports narrows the linker to the functions the component imports") {
  // Imports at 0.2.0 and 0.2.3 against the host's 0.2.12: the filter's keys
  // leave versions out, as import matching does.
  auto comp = component_of(
      R"((component
           (import "wasi:cli/exit@0.2.0" (instance (export "exit" (func (param "status" (result))))))
           (import "wasi:random/random@0.2.3" (instance (export "get-random-u64" (func (result u64)))))))");
  const WasiPackages p = WasiPackages::for_imports(*comp);
  REQUIRE(p.funcs);
  CHECK(*p.funcs == component::FuncFilter{"wasi:cli/exit#exit", "wasi:random/random#get-random-u64"});

  // The WasiHost built from it defines just those two of its interfaces'
  // functions, and the component links against it.
  const WasiHost host(p);
  auto random = host.linker()->resolve("wasi:random/random@0.2.12");
  REQUIRE(random.ok());
  REQUIRE(random->instance);
  CHECK(random->instance->exports.count("get-random-u64") == 1);
  CHECK(random->instance->exports.count("get-random-bytes") == 0);
  WasiCtx ctx;
  Store store;
  auto inst = host.instantiate(store, ctx, comp);
  CHECK_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));

  // A component importing a function the filter left out does not link
  // against that host: a WasiHost made for one component holds only what
  // that component imports.
  auto more = component_of(
      R"((component
           (import "wasi:random/random@0.2.3" (instance (export "get-random-bytes" (func (param "len" u64) (result (list u8))))))))");
  WasiCtx ctx2;
  Store store2;
  auto other = host.instantiate(store2, ctx2, more);
  CHECK(has(error_message(other, ErrorKind::Unlinkable), "get-random-bytes"));

  // A linker without a filter defines every function.
  component::Linker all;
  all.instance("wasi:random/random@0.2.12").func("get-random-bytes", {});
  component::Linker some;
  some.only_funcs(std::make_shared<const component::FuncFilter>(component::FuncFilter{"wasi:random/random#x"}));
  CHECK(all.instance("wasi:random/random@0.2.12").wants("get-random-bytes"));
  CHECK_FALSE(some.instance("wasi:random/random@0.2.12").wants("get-random-bytes"));
  CHECK(some.instance("wasi:random/random@0.2.12").wants("x"));
}
