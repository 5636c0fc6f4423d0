// The embedding API (include/wippy/runtime.h) on real guests: typed calls
// with values, a command with captured stdio, errors that run nothing, the
// deadline, and recovery after a trap.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "dispatcher/clock.h"
#include "tests/unit/runtime_fixture.h"
#include "wippy/runtime.h"

using namespace wippy;
using component::Val;

namespace {

std::string typed_entry(const RegistryScratch& s, std::string_view name, std::string_view method,
                        std::string_view extra = "") {
  return fmt::format(
      "  - name: {}\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n    method: \"{}\"\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n{}",
      name, s.hash("typed.component.wasm"), method, extra);
}

std::string cmd_entry(const RegistryScratch& s, std::string_view name, std::string_view extra = "") {
  return fmt::format(
      "  - name: {}\n    kind: function.wasm\n    fs: files\n    path: /wasi_cmd.component.wasm\n"
      "    hash: sha256:{}\n    method: run\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random]\n{}",
      name, s.hash("wasi_cmd.component.wasm"), extra);
}

constexpr const char* kHead = "namespace: api\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n";

}  // namespace

TEST_CASE("runtime api: typed calls with values and JSON, entry names") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("a.yaml", std::string(kHead) + typed_entry(s, "greet", "greet") +
                                                typed_entry(s, "centroid", "geometry#centroid")));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Runtime& r = **rt;

  std::vector<Val> args{Val::string("api")};
  auto out = r.call("api:greet", args);
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  REQUIRE(out->values.size() == 1);
  CHECK(out->values[0].str == "hello, api");
  CHECK(out->json == "\"hello, api\"");
  CHECK(!out->exit_code);

  std::vector<Val> pts{Val::list({Val::record({Val::f64v(0), Val::f64v(0)}), Val::record({Val::f64v(4), Val::f64v(2)})})};
  auto c = r.call("api:centroid", pts);
  REQUIRE(c.ok());
  CHECK(c->json == "{\"ok\":{\"x\":2,\"y\":1}}");
  REQUIRE(c->values.size() == 1);
  CHECK(c->values[0].is_ok());

  CHECK(r.resolve("greet").value() == "api:greet");
  CHECK(r.resolve("api:centroid").value() == "api:centroid");
  CHECK(r.resolve("").error().message ==
        "the registry holds 2 function entries; name one: api:greet, api:centroid");
  CHECK(r.resolve("nope").error().message == "no function entry nope (entries: api:greet, api:centroid)");
  CHECK(r.functions() == std::vector<std::string>{"api:greet", "api:centroid"});

  auto wrong = r.call("api:greet", std::vector<Val>{});
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().message == "entry api:greet: greet takes 1 arguments, 0 given");
}

TEST_CASE("runtime api: a command with captured stdio; a missing required env runs nothing") {
  RegistryScratch s;
  s.copy_guest("wasi_cmd.component.wasm");
  std::string text = std::string(kHead) +
                     "  - {name: need, kind: env.variable, variable: WIPPY_API_TEST_UNSET_VAR}\n" +
                     "  - {name: tag, kind: env.variable, variable: WIPPY_API_TEST_TAG}\n" + cmd_entry(s, "cmd",
                     "    wasi:\n      env: [{id: tag, name: TAG}]\n") +
                     cmd_entry(s, "strict", "    wasi:\n      env: [{id: need, required: true}]\n");
  RuntimeOptions opts;
  opts.inherit_stdio = false;
  opts.env_lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "WIPPY_API_TEST_TAG") return std::string("from-lookup");
    return std::nullopt;
  };
  auto rt = Runtime::load(s.write("a.yaml", text), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Runtime& r = **rt;
  CHECK(r.is_command("api:cmd"));

  CallOptions co;
  co.extra_args = {"x", "-1"};
  auto out = r.call_json("api:cmd", std::vector<std::string>{}, co);
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  CHECK(out->exit_code == 0);
  CHECK(out->out == "arg 0: cmd\narg 1: x\narg 2: -1\nenv TAG=from-lookup\ncwd /\n");
  CHECK(out->json.empty());

  auto strict = r.call_json("api:strict", std::vector<std::string>{});
  REQUIRE(!strict.ok());
  CHECK(strict.error().message == "required wasi env variable not found: api:need");
  auto info = r.pool_info("api:strict");
  REQUIRE(info.ok());
  CHECK(info->live == 0);  // no instance was even created
}

