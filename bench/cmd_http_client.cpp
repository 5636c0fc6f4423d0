// cmd_http_client.cpp — `wippy-bench http-client`: one wasi:http guest as
// an HTTP client against curl on the same loopback servers, in the same run
// (issue 11's acceptance figures). Reported, never asserted.
// The guest is tests/http/http_get.component.wasm (from --dir, default
// <build>/tests/http) in `http_get AUTHORITY PATH COUNT [https]` mode, run
// in process on one dispatcher loop; curl is one process (`curl --config`)
// fetching the same URL COUNT times. The servers are TestServer threads
// (tests/unit/test_http_server.h):
//   1. keep-alive GETs over plain HTTP (a 6-byte body), --n of them
//      (default 1000): requests/s;
//   2. TLS handshakes: HTTPS GETs the server answers with
//      `connection: close`, so each is a new connection and handshake
//      (--n / 5), against a CA and leaf made by openssl (P-256);
//   3. one download of --mib MiB (default 256) over plain HTTP: MiB/s.
// Rates for 1 and 2 exclude start-up: (count - 1) / (time(count) -
// time(1)), each time the median of --runs (default 3); the download is
// whole-run. Every run must succeed (the guest prints the count and the
// bytes; curl exits 0 and the server saw the requests), otherwise FAIL and
// exit status 1. The server's accepted connections per run are shown, so
// keep-alive (1) and one handshake per request (count) can be seen.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "commands.h"
#include "dispatcher/loop.h"
#include "exe_dir.h"
#include "guest_runs.h"
#include "tests/unit/loop_or_exit.h"
#include "tests/unit/test_http_server.h"  // shared with the unit tests
#include "timing.h"

extern char** environ;

