// wippy::Runtime with a code cache (RuntimeOptions::code_cache_dir): a
// registry entry called with a cold cache, then with a warm one, behaves
// the same; `cache: false` writes nothing; a cache directory that cannot be
// written changes nothing but the speed; Runtime::exit_process writes the
// code that ran before the process ends.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "tests/unit/runtime_fixture.h"
#include "wippy/runtime.h"

using namespace wippy;
using component::Val;
namespace fs = std::filesystem;

namespace {

std::string registry(const RegistryScratch& s, std::string_view extra = "") {
  return fmt::format(
      "namespace: c\nentries:\n  - {{name: files, kind: fs.directory, directory: .}}\n"
      "  - name: greet\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n    method: greet\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n{}",
      s.hash("typed.component.wasm"), extra);
}

size_t entries_in(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".wcc") ++n;
  return n;
}

std::string greet(const std::vector<fs::path>& files, const fs::path& cache_dir) {
  RuntimeOptions o;
  o.code_cache_dir = cache_dir;
  auto rt = Runtime::load(files, std::move(o));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  auto out = (*rt)->call("c:greet", std::vector<Val>{Val::string("cache")});
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  return out->json;
}

}  // namespace

TEST_CASE("runtime cache: a call with a cold cache and one with a warm cache give the same result") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto files = s.write("a.yaml", registry(s));
  const fs::path cache = s.dir() / "cache";
  CHECK(greet(files, "") == "\"hello, cache\"");  // no cache
  CHECK(entries_in(cache) == 0);
  CHECK(greet(files, cache) == "\"hello, cache\"");  // miss: writes the entry
  CHECK(entries_in(cache) == 1);
  CHECK(greet(files, cache) == "\"hello, cache\"");  // hit
  CHECK(entries_in(cache) == 1);
}

TEST_CASE("runtime cache: cache: false writes nothing; an unwritable directory is no cache") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  const fs::path cache = s.dir() / "cache";
  auto off = s.write("off.yaml", registry(s, "    cache: false\n"));
  CHECK(greet(off, cache) == "\"hello, cache\"");
  CHECK(entries_in(cache) == 0);

  std::ofstream(s.dir() / "plain") << "x";
  auto on = s.write("on.yaml", registry(s));
  CHECK(greet(on, s.dir() / "plain" / "cache") == "\"hello, cache\"");
}

TEST_CASE("runtime cache: a hash mismatch is refused before the cache is consulted") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  const fs::path cache = s.dir() / "cache";
  auto files = s.write("a.yaml", registry(s));
  CHECK(greet(files, cache) == "\"hello, cache\"");
  REQUIRE(entries_in(cache) == 1);
  std::ofstream(s.dir() / "typed.component.wasm", std::ios::app) << "tampered";
  RuntimeOptions o;
  o.code_cache_dir = cache;
  auto rt = Runtime::load(files, std::move(o));
  REQUIRE(!rt.ok());
  CHECK(rt.error().message.find("hash mismatch") != std::string::npos);
}

TEST_CASE("runtime cache: exit_process writes the code that ran, then ends with the status") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto files = s.write("a.yaml", registry(s));
  // In a child: load with a fresh cache (the load writes the entry without
  // code), call greet or not, then exit_process(status).
  auto child = [&](const fs::path& cache, bool call, int status) {
    std::cout.flush();  // the child's std::exit flushes what it inherits
    std::fflush(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      RuntimeOptions o;
      o.code_cache_dir = cache;
      auto rt = Runtime::load(files, std::move(o));
      if (!rt.ok()) ::_exit(100);
      if (call && !(*rt)->call("c:greet", std::vector<Val>{Val::string("x")}).ok()) ::_exit(101);
      (*rt)->exit_process(status);
    }
    int ws = 0;
    REQUIRE(::waitpid(pid, &ws, 0) == pid);
    REQUIRE(WIFEXITED(ws));
    CHECK(WEXITSTATUS(ws) == status);
    REQUIRE(entries_in(cache) == 1);
    return fs::file_size(fs::directory_iterator(cache)->path());
  };
  const auto idle = child(s.dir() / "c1", false, 6);
  const auto called = child(s.dir() / "c2", true, 5);
  CHECK(called > idle);  // the entry was rewritten with greet's code
}
