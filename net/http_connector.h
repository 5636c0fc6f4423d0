// http_connector.h — the Connector (transport.h) the wasi:http host gives
// its HTTP client: names resolved through c-ares, every address checked
// against the network grant, TCP connects that park only the calling fiber.
// Contract:
//  * An IP literal host is used as is; a name is resolved by a Resolver made
//    on the calling fiber's Loop for this connect (so nothing outlives the
//    loop), with ResolverOptions from the instance.
//  * Only addresses that Policy::allows(tcp, address, port) are tried, in
//    the resolver's order; none allowed: HTTP-request-denied (nothing is
//    connected). The first that connects wins; otherwise the last error:
//    connection-refused, destination-unavailable (unreachable),
//    connection-timeout (the deadline, which covers resolution too).
//  * DNS failures: a timeout is DNS-timeout; a name with no address is
//    DNS-error with rcode "NXDOMAIN"; other failures DNS-error with the
//    resolver's error name as rcode. A syntactically bad host is
//    HTTP-request-URI-invalid.
//  * Connected sockets have TCP_NODELAY set (the client writes in pieces).
//  * Outside a fiber (no Loop running) the connector fails with
//    internal-error rather than blocking the thread.
#pragma once
#include "net/resolver.h"
#include "net/rules.h"
#include "net/transport.h"

namespace wippy::net {

Connector grant_connector(Policy network, ResolverOptions resolver);

}  // namespace wippy::net
