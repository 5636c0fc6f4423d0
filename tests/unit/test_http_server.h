// test_http_server.h — test helpers for net/: loopback HTTP(S) servers on
// threads with blocking sockets, a loopback connector, and a throwaway CA
// made with the openssl CLI.
// Contract:
//  * TestServer listens on 127.0.0.1:<ephemeral>, runs `handler` for each
//    accepted connection on its own thread, counts accepts, and on
//    destruction shuts every socket down and joins every thread. With a
//    TlsServerCert it speaks TLS (mbedTLS, blocking) and records the SNI name.
//  * loopback_connector() maps "localhost" and numeric IPs to a
//    non-blocking connect that parks the fiber (refused -> connection-refused,
//    deadline -> connection-timeout).
//  (The scripted in-memory transport is tests/fuzz/scripted_transport.h.)
//  * TestPki writes a CA and leaf certificates into a temporary directory
//    (removed at destruction); nothing private is committed.
#pragma once
#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/dispatcher.h"
#include "dispatcher/this_fiber.h"
#include "net/transport_fd.h"
#include "tests/unit/loop_or_exit.h"

namespace wippy::testing {

// ---- certificates -------------------------------------------------------

class TestPki {
 public:
  TestPki() {
    char tmpl[] = "/tmp/wippy-http-pki-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d != nullptr) dir_ = d;
  }
  ~TestPki() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // name.crt / name.key: a self-signed CA.
  bool make_ca(const std::string& name) {
    return run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" + name +
               " -keyout " + path(name + ".key") + " -out " + path(name + ".crt"));
  }
  // name.crt / name.key: a leaf for `san` (e.g. "DNS:localhost,IP:127.0.0.1") signed by ca.
  bool make_leaf(const std::string& name, const std::string& ca, const std::string& san) {
    {
      std::ofstream ext(path(name + ".ext"));
      ext << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n";
    }
    return run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name + " -keyout " +
               path(name + ".key") + " -out " + path(name + ".csr")) &&
           run("openssl x509 -req -days 2 -in " + path(name + ".csr") + " -CA " + path(ca + ".crt") + " -CAkey " +
               path(ca + ".key") + " -CAcreateserial -out " + path(name + ".crt") + " -extfile " +
               path(name + ".ext"));
  }

 private:
  static bool run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }
  std::string dir_;
};

// ---- a TLS server identity ---------------------------------------------

struct TlsServerCert {
  std::string cert_file, key_file;
  bool no_shared_cipher = false;     // offer only a PSK suite: the handshake ends in a fatal alert
  bool require_client_cert = false;  // the client sends none: a fatal alert after its whole flight
};

class ServerTls {
 public:
  explicit ServerTls(const TlsServerCert& c) {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    mbedtls_x509_crt_init(&crt_);
    mbedtls_pk_init(&key_);
    mbedtls_ssl_config_init(&conf_);
    ok_ = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, nullptr, 0) == 0 &&
          mbedtls_x509_crt_parse_file(&crt_, c.cert_file.c_str()) == 0 &&
          mbedtls_pk_parse_keyfile(&key_, c.key_file.c_str(), nullptr) == 0 &&
          mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT) == 0;
    if (!ok_) return;
    mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
    ok_ = mbedtls_ssl_conf_own_cert(&conf_, &crt_, &key_) == 0;
    if (c.no_shared_cipher) mbedtls_ssl_conf_ciphersuites(&conf_, kPskOnly);
    if (c.require_client_cert) {
      mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
      mbedtls_ssl_conf_ca_chain(&conf_, &crt_, nullptr);
    }
    mbedtls_ssl_conf_sni(&conf_, &ServerTls::on_sni, this);
  }
  ~ServerTls() {
    mbedtls_ssl_config_free(&conf_);
    mbedtls_pk_free(&key_);
    mbedtls_x509_crt_free(&crt_);
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  bool ok() const { return ok_; }
  mbedtls_ssl_config* conf() { return &conf_; }
  std::mutex mu;  // the RNG and the SNI record are shared by connection threads
  std::string last_sni;
  int sni_calls = 0;

 private:
  static constexpr int kPskOnly[] = {MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0};
  static int on_sni(void* self, mbedtls_ssl_context*, const unsigned char* name, size_t len) {
    auto* s = static_cast<ServerTls*>(self);
    s->last_sni.assign(reinterpret_cast<const char*>(name), len);
    ++s->sni_calls;
    return 0;
  }
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_x509_crt crt_;
  mbedtls_pk_context key_;
  mbedtls_ssl_config conf_;
  bool ok_ = false;
};

