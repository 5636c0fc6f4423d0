// Unit tests for net/tls with net/http1: HTTPS against loopback TLS servers
// whose CA and certificates openssl makes at test time. Trust sources
// (SSL_CERT_FILE, SSL_CERT_DIR, extra CA files, the system store), SNI,
// DNS and IP-address SAN checks, certificate and protocol errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "net/http1_client.h"
#include "net/tls_config.h"
#include "test_http_server.h"

using namespace wippy::net;
using namespace wippy::testing;

namespace {

// A CA, a leaf for localhost / 127.0.0.1 / ::1, a leaf for other names, and
// an unrelated CA.
struct Pki {
  TestPki pki;
  bool ok = false;
  Pki() {
    ok = pki.make_ca("ca") && pki.make_leaf("good", "ca", "DNS:localhost,IP:127.0.0.1,IP:::1") &&
         pki.make_leaf("wrong", "ca", "DNS:other.example,IP:10.9.9.9") && pki.make_ca("other-ca");
  }
  TlsServerCert cert(const std::string& name) const {
    return TlsServerCert{pki.path(name + ".crt"), pki.path(name + ".key")};
  }
  std::string ca() const { return pki.path("ca.crt"); }
};

EnvLookup env_of(std::string file, std::string dir = {}) {
  return [file, dir](const char* name) -> const char* {
    if (std::string(name) == "SSL_CERT_FILE") return file.empty() ? nullptr : file.c_str();
    if (std::string(name) == "SSL_CERT_DIR") return dir.empty() ? nullptr : dir.c_str();
    return nullptr;
  };
}

void hello_server(ServerConn& c) {
  for (;;) {
    const std::string head = c.read_head();
    if (head.empty()) return;
    if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello, tls!\n")) return;
  }
}

struct Fetched {
  bool ok = false;
  HttpError err;
  uint16_t status = 0;
  std::string body;
};

// One GET of scheme://authority/ on `client`, its body read 5 bytes at a time.
Fetched fetch_once(Http1Client& client, const std::string& scheme, const std::string& authority) {
  Fetched f;
  Request r;
  r.scheme = scheme;
  r.authority = authority;
  auto ex = client.send(r);
  if (!ex) {
    f.err = ex.error();
  } else if (auto h = (*ex)->response(); !h) {
    f.err = h.error();
  } else {
    f.status = h->status;
    uint8_t buf[5];
    for (;;) {
      auto n = (*ex)->read_body(buf);
      if (!n) {
        f.err = n.error();
        break;
      }
      if (*n == 0) {
        f.ok = true;
        break;
      }
      f.body.append(reinterpret_cast<char*>(buf), *n);
    }
  }
  return f;
}

// GET https://<authority>/ with the given trust, `times` times on one client.
std::vector<Fetched> https_get(const HttpResult<std::shared_ptr<TlsClientConfig>>& cfg,
                               const std::string& authority, int times = 1) {
  std::vector<Fetched> out;
  if (!cfg) {
    Fetched f;
    f.err = cfg.error();
    out.push_back(f);
    return out;
  }
  run_fiber([&] {
    Http1Options o;
    o.connector = loopback_connect;
    o.tls = *cfg;
    Http1Client client(o);
    for (int i = 0; i < times; ++i) out.push_back(fetch_once(client, "https", authority));
  });
  return out;
}

std::vector<Fetched> https_get(const TlsTrust& trust, const std::string& authority, int times = 1) {
  return https_get(TlsClientConfig::create(trust), authority, times);
}

// The response of a single GET https://<authority>/ (REQUIREd to be the only one).
template <class Trust>
Fetched https_get_one(const Trust& trust, const std::string& authority) {
  auto got = https_get(trust, authority);
  REQUIRE(got.size() == 1u);
  return got[0];
}

std::string port_of(const TestServer& s) { return std::to_string(s.port()); }

// The test PKI (REQUIREd to have been made) and a hello_server presenting
// its "good" leaf, for localhost, 127.0.0.1 and ::1.
struct HelloTls {
  Pki p;
  const TlsServerCert good = [this] {
    REQUIRE(p.ok);
    return p.cert("good");
  }();
  TestServer srv{hello_server, &good};
};

// One GET of https://localhost/, trusting the test CA, from a hello_server
// presenting the "good" leaf as `adjust` changed it.
Fetched get_with_adjusted_cert(void (*adjust)(TlsServerCert&)) {
  Pki p;
  REQUIRE(p.ok);
  TlsServerCert cert = p.cert("good");
  adjust(cert);
  TestServer srv(hello_server, &cert);
  return https_get_one(trust_from_environment(env_of(p.ca())), "localhost:" + port_of(srv));
}

}  // namespace

