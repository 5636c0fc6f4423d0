// tls_transport.h — a TLS 1.2 client stream (mbedTLS) over another Transport.
// Contract:
//  * connect() runs the handshake without blocking the thread: mbedTLS's
//    WANT_READ / WANT_WRITE park the calling fiber on the inner transport
//    until the deadline (then connection-timeout).
//  * The peer's chain is verified against the config's CAs, always. A DNS
//    host is sent as SNI and matched against the certificate's DNS names
//    (wildcards as mbedTLS allows); an IP literal (v4 or v6, no brackets) is
//    not sent as SNI and must equal one of the certificate's iPAddress SANs.
//    Failures are TLS-certificate-error with mbedTLS's reason; a fatal alert
//    from the peer is TLS-alert-received with its id (also when our write
//    met the closed socket first: the plaintext alert is read back from the
//    receive queue); anything else TLS-protocol-error.
//  * Reads end (eof) at close_notify or at the inner stream's end; HTTP
//    framing above detects truncation.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "net/tls_config.h"
#include "net/transport.h"

namespace wippy::net {

class TlsTransport final : public Transport {
 public:
  static HttpResult<std::unique_ptr<Transport>> connect(std::shared_ptr<TlsClientConfig> cfg,
                                                        std::unique_ptr<Transport> inner,
                                                        std::string_view host, uint64_t deadline);
  ~TlsTransport() override;

  HttpResult<IoStep> try_read(std::span<uint8_t> buf) override;
  HttpResult<IoStep> try_write(std::span<const uint8_t> data) override;
  disp::Errc wait(IoWant want, uint64_t deadline) override;
  void shutdown_write(uint64_t deadline) override;
  void close() override;
  bool idle_ok() override;

  struct State;

 private:
  explicit TlsTransport(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// True for a dotted IPv4 or an IPv6 literal (without brackets).
bool is_ip_literal(std::string_view host);

}  // namespace wippy::net
