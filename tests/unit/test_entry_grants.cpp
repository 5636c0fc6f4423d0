// test_entry_grants.cpp — an entry's wasi.network block and limits become
// the WASI host's network policy and caps, and its wasi.http block the
// wasi:http grant (runtime/entry_grants.h).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/entry_grants.h"
#include "runtime/registry.h"

using namespace wippy;

namespace {

struct Dir {
  std::filesystem::path root;
  Dir() {
    char tmpl[] = "/tmp/wippy-grants-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~Dir() { std::filesystem::remove_all(root); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(root / name) << text;
    return root / name;
  }
};

const std::string kHead = R"(version: "1.0"
namespace: myns
entries:
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
)";

}  // namespace

TEST_CASE("registry: an entry's wasi.network and limits become the WASI host's policy and caps") {
  Dir dir;
  std::vector<std::filesystem::path> files{dir.write("app.yaml", kHead + R"(
    limits: {max_handles: 100, max_open_files: 10, max_file_bytes: 4096}
    wasi:
      network:
        allow: [tcp:127.0.0.1:8000-9000, "udp:[::1]:53"]
        allow_listen: false
)")};
  Result<Registry> r = load_registry(files);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  const FunctionEntry* f = r->find_function("myns:f");
  REQUIRE(f);
  net::Policy p = network_policy(f->wasi);
  CHECK(p.allow.size() == 2);
  CHECK(p.allow_bind);
  CHECK_FALSE(p.allow_listen);
  CHECK(p.allow_lookup);
  auto ip4 = net::parse_ip("127.0.0.1");
  auto ip6 = net::parse_ip("::1");
  REQUIRE(ip4);
  REQUIRE(ip6);
  CHECK(p.allows(net::Proto::tcp, *ip4, 8080));
  CHECK_FALSE(p.allows(net::Proto::tcp, *ip4, 7999));
  CHECK_FALSE(p.allows(net::Proto::udp, *ip4, 8080));
  CHECK(p.allows(net::Proto::udp, *ip6, 53));
  hostfns::WasiLimits l = wasi_limits(f->limits);
  CHECK(l.max_handles == 100u);
  CHECK(l.max_open_files == 10u);
  CHECK(l.max_file_bytes == 4096u);
  // No block and no keys: everything allowed, the host's defaults.
  std::vector<std::filesystem::path> plain{dir.write("plain.yaml", kHead)};
  Result<Registry> d = load_registry(plain);
  REQUIRE(d.ok());
  const FunctionEntry* g = d->find_function("myns:f");
  REQUIRE(g);
  CHECK(network_policy(g->wasi).allow.empty());
  CHECK(wasi_limits(g->limits).max_open_files == hostfns::WasiLimits{}.max_open_files);
}

TEST_CASE("registry: socket limits and the wasi.http block become WasiLimits and the HttpGrant") {
  Dir dir;
  std::filesystem::create_directories(dir.root / "certs");
  dir.write("certs/extra.pem", "-----BEGIN CERTIFICATE-----\n");
  std::vector<std::filesystem::path> files{dir.write("app.yaml", R"(version: "1.0"
namespace: myns
entries:
  - {name: certs, kind: fs.directory, directory: certs}
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
    limits: {max_open_sockets: 3, socket_timeout_ms: 1500, http_max_body_bytes: 65536}
    wasi:
      http:
        allow_hosts: [api.example.com, "*.example.org:443"]
        ca_file: {fs: certs, path: extra.pem}
        connect_timeout_ms: 250
        first_byte_timeout_ms: 1500
)")};
  Result<Registry> r = load_registry(files);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  const FunctionEntry* f = r->find_function("myns:f");
  REQUIRE(f);
  hostfns::WasiLimits l = wasi_limits(f->limits);
  CHECK(l.max_open_sockets == 3u);
  CHECK(l.socket_timeout_ms == 1500u);
  net::HttpGrant g = http_grant(f->wasi, f->limits);
  CHECK(g.max_body_bytes == 65536u);
  CHECK(g.ca_file == (dir.root / "certs/extra.pem").lexically_normal().string());
  REQUIRE(g.allow_hosts.size() == 2);
  CHECK(g.allows("api.example.com", 80));
  CHECK(g.allows("API.example.com.", 8080));
  CHECK(g.allows("www.example.org", 443));
  CHECK_FALSE(g.allows("www.example.org", 80));
  CHECK_FALSE(g.allows("example.org", 443));
  CHECK_FALSE(g.allows("evil.com", 80));
  // The timeouts given, the host's default for the one left out.
  CHECK(g.connect_timeout_ns == 250'000'000u);
  CHECK(g.first_byte_timeout_ns == 1'500'000'000u);
  CHECK(g.between_bytes_timeout_ns == 60'000'000'000u);
  // No block, no keys: any authority, no extra CA, no cap, no socket limits.
  std::vector<std::filesystem::path> plain{dir.write("plain.yaml", kHead)};
  Result<Registry> d = load_registry(plain);
  REQUIRE(d.ok());
  const FunctionEntry* e = d->find_function("myns:f");
  REQUIRE(e);
  net::HttpGrant none = http_grant(e->wasi, e->limits);
  CHECK(none.allow_hosts.empty());
  CHECK(none.ca_file.empty());
  CHECK(none.max_body_bytes == 0u);
  CHECK(none.allows("anything.example", 1));
  CHECK(none.connect_timeout_ns == 30'000'000'000u);
  CHECK(none.first_byte_timeout_ns == 60'000'000'000u);
  CHECK(none.between_bytes_timeout_ns == 60'000'000'000u);
  CHECK(wasi_limits(e->limits).max_open_sockets == 0u);
  CHECK(wasi_limits(e->limits).socket_timeout_ms == 0u);
}