TEST_CASE("https: a test CA through SSL_CERT_FILE; SNI sent; keep-alive over TLS") {
  HelloTls h;
  REQUIRE(h.srv.tls_ok());
  const TlsTrust trust = trust_from_environment(env_of(h.p.ca()));
  CHECK(trust.ca_files == std::vector<std::string>{h.p.ca()});
  CHECK(trust.ca_dirs.empty());
  auto got = https_get(trust, "localhost:" + port_of(h.srv), 2);
  REQUIRE(got.size() == 2);
  for (auto& f : got) {
    CHECK_MESSAGE(f.ok, f.err.message);
    CHECK(f.status == 200);
    CHECK(f.body == "hello, tls!\n");
  }
  CHECK(h.srv.accepts() == 1);
  CHECK(h.srv.last_sni() == "localhost");
}

TEST_CASE("http client: the TLS configuration is made on the first https connection, never for plain http") {
  Pki p;
  REQUIRE(p.ok);
  const TlsServerCert cert = p.cert("good");
  TestServer tls_srv(hello_server, &cert);
  TestServer plain_srv(hello_server);
  REQUIRE(tls_srv.tls_ok());
  const TlsTrust trust = trust_from_environment(env_of(p.ca()));
  int made = 0;
  bool fail_next = true;
  std::vector<Fetched> got;
  run_fiber([&] {
    Http1Options o;
    o.connector = loopback_connect;
    o.make_tls = [&]() -> HttpResult<std::shared_ptr<TlsClientConfig>> {
      ++made;
      if (fail_next) {
        fail_next = false;
        return http_error(HttpErrc::configuration_error, "test: no CA yet");
      }
      return TlsClientConfig::create(trust);
    };
    Http1Client client(o);
    got.push_back(fetch_once(client, "http", "127.0.0.1:" + port_of(plain_srv)));
    got.push_back(fetch_once(client, "http", "127.0.0.1:" + port_of(plain_srv)));
    got.push_back(fetch_once(client, "https", "localhost:" + port_of(tls_srv)));  // make_tls fails
    got.push_back(fetch_once(client, "https", "localhost:" + port_of(tls_srv)));  // made again, kept
    got.push_back(fetch_once(client, "https", "localhost:" + port_of(tls_srv)));
  });
  REQUIRE(got.size() == 5);
  CHECK_MESSAGE(got[0].ok, got[0].err.message);
  CHECK_MESSAGE(got[1].ok, got[1].err.message);
  CHECK_FALSE(got[2].ok);
  CHECK(got[2].err.code == HttpErrc::configuration_error);
  CHECK(got[2].err.message == "test: no CA yet");
  CHECK_MESSAGE(got[3].ok, got[3].err.message);
  CHECK_MESSAGE(got[4].ok, got[4].err.message);
  CHECK(got[4].body == "hello, tls!\n");
  CHECK(made == 2);
  CHECK(tls_srv.accepts() == 1);
}

