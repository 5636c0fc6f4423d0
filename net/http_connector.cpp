// http_connector.cpp — resolve, check the grant, connect (see http_connector.h).
#include "net/http_connector.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "dispatcher/loop.h"
#include "interp/quote.h"
#include "net/socket.h"
#include "net/transport_fd.h"

namespace wippy::net {

namespace {

HttpError dns_failure(ErrorCode e, std::string_view host) {
  if (e == ErrorCode::timeout) return http_error(HttpErrc::dns_timeout, "DNS lookup of " + quote_input(host, 80) + " timed out");
  HttpError err = http_error(HttpErrc::dns_error, fmt::format("DNS lookup of {} failed: {}", quote_input(host, 80),
                                                               error_code_name(e)));
  err.dns_rcode = e == ErrorCode::name_unresolvable ? "NXDOMAIN" : error_code_name(e);
  return err;
}

HttpError connect_failure(ErrorCode e, const SocketAddress& a) {
  const std::string where = format_socket_address(a);
  switch (e) {
    case ErrorCode::connection_refused: return http_error(HttpErrc::connection_refused, "connection refused by " + where);
    case ErrorCode::timeout: return http_error(HttpErrc::connection_timeout, "connecting to " + where + " timed out");
    case ErrorCode::remote_unreachable:
      return http_error(HttpErrc::destination_unavailable, where + " is unreachable");
    case ErrorCode::new_socket_limit:
      return http_error(HttpErrc::connection_limit_reached, "no socket left to connect to " + where);
    default: return http_error(HttpErrc::connection_terminated, fmt::format("connecting to {}: {}", where, error_code_name(e)));
  }
}

HttpResult<std::vector<IpAddress>> addresses_of(const ResolverOptions& opts, std::string_view host, uint64_t deadline) {
  if (auto ip = parse_ip(host)) return std::vector<IpAddress>{*ip};
  if (!valid_host_name(host)) return http_error(HttpErrc::http_request_uri_invalid, "invalid host " + quote_input(host, 80));
  disp::Loop* loop = disp::Loop::current();
  if (!loop) return http_error(HttpErrc::internal_error, "no dispatcher loop to resolve " + quote_input(host, 80));
  auto resolver = Resolver::create(*loop, opts);
  if (!resolver) return http_error(HttpErrc::internal_error, "cannot start the resolver: " + resolver.error().message);
  auto found = (*resolver)->resolve(host, deadline);
  if (!found) return dns_failure(found.error(), host);
  if (found->empty()) return dns_failure(ErrorCode::name_unresolvable, host);
  return std::move(*found);
}

}  // namespace

Connector grant_connector(Policy network, ResolverOptions resolver) {
  return [network = std::move(network), resolver = std::move(resolver)](
             std::string_view /*scheme*/, std::string_view host, uint16_t port,
             uint64_t deadline) -> HttpResult<std::unique_ptr<Transport>> {
    if (!disp::Loop::current()) return http_error(HttpErrc::internal_error, "HTTP requests need a dispatcher fiber");
    auto addrs = addresses_of(resolver, host, deadline);
    if (!addrs) return addrs.error();
    std::optional<HttpError> last;
    bool any_allowed = false;
    for (const IpAddress& ip : *addrs) {
      if (!network.allows(Proto::tcp, ip, port)) continue;
      any_allowed = true;
      const SocketAddress to = make_socket_address(ip, port);
      auto sock = Socket::create(family_of(ip), Proto::tcp);
      if (!sock) {
        last = connect_failure(sock.error(), to);
        continue;
      }
      auto c = sock->connect(to, deadline);
      if (!c) {
        last = connect_failure(c.error(), to);
        if (c.error() == ErrorCode::timeout) break;  // the deadline is spent
        continue;
      }
      const int fd = sock->release();
      // The client writes a request (and a TLS handshake flight) in several
      // pieces; with Nagle a later piece waits for the peer's delayed ACK
      // of the first (~40 ms on Linux). curl and browsers set it too.
      const int one = 1;
      (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return std::unique_ptr<Transport>(std::make_unique<FdTransport>(fd));
    }
    if (!any_allowed)
      return http_error(HttpErrc::http_request_denied,
                        fmt::format("the network grant allows no address of {}:{}", quote_input(host, 80), port));
    return std::move(*last);
  };
}

}  // namespace wippy::net
