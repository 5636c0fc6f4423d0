// tls_transport.cpp — mbedTLS client sessions over a Transport, with the
// iPAddress SAN check mbedTLS 2.28 lacks.
#include "net/tls_transport.h"

#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/net_sockets.h>

#include <cstring>
#include <optional>

#include "interp/quote.h"
#include "net/tls_impl.h"

namespace wippy::net {

struct TlsTransport::State {
  std::shared_ptr<TlsClientConfig> cfg;
  std::unique_ptr<Transport> inner;
  mbedtls_ssl_context ssl;
  IoWant want = IoWant::none;          // what the inner transport asked for last
  std::optional<HttpError> inner_err;  // an inner failure seen inside a BIO callback
  bool closed = false;

  State() { mbedtls_ssl_init(&ssl); }
  ~State() { mbedtls_ssl_free(&ssl); }
};

namespace {

using State = TlsTransport::State;

int bio_send(void* ctx, const unsigned char* buf, size_t len) {
  auto* s = static_cast<State*>(ctx);
  auto step = s->inner->try_write(std::span(buf, len));
  if (!step) {
    s->inner_err = std::move(step.error());
    return MBEDTLS_ERR_NET_SEND_FAILED;
  }
  if (step->n > 0) return static_cast<int>(step->n);
  s->want = step->want == IoWant::none ? IoWant::write : step->want;
  return MBEDTLS_ERR_SSL_WANT_WRITE;
}

int bio_recv(void* ctx, unsigned char* buf, size_t len) {
  auto* s = static_cast<State*>(ctx);
  auto step = s->inner->try_read(std::span(buf, len));
  if (!step) {
    s->inner_err = std::move(step.error());
    return MBEDTLS_ERR_NET_RECV_FAILED;
  }
  if (step->eof) return 0;
  if (step->n > 0) return static_cast<int>(step->n);
  s->want = step->want == IoWant::none ? IoWant::read : step->want;
  return MBEDTLS_ERR_SSL_WANT_READ;
}

// What to wait for after mbedTLS said WANT_READ / WANT_WRITE: the inner
// transport's own request when it made one.
IoWant want_of(State& s, int rc) {
  const IoWant w = s.want != IoWant::none ? s.want : rc == MBEDTLS_ERR_SSL_WANT_WRITE ? IoWant::write : IoWant::read;
  s.want = IoWant::none;
  return w;
}

bool is_want(int rc) { return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE; }

HttpError tls_failure(State& s, int rc, std::string_view during) {
  if (s.inner_err) {
    HttpError e = std::move(*s.inner_err);
    s.inner_err.reset();
    return e;
  }
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
    char info[512];
    const int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", mbedtls_ssl_get_verify_result(&s.ssl));
    std::string why = n > 0 ? std::string(info, static_cast<size_t>(n)) : "verification failed";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (char& c : why)
      if (c == '\n') c = ';';
    return http_error(HttpErrc::tls_certificate_error, "certificate verification failed: " + why);
  }
  if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
    HttpError e = http_error(HttpErrc::tls_alert_received, "the peer sent a fatal TLS alert");
    if (s.ssl.in_msg != nullptr) {
      e.tls_alert = s.ssl.in_msg[1];
      e.message += " (" + std::to_string(s.ssl.in_msg[1]) + ")";
    }
    return e;
  }
  if (rc == MBEDTLS_ERR_SSL_CONN_EOF || rc == MBEDTLS_ERR_NET_CONN_RESET)
    return http_error(HttpErrc::connection_terminated, std::string("the peer closed the connection during ") +
                                                           std::string(during));
  return http_error(HttpErrc::tls_protocol_error, std::string(during) + ": " + mbedtls_message(rc));
}

// The peer certificate's iPAddress SANs ([7] IMPLICIT OCTET STRING, 4 or 16
// bytes) compared with the literal host.
bool cert_has_ip(const mbedtls_x509_crt& crt, std::string_view host) {
  unsigned char want[16];
  size_t want_len = 0;
  const std::string h(host);
  if (inet_pton(AF_INET, h.c_str(), want) == 1)
    want_len = 4;
  else if (inet_pton(AF_INET6, h.c_str(), want) == 1)
    want_len = 16;
  else
    return false;
  constexpr int kIpTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
  for (const mbedtls_x509_sequence* san = &crt.subject_alt_names; san != nullptr; san = san->next) {
    if (san->buf.p == nullptr || san->buf.tag != kIpTag) continue;
    if (san->buf.len == want_len && std::memcmp(san->buf.p, want, want_len) == 0) return true;
  }
  return false;
}