TEST_CASE("https: IP-address SANs are checked, and no SNI is sent for an IP") {
  Pki p;
  REQUIRE(p.ok);
  const TlsServerCert good = p.cert("good"), wrong = p.cert("wrong");
  TestServer srv(hello_server, &good);
  TestServer bad(hello_server, &wrong);
  TlsTrust trust = trust_from_environment(env_of(p.ca()));

  Fetched ok = https_get_one(trust, "127.0.0.1:" + port_of(srv));
  CHECK_MESSAGE(ok.ok, ok.err.message);
  CHECK(ok.body == "hello, tls!\n");
  CHECK(srv.sni_calls() == 0);

  Fetched ip_mismatch = https_get_one(trust, "127.0.0.1:" + port_of(bad));
  CHECK_FALSE(ip_mismatch.ok);
  CHECK(ip_mismatch.err.code == HttpErrc::tls_certificate_error);
  CHECK(ip_mismatch.err.message.find("127.0.0.1") != std::string::npos);

  Fetched name_mismatch = https_get_one(trust, "localhost:" + port_of(bad));
  CHECK(name_mismatch.err.code == HttpErrc::tls_certificate_error);
  CHECK(name_mismatch.err.message.find("CN") != std::string::npos);
}

TEST_CASE("https: an IPv6 literal authority is matched against IPv6 SANs") {
  Pki p;
  REQUIRE(p.ok);
  const TlsServerCert good = p.cert("good"), wrong = p.cert("wrong");
  TestServer srv(hello_server, &good, /*v6=*/true);
  TestServer bad(hello_server, &wrong, /*v6=*/true);
  if (srv.port() == 0 || bad.port() == 0) return;  // no IPv6 loopback on this machine
  const TlsTrust trust = trust_from_environment(env_of(p.ca()));
  Fetched ok = https_get_one(trust, "[::1]:" + port_of(srv));
  CHECK_MESSAGE(ok.ok, ok.err.message);
  CHECK(srv.sni_calls() == 0);
  Fetched mismatch = https_get_one(trust, "[::1]:" + port_of(bad));
  CHECK(mismatch.err.code == HttpErrc::tls_certificate_error);
}

TEST_CASE("https: untrusted CAs are certificate errors") {
  HelloTls h;

  // The system store alone (no SSL_CERT_* set) does not know the test CA.
  const TlsTrust system = trust_from_environment(env_of(""));
  CHECK(system.ca_files == std::vector<std::string>{kSystemCaFile});
  Fetched sys = https_get_one(system, "localhost:" + port_of(h.srv));
  CHECK_FALSE(sys.ok);
  CHECK(sys.err.code == HttpErrc::tls_certificate_error);

  // Another CA given through SSL_CERT_FILE replaces the store and still fails.
  Fetched other = https_get_one(trust_from_environment(env_of(h.p.pki.path("other-ca.crt"))), "localhost:" + port_of(h.srv));
  CHECK(other.err.code == HttpErrc::tls_certificate_error);

  // The system store plus the test CA as an extra file (wasi.http.ca_file) works.
  TlsTrust extra = system;
  extra.extra_ca_files.push_back(h.p.ca());
  Fetched with_extra = https_get_one(extra, "localhost:" + port_of(h.srv));
  CHECK_MESSAGE(with_extra.ok, with_extra.err.message);
}

TEST_CASE("https: SSL_CERT_FILE in the process environment, read through getenv") {
  HelloTls h;
  const char* old_file = std::getenv("SSL_CERT_FILE");
  const char* old_dir = std::getenv("SSL_CERT_DIR");
  const std::string saved_file = old_file ? old_file : "", saved_dir = old_dir ? old_dir : "";
  ::setenv("SSL_CERT_FILE", h.p.ca().c_str(), 1);
  ::unsetenv("SSL_CERT_DIR");
  const TlsTrust trust = trust_from_environment(::getenv);  // read once, here
  if (old_file) ::setenv("SSL_CERT_FILE", saved_file.c_str(), 1); else ::unsetenv("SSL_CERT_FILE");
  if (old_dir) ::setenv("SSL_CERT_DIR", saved_dir.c_str(), 1);
  CHECK(trust.ca_files == std::vector<std::string>{h.p.ca()});
  Fetched got = https_get_one(trust, "localhost:" + port_of(h.srv));
  CHECK_MESSAGE(got.ok, got.err.message);
}