// ---- one accepted connection (server side) ------------------------------

class ServerConn {
 public:
  ServerConn(int fd, ServerTls* tls) : fd_(fd), tls_(tls) {
    if (tls_ == nullptr) return;
    mbedtls_ssl_init(&ssl_);
    net_.fd = fd_;
    std::lock_guard<std::mutex> lk(tls_->mu);
    if (mbedtls_ssl_setup(&ssl_, tls_->conf()) != 0) return;
    mbedtls_ssl_set_bio(&ssl_, &net_, &ServerConn::send_nosig, mbedtls_net_recv, nullptr);
  }
  ~ServerConn() {
    if (tls_ != nullptr) mbedtls_ssl_free(&ssl_);
  }
  // TLS: runs the handshake (false when the client gave up, e.g. a bad certificate).
  bool handshake() {
    if (tls_ == nullptr) return true;
    for (;;) {
      int rc;
      {
        std::lock_guard<std::mutex> lk(tls_->mu);
        rc = mbedtls_ssl_handshake(&ssl_);
      }
      if (rc == 0) return true;
      if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      // Tell the client why, as OpenSSL-based servers do (mbedTLS does not always).
      if (rc != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && rc != MBEDTLS_ERR_NET_CONN_RESET &&
          rc != MBEDTLS_ERR_SSL_CONN_EOF)
        mbedtls_ssl_send_alert_message(&ssl_, MBEDTLS_SSL_ALERT_LEVEL_FATAL, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
      return false;
    }
  }
  bool write(std::string_view s) {
    while (!s.empty()) {
      ssize_t n;
      if (tls_ != nullptr) {
        n = mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(s.data()), s.size());
        if (n == MBEDTLS_ERR_SSL_WANT_WRITE || n == MBEDTLS_ERR_SSL_WANT_READ) continue;
      } else {
        n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      }
      if (n <= 0) return false;
      s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // The request head up to and including the blank line; empty at EOF.
  std::string read_head() {
    for (;;) {
      const size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = buf_.substr(0, end + 4);
        buf_.erase(0, end + 4);
        return head;
      }
      if (!fill()) return {};
    }
  }
  std::string read_exact(size_t n) {
    while (buf_.size() < n)
      if (!fill()) break;
    std::string out = buf_.substr(0, std::min(n, buf_.size()));
    buf_.erase(0, out.size());
    return out;
  }
  std::string read_line() {  // without CRLF
    for (;;) {
      const size_t end = buf_.find("\r\n");
      if (end != std::string::npos) {
        std::string line = buf_.substr(0, end);
        buf_.erase(0, end + 2);
        return line;
      }
      if (!fill()) return {};
    }
  }
  // A chunked body: the decoded data, and the raw trailer lines in *trailers.
  std::string read_chunked(std::string* trailers = nullptr) {
    std::string body;
    for (;;) {
      const std::string size_line = read_line();
      const size_t n = std::strtoul(size_line.c_str(), nullptr, 16);
      if (n == 0) break;
      body += read_exact(n);
      read_line();
    }
    for (;;) {
      const std::string t = read_line();
      if (t.empty()) break;
      if (trailers != nullptr) *trailers += t + "\n";
    }
    return body;
  }
  // Waits until the client closes (or the server shuts down).
  void wait_close() {
    while (fill()) {
    }
  }
  int fd() const { return fd_; }

 private:
  // mbedtls_net_send without SIGPIPE when the client has gone.
  static int send_nosig(void* ctx, const unsigned char* buf, size_t len) {
    const ssize_t n = ::send(static_cast<mbedtls_net_context*>(ctx)->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
  }
  bool fill() {
    char tmp[16384];
    ssize_t n;
    if (tls_ != nullptr) {
      do {
        n = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(tmp), sizeof tmp);
      } while (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE);
    } else {
      n = ::recv(fd_, tmp, sizeof tmp, 0);
    }
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  ServerTls* tls_;
  mbedtls_ssl_context ssl_;
  mbedtls_net_context net_{};
  std::string buf_;
};

// Content-Length of a request head (0 when absent).
inline size_t head_content_length(const std::string& head) {
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = lower.find("\r\ncontent-length:");
  return at == std::string::npos ? 0 : std::strtoul(lower.c_str() + at + 17, nullptr, 10);
}

// ---- the server ---------------------------------------------------------

class TestServer {
 public:
  using Handler = std::function<void(ServerConn&)>;

  // v6: listen on [::1] instead of 127.0.0.1 (port() is 0 when that fails).
  explicit TestServer(Handler h, const TlsServerCert* cert = nullptr, bool v6 = false) : handler_(std::move(h)) {
    if (cert != nullptr) tls_ = std::make_unique<ServerTls>(*cert);
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(listen_fd_, 1024) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
      return;
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TestServer() {
    stopping_ = true;
    if (!acceptor_.joinable()) {
      ::close(listen_fd_);
      return;
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int accepts() const { return accepts_.load(); }
  bool tls_ok() const { return tls_ == nullptr || tls_->ok(); }
  std::string last_sni() {
    std::lock_guard<std::mutex> lk(tls_->mu);
    return tls_->last_sni;
  }
  int sni_calls() {
    std::lock_guard<std::mutex> lk(tls_->mu);
    return tls_->sni_calls;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_ || (errno != EINTR && errno != ECONNABORTED)) return;
        continue;
      }
      ++accepts_;
      int one = 1;  // small writes (dribbling servers) go out at once
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard<std::mutex> lk(mu_);
      conn_fds_.push_back(fd);
      workers_.emplace_back([this, fd] {
        {
          ServerConn c(fd, tls_.get());
          if (c.handshake()) handler_(c);
        }
        std::lock_guard<std::mutex> lk2(mu_);
        std::erase(conn_fds_, fd);
        ::close(fd);
      });
    }
  }

  Handler handler_;
  std::unique_ptr<ServerTls> tls_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> workers_;
};

// ---- client side ----------------------------------------------------------

inline net::HttpResult<std::unique_ptr<net::Transport>> loopback_connect(std::string_view, std::string_view host,
                                                                          uint16_t port, uint64_t deadline) {
  using net::HttpErrc;
  std::string h(host == "localhost" ? "127.0.0.1" : std::string(host));
  sockaddr_storage ss{};
  socklen_t len;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return net::http_error(HttpErrc::destination_not_found, "test connector: not a loopback name");
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return net::http_error(HttpErrc::internal_error, "socket");
  auto t = std::make_unique<net::FdTransport>(fd);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return net::http_error(HttpErrc::connection_refused, std::strerror(errno));
    const disp::Errc e = disp::this_fiber::wait_writable(fd, deadline);
    if (e != disp::Errc::ok) return net::wait_error(e, HttpErrc::connection_timeout);
    int err = 0;
    socklen_t el = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err == ECONNREFUSED) return net::http_error(HttpErrc::connection_refused, "connection refused");
    if (err != 0) return net::http_error(HttpErrc::connection_terminated, std::strerror(err));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return std::unique_ptr<net::Transport>(std::move(t));
}

// Runs fn in a fiber on a fresh Loop until it returns.
inline void run_fiber(std::function<void()> fn) {
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  loop.spawn(std::move(fn));
  loop.run();
}

}  // namespace wippy::testing