// A server that rejects our flight sends a fatal alert and closes; our
// write then fails (EPIPE) before mbedTLS reads the alert. Alerts before
// ChangeCipherSpec are plaintext records: 15 03 0x 00 02 <level> <id>.
void pending_alert(Transport& inner, HttpError& e) {
  uint8_t rec[7];
  size_t got = 0;
  while (got < sizeof rec) {
    auto step = inner.try_read(std::span(rec + got, sizeof rec - got));
    if (!step || step->n == 0) return;
    got += step->n;
  }
  if (rec[0] == 0x15 && rec[1] == 0x03 && rec[3] == 0x00 && rec[4] == 0x02 && rec[5] == 0x02) {
    e = http_error(HttpErrc::tls_alert_received, "the peer sent a fatal TLS alert (" + std::to_string(rec[6]) + ")");
    e.tls_alert = rec[6];
  }
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  unsigned char buf[16];
  const std::string h(host);
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

TlsTransport::TlsTransport(std::unique_ptr<State> s) : s_(std::move(s)) {}
TlsTransport::~TlsTransport() { close(); }

HttpResult<std::unique_ptr<Transport>> TlsTransport::connect(std::shared_ptr<TlsClientConfig> cfg,
                                                             std::unique_ptr<Transport> inner,
                                                             std::string_view host, uint64_t deadline) {
  auto s = std::make_unique<State>();
  s->cfg = std::move(cfg);
  s->inner = std::move(inner);
  int rc = mbedtls_ssl_setup(&s->ssl, &s->cfg->impl().conf);
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS session setup: " + mbedtls_message(rc));
  const bool ip = is_ip_literal(host);
  if (!ip) {
    // SNI and the name the chain is checked against.
    rc = mbedtls_ssl_set_hostname(&s->ssl, std::string(host).c_str());
    if (rc != 0)
      return http_error(HttpErrc::tls_protocol_error, "TLS host name " + quote_input(host) + ": " + mbedtls_message(rc));
  }
  mbedtls_ssl_set_bio(&s->ssl, s.get(), bio_send, bio_recv, nullptr);
  for (;;) {
    rc = mbedtls_ssl_handshake(&s->ssl);
    if (rc == 0) break;
    if (!is_want(rc) || s->inner_err) {
      HttpError e = tls_failure(*s, rc, "TLS handshake");
      if (e.code == HttpErrc::connection_terminated) pending_alert(*s->inner, e);
      return e;
    }
    if (deadline != disp::kNever && disp::now_ns() >= deadline)
      return http_error(HttpErrc::connection_timeout, "TLS handshake timed out");
    const disp::Errc e = s->inner->wait(want_of(*s, rc), deadline);
    if (e != disp::Errc::ok) {
      HttpError err = wait_error(e, HttpErrc::connection_timeout);
      if (e == disp::Errc::timed_out) err.message = "TLS handshake timed out";
      return err;
    }
  }
  if (ip) {
    const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&s->ssl);
    if (peer == nullptr || !cert_has_ip(*peer, host)) {
      (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                           MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
      return http_error(HttpErrc::tls_certificate_error,
                        "certificate verification failed: no iPAddress SAN matches " + quote_input(host));
    }
  }
  return std::unique_ptr<Transport>(new TlsTransport(std::move(s)));
}

HttpResult<IoStep> TlsTransport::try_read(std::span<uint8_t> buf) {
  if (s_->closed) return http_error(HttpErrc::connection_terminated, "the connection is closed");
  const int rc = mbedtls_ssl_read(&s_->ssl, buf.data(), buf.size());
  if (rc > 0) return IoStep{static_cast<size_t>(rc), false, IoWant::none};
  if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || (rc == MBEDTLS_ERR_SSL_CONN_EOF && !s_->inner_err))
    return IoStep{0, true, IoWant::none};
  if (is_want(rc) && !s_->inner_err) return IoStep{0, false, want_of(*s_, rc)};
  return tls_failure(*s_, rc, "TLS read");
}

HttpResult<IoStep> TlsTransport::try_write(std::span<const uint8_t> data) {
  if (s_->closed) return http_error(HttpErrc::connection_terminated, "the connection is closed");
  const int rc = mbedtls_ssl_write(&s_->ssl, data.data(), data.size());
  if (rc > 0) return IoStep{static_cast<size_t>(rc), false, IoWant::none};
  if (is_want(rc) && !s_->inner_err) return IoStep{0, false, want_of(*s_, rc)};
  return tls_failure(*s_, rc, "TLS write");
}

disp::Errc TlsTransport::wait(IoWant want, uint64_t deadline) { return s_->inner->wait(want, deadline); }

void TlsTransport::shutdown_write(uint64_t deadline) {
  if (s_->closed) return;
  for (;;) {
    const int rc = mbedtls_ssl_close_notify(&s_->ssl);
    if (!is_want(rc) || s_->inner_err) break;
    if (s_->inner->wait(want_of(*s_, rc), deadline) != disp::Errc::ok) break;
  }
  s_->inner->shutdown_write(deadline);
}

void TlsTransport::close() {
  if (s_ && !s_->closed) {
    s_->closed = true;
    s_->inner->close();
  }
}

bool TlsTransport::idle_ok() {
  return !s_->closed && mbedtls_ssl_get_bytes_avail(&s_->ssl) == 0 && s_->inner->idle_ok();
}

}  // namespace wippy::net