TEST_CASE("https: SSL_CERT_DIR replaces the system store") {
  HelloTls h;
  const std::string dir = h.p.pki.path("cadir");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(h.p.ca(), dir + "/test-ca.pem");
  const TlsTrust trust = trust_from_environment(env_of("", "/nonexistent-first:" + dir));
  CHECK(trust.ca_files.empty());
  CHECK(trust.ca_dirs == std::vector<std::string>{"/nonexistent-first", dir});
  // A directory that yields nothing is a configuration error, not "trust nothing".
  auto bad = TlsClientConfig::create(trust);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == HttpErrc::configuration_error);

  Fetched got = https_get_one(trust_from_environment(env_of("", dir)), "localhost:" + port_of(h.srv));
  CHECK_MESSAGE(got.ok, got.err.message);
}

TEST_CASE("tls config: missing or empty CA sources are configuration errors") {
  Pki p;
  REQUIRE(p.ok);
  auto missing = TlsClientConfig::create(trust_from_environment(env_of("/nonexistent/ca.pem")));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == HttpErrc::configuration_error);
  CHECK(missing.error().message.find("/nonexistent/ca.pem") != std::string::npos);

  const std::string empty = p.pki.path("empty.pem");
  { std::ofstream(empty) << "not a certificate\n"; }
  auto none = TlsClientConfig::create(trust_from_environment(env_of(empty)));
  REQUIRE_FALSE(none);
  CHECK(none.error().code == HttpErrc::configuration_error);

  TlsTrust extra = trust_from_environment(env_of(p.ca()));
  extra.extra_ca_files.push_back("/nonexistent/extra.pem");
  CHECK_FALSE(TlsClientConfig::create(extra));

  auto system = TlsClientConfig::create(trust_from_environment(env_of("")));
  REQUIRE(system);
  CHECK((*system)->ca_count() > 10);
}

TEST_CASE("tls trust cache: one parse per trust inputs, shared by clients and threads; a changed file is loaded again") {
  Pki p;
  REQUIRE(p.ok);
  const std::string bundle = p.pki.path("bundle.pem");
  std::filesystem::copy_file(p.ca(), bundle);
  TlsTrustCache cache;
  const TlsTrust trust = trust_from_environment(env_of(bundle));
  auto a = cache.get(trust), b = cache.get(trust);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->get() == b->get());
  CHECK(cache.loads() == 1u);

  // Two clients on the one set each verify the server.
  const TlsServerCert good = p.cert("good");
  TestServer srv(hello_server, &good);
  REQUIRE(srv.port() != 0);
  auto c1 = TlsClientConfig::create(*a), c2 = TlsClientConfig::create(*b);
  REQUIRE(c1);
  REQUIRE(c2);
  CHECK((*c1)->ca_set() == (*c2)->ca_set());
  CHECK((*c1)->ca_count() == 1u);
  for (auto* cfg : {&c1, &c2}) {
    Fetched got = https_get_one(*cfg, "localhost:" + port_of(srv));
    CHECK_MESSAGE(got.ok, got.err.message);
    CHECK(got.body == "hello, tls!\n");
  }

  // Two threads verifying against the one set at the same time (each with
  // its own client config, as each dispatcher thread has).
  std::vector<std::vector<Fetched>> per_thread(2);
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < per_thread.size(); ++i)
      threads.emplace_back([&, i] { per_thread[i] = https_get(TlsClientConfig::create(*a), "localhost:" + port_of(srv)); });
    for (auto& t : threads) t.join();
  }
  for (const auto& out : per_thread) {
    REQUIRE(out.size() == 1u);
    CHECK_MESSAGE(out[0].ok, out[0].err.message);
  }

  // Other inputs, another set.
  TlsTrust extra = trust;
  extra.extra_ca_files.push_back(p.pki.path("other-ca.crt"));
  auto e = cache.get(extra);
  REQUIRE(e);
  CHECK(e->get() != a->get());
  CHECK(cache.loads() == 2u);

  // The bundle rewritten (a CA added): the next get parses it again.
  {
    std::ifstream other(p.pki.path("other-ca.crt"));
    std::ofstream(bundle, std::ios::app) << other.rdbuf();
  }
  auto c = cache.get(trust);
  REQUIRE(c);
  CHECK(c->get() != a->get());
  CHECK(cache.loads() == 3u);
  CHECK(TlsClientConfig::create(*c).value()->ca_count() == 2u);

  // A failure is returned, not kept.
  TlsTrust missing = trust;
  missing.extra_ca_files.push_back(p.pki.path("missing.pem"));
  auto m = cache.get(missing);
  REQUIRE_FALSE(m);
  CHECK(m.error().code == HttpErrc::configuration_error);
  CHECK(cache.loads() == 3u);
}

