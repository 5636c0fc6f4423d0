// Unit tests for loading once and instantiating many times
// (component/load.h, and the per-module memory images of interp/runtime):
// a component loaded once runs as many commands, each in its own Store,
// validated once and sharing each core module's compiled code; a component
// that does not decode or validate is refused by load_component.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "component/load.h"
#include "component/text/component_wat.h"
#include "fixtures.h"
#include "hostfns/wasi.h"

using namespace wippy;

TEST_CASE("load: a component loaded once runs as many commands, validated once, code shared") {
  const std::vector<uint8_t> bytes = testing::load_fixture("hello_write.component.wasm");
  REQUIRE(!bytes.empty());
  auto loaded = component::load_component(bytes);
  REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  const std::shared_ptr<const component::Component> comp = *loaded;
  CHECK(comp->memo->validated);
  CHECK(comp->memo->code.empty());  // nothing instantiated yet

  size_t code_objects = 0;
  std::vector<CompiledModule*> first_code;
  for (int i = 0; i < 3; ++i) {
    hostfns::WasiCtx ctx;
    Store store;
    auto r = hostfns::run_wasi_command(store, comp, ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == 0);
    CHECK(ctx.out.buffer == "hello from a component\n");
    std::lock_guard lock(comp->memo->mu);
    if (i == 0) {
      code_objects = comp->memo->code.size();
      for (auto& [m, c] : comp->memo->code) first_code.push_back(c.get());
    } else {
      // Later runs reuse the code objects of the first: no new ones.
      CHECK(comp->memo->code.size() == code_objects);
      std::vector<CompiledModule*> now;
      for (auto& [m, c] : comp->memo->code) now.push_back(c.get());
      CHECK(now == first_code);
    }
  }
  CHECK(code_objects >= 1);
}

TEST_CASE("load: bytes that do not decode or validate are refused at load") {
  const std::vector<uint8_t> garbage = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x7f};
  auto bad = component::load_component(garbage);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Malformed);

  // Decodes, but exports a core function index that does not exist.
  auto bin = component::component_wat_to_binary(R"((component
    (core module $m (func (export "f")))
    (core instance $i (instantiate $m))
    (func (export "g") (canon lift (core func 7)))
  ))");
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto invalid = component::load_component(*bin);
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().kind == ErrorKind::Invalid);
}