namespace wippy::bench {

namespace {

using testing::ServerConn;
using testing::TestServer;

// Answers every request on a connection with `body`; `close`: one request,
// then `connection: close`.
TestServer::Handler fixed_body(std::string body, bool close) {
  return [body = std::move(body), close](ServerConn& c) {
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                 (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
    for (;;) {
      if (c.read_head().empty()) return;
      if (!c.write(response)) return;
      if (close) return;
    }
  };
}

// Answers each request with `bytes` bytes, written 1 MiB at a time.
TestServer::Handler big_body(uint64_t bytes) {
  return [bytes](ServerConn& c) {
    const std::string chunk(1 << 20, 'x');
    for (;;) {
      if (c.read_head().empty()) return;
      if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n")) return;
      for (uint64_t left = bytes; left > 0;) {
        const size_t n = left < chunk.size() ? size_t(left) : chunk.size();
        if (!c.write(std::string_view(chunk).substr(0, n))) return;
        left -= n;
      }
    }
  };
}

struct Timed {
  bool ok = false;
  double ms = 0;
  std::string failure;
};

Timed run_guest(const std::shared_ptr<const component::Component>& wasm, const std::string& authority, const std::string& scheme,
                int count, uint64_t body_bytes, const std::string& ca_file) {
  GuestRun run;
  run.ctx.args = {"http_get", authority, "/", std::to_string(count), scheme};
  run.ctx.http.ca_file = ca_file;
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  spawn_guest(loop, wasm, run);
  const double t0 = now_ms();
  loop.run();
  Timed t{false, now_ms() - t0, ""};
  const std::string want =
      "gets " + std::to_string(count) + " status 200 bytes " + std::to_string(uint64_t(count) * body_bytes) + "\n";
  if (!run.error.empty()) t.failure = "guest: " + run.error;
  else if (run.code != 0 || run.ctx.out.buffer != want)
    t.failure = "guest: exit " + std::to_string(run.code) + ", output " + run.ctx.out.buffer;
  t.ok = t.failure.empty();
  return t;
}

// curl fetching `url` `count` times in one process (its connection cache
// keeps a connection alive when the server allows it).
Timed run_curl(const std::string& url, int count, const std::string& ca_file, const std::string& scratch) {
  const std::string config = scratch + "/curl.config";
  {
    std::ofstream f(config);
    for (int i = 0; i < count; ++i) f << "url = \"" << url << "\"\noutput = \"/dev/null\"\n";
  }
  std::vector<std::string> argv = {"curl", "--silent", "--show-error", "--fail", "--config", config};
  if (!ca_file.empty()) argv.insert(argv.end(), {"--cacert", ca_file});
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  const double t0 = now_ms();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "curl", &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return {false, 0, "cannot start curl (is it installed?)"};
  int status = 0;
  ::waitpid(pid, &status, 0);
  Timed t{true, now_ms() - t0, ""};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    t.ok = false;
    t.failure = "curl failed (status " + std::to_string(status) + ")";
  }
  return t;
}

struct Side {
  const char* name;
  std::function<Timed(int)> run;  // count -> one timed run
};

// The median of `runs` runs of `count`, or the failure.
bool median_of(const Side& s, int count, int runs, double& out, std::string& failure) {
  std::vector<double> v;
  for (int r = 0; r < runs; ++r) {
    Timed t = s.run(count);
    if (!t.ok) {
      failure = std::string(s.name) + ": " + t.failure;
      return false;
    }
    v.push_back(t.ms);
  }
  out = median(v);
  return true;
}

// Rates without start-up for each side; prints one table.
bool compare_rates(const char* title, const std::vector<Side>& sides, int count, int runs, TestServer& srv) {
  std::printf("%s, %d requests (median of %d; rate = (n-1) / (t(n) - t(1)))\n", title, count, runs);
  std::vector<double> rates;
  for (const Side& s : sides) {
    double one = 0, many = 0;
    std::string failure;
    const int before = srv.accepts();
    if (!median_of(s, count, runs, many, failure)) {
      std::printf("  FAIL %s\n", failure.c_str());
      return false;
    }
    const int conns = (srv.accepts() - before) / runs;
    if (!median_of(s, 1, runs, one, failure)) {
      std::printf("  FAIL %s\n", failure.c_str());
      return false;
    }
    const double rate = many > one ? (count - 1) / ((many - one) / 1000.0) : 0;
    rates.push_back(rate);
    std::printf("  %-6s t(1) %8.2f ms  t(n) %9.2f ms  %9.0f req/s  connections per run %d\n", s.name, one, many,
                rate, conns);
  }
  if (rates.size() == 2 && rates[1] > 0) std::printf("  guest / curl  %.2f\n", rates[0] / rates[1]);
  return true;
}

}  // namespace

int cmd_http_client(const Args& args) {
  const int runs = args.runs ? args.runs : 3;
  const int gets = args.n ? args.n : 1000;
  const int handshakes = std::max(2, gets / 5);
  const uint64_t mib = uint64_t(args.mib);
  const auto read = read_guest_wasm(args.dir, "http-client", "http", "http_get");
  if (!read) return 1;
  const std::vector<uint8_t>& bytes_in = *read;
  const auto wasm = load_guest(bytes_in);  // decoded and validated once for every run
  if (!wasm) return 1;
  testing::TestPki pki;
  if (!pki.make_ca("ca") || !pki.make_leaf("leaf", "ca", "DNS:localhost,IP:127.0.0.1")) {
    std::printf("http-client: FAIL openssl could not make the test certificates\n");
    return 1;
  }
  const std::string ca = pki.path("ca.crt");

  // 1. keep-alive GETs.
  {
    TestServer srv(fixed_body("hello\n", false));
    const std::string auth = "127.0.0.1:" + std::to_string(srv.port());
    std::vector<Side> sides = {
        {"guest", [&](int n) { return run_guest(wasm, auth, "http", n, 6, ""); }},
        {"curl", [&](int n) { return run_curl("http://" + auth + "/", n, "", pki.dir()); }}};
    if (!compare_rates("keep-alive GETs over HTTP", sides, gets, runs, srv)) return 1;
  }
  // 2. a TLS handshake per request.
  {
    const testing::TlsServerCert cert{pki.path("leaf.crt"), pki.path("leaf.key")};
    TestServer srv(fixed_body("hello\n", true), &cert);
    const std::string auth = "127.0.0.1:" + std::to_string(srv.port());
    std::vector<Side> sides = {
        {"guest", [&](int n) { return run_guest(wasm, auth, "https", n, 6, ca); }},
        {"curl", [&](int n) { return run_curl("https://" + auth + "/", n, ca, pki.dir()); }}};
    if (!compare_rates("HTTPS GETs, connection: close (a TLS handshake each)", sides, handshakes, runs, srv))
      return 1;
  }
  // 3. a large download.
  {
    const uint64_t bytes = mib << 20;
    TestServer srv(big_body(bytes));
    const std::string auth = "127.0.0.1:" + std::to_string(srv.port());
    std::printf("download of %llu MiB over HTTP (median of %d, whole run)\n", (unsigned long long)mib, runs);
    std::vector<Side> sides = {
        {"guest", [&](int) { return run_guest(wasm, auth, "http", 1, bytes, ""); }},
        {"curl", [&](int) { return run_curl("http://" + auth + "/", 1, "", pki.dir()); }}};
    std::vector<double> rates;
    for (const Side& s : sides) {
      double ms = 0;
      std::string failure;
      if (!median_of(s, 1, runs, ms, failure)) {
        std::printf("  FAIL %s\n", failure.c_str());
        return 1;
      }
      rates.push_back(double(mib) / (ms / 1000.0));
      std::printf("  %-6s %9.1f ms  %8.1f MiB/s\n", s.name, ms, rates.back());
    }
    std::printf("  guest / curl  %.2f\n", rates[0] / rates[1]);
  }
  return 0;
}

}  // namespace wippy::bench