TEST_CASE("https: a large body crosses many TLS records; a plain server is a TLS protocol error") {
  Pki p;
  REQUIRE(p.ok);
  const TlsServerCert good = p.cert("good");
  const std::string payload(300 * 1000, 'z');
  TestServer big([&](ServerConn& c) {
    if (c.read_head().empty()) return;
    c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload);
    c.wait_close();
  }, &good);
  Fetched got = https_get_one(trust_from_environment(env_of(p.ca())), "localhost:" + port_of(big));
  CHECK_MESSAGE(got.ok, got.err.message);
  CHECK(got.body.size() == payload.size());
  CHECK(got.body == payload);

  TestServer plain([](ServerConn& c) {
    c.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    c.wait_close();
  });
  Fetched proto = https_get_one(trust_from_environment(env_of(p.ca())), "localhost:" + port_of(plain));
  CHECK_FALSE(proto.ok);
  CHECK(proto.err.code == HttpErrc::tls_protocol_error);
}

TEST_CASE("https: a fatal alert from the server is TLS-alert-received with its id") {
  Fetched got = get_with_adjusted_cert([](TlsServerCert& c) { c.no_shared_cipher = true; });
  CHECK_FALSE(got.ok);
  CHECK(got.err.code == HttpErrc::tls_alert_received);
  CHECK(got.err.tls_alert.has_value());
  CHECK(got.err.tls_alert == std::optional<uint8_t>(40));  // handshake_failure
}

TEST_CASE("https: an alert that arrives while our flight is still being written") {
  Fetched got = get_with_adjusted_cert([](TlsServerCert& c) { c.require_client_cert = true; });
  CHECK_FALSE(got.ok);
  // Either the alert was read in time, or our write met the closed socket
  // first and the alert was recovered from the receive queue.
  CHECK_MESSAGE(got.err.code == HttpErrc::tls_alert_received, got.err.message);
  CHECK(got.err.tls_alert.has_value());
}

TEST_CASE("https: a TLS handshake that never completes is a connection timeout") {
  TestServer silent([](ServerConn& c) { c.wait_close(); });
  Pki p;
  REQUIRE(p.ok);
  auto cfg = TlsClientConfig::create(trust_from_environment(env_of(p.ca())));
  REQUIRE(cfg);
  HttpErrc code = HttpErrc::internal_error;
  run_fiber([&] {
    Http1Options o;
    o.connector = loopback_connect;
    o.tls = *cfg;
    Http1Client client(o);
    Request r;
    r.scheme = "https";
    r.authority = "localhost:" + std::to_string(silent.port());
    RequestTimeouts t;
    t.connect_ns = 100 * 1000000ull;
    auto ex = client.send(r, t);
    if (!ex) code = ex.error().code;
  });
  CHECK(code == HttpErrc::connection_timeout);
}