TEST_CASE("runtime api: load errors name the entry and nothing can run") {
  RegistryScratch s;
  s.copy_guest("wasi_cmd.component.wasm");
  std::string entry = cmd_entry(s, "cmd");
  // Undeclared import: wasi:io left out of the grants.
  std::string no_io = entry;
  no_io.replace(no_io.find("wasi:io, "), 9, "");
  auto rt = Runtime::load(s.write("a.yaml", std::string(kHead) + no_io));
  REQUIRE(!rt.ok());
  CHECK(rt.error().kind == ErrorKind::Unlinkable);
  CHECK(rt.error().message ==
        fmt::format("{}:4: component imports wasi:io/error@0.2.12, which entry api:cmd does not grant (add "
                    "wasi:io to imports)",
                    (s.dir() / "a.yaml").string()));

  // The module changed after the registry was written.
  std::string good = s.hash("wasi_cmd.component.wasm");
  std::ofstream(s.dir() / "wasi_cmd.component.wasm", std::ios::app) << "x";
  auto mismatch = Runtime::load(s.write("b.yaml", std::string(kHead) + entry));
  REQUIRE(!mismatch.ok());
  CHECK(mismatch.error().message ==
        fmt::format("{}:4: entry api:cmd: hash mismatch: expected {}, got {}", (s.dir() / "b.yaml").string(), good,
                    s.hash("wasi_cmd.component.wasm")));
}

TEST_CASE("runtime api: files that are not registries or modules are errors, never exceptions") {
  RegistryScratch s;
  std::filesystem::create_directories(s.dir() / "adir.yaml");
  std::filesystem::create_directories(s.dir() / "mods" / "m.wasm");
  for (const std::filesystem::path& bad : {s.dir() / "adir.yaml", std::filesystem::path("/dev/zero")}) {
    Result<std::unique_ptr<Runtime>> rt = make_error(ErrorKind::Other, "not loaded");
    CHECK_NOTHROW(rt = Runtime::load(std::vector<std::filesystem::path>{bad}));
    REQUIRE(!rt.ok());
    CHECK(rt.error().kind == ErrorKind::Io);
    CHECK_MESSAGE(rt.error().message.find(", not a regular file") != std::string::npos, rt.error().message);
  }
  // A function.wasm path naming a directory (this aborted the process once).
  auto dir_module = Runtime::load(s.write(
      "m.yaml", std::string(kHead) + "  - {name: m, kind: function.wasm, fs: files, path: /mods/m.wasm, hash: sha256:" +
                    std::string(64, '0') + ", method: run}\n"));
  REQUIRE(!dir_module.ok());
  CHECK(dir_module.error().message == fmt::format("{}:4: entry api:m: module /mods/m.wasm is a directory, not a "
                                                  "regular file",
                                                  (s.dir() / "m.yaml").string()));
}

TEST_CASE("runtime api: registry warnings go to on_warning; strict makes them errors") {
  RegistryScratch s;
  auto files = s.write("w.yaml", std::string(kHead) +
                                     "  - {name: f, kind: function.wat, method: f, source: '(module (func (export \"f\")))', "
                                     "metod: f}\n");
  std::vector<std::string> warnings;
  RuntimeOptions opts;
  opts.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  auto rt = Runtime::load(files, opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == fmt::format("{}:4: entry api:f: unknown key metod (did you mean method?)",
                                   (s.dir() / "w.yaml").string()));
  warnings.clear();
  opts.strict = true;
  auto strict = Runtime::load(files, opts);
  REQUIRE(!strict.ok());
  CHECK(warnings.empty());
  CHECK(strict.error().message ==
        fmt::format("{}:4: entry api:f: unknown key metod (did you mean method?)", (s.dir() / "w.yaml").string()));
}

TEST_CASE("runtime api: max_execution_ms stops a tight loop; the next call gets a fresh instance") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write(
      "a.yaml", std::string(kHead) + typed_entry(s, "spin", "spin", "    limits: {max_execution_ms: 1500}\n")));
  REQUIRE(rt.ok());
  // The limit is generous so that the second, short call (a fresh instance
  // and 1000 iterations) fits it on a loaded machine too.
  const uint64_t t0 = disp::now_ns();
  auto out = (*rt)->call_json("api:spin", std::vector<std::string>{"0"});
  const double ms = double(disp::now_ns() - t0) / 1e6;
  REQUIRE(!out.ok());
  CHECK(out.error().kind == ErrorKind::Interrupted);
  CHECK(out.error().message == "entry api:spin: deadline exceeded");
  CHECK(ms >= 1499);
  auto again = (*rt)->call_json("api:spin", std::vector<std::string>{"1000"});
  REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error().message));
  CHECK(again->json == "1000");
}
