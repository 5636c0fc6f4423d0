// net_error.cpp — names of the wasi:sockets error codes and the errno map.
#include "net/net_error.h"

#include <cerrno>

namespace wippy::net {

const char* error_code_name(ErrorCode e) {
  switch (e) {
    case ErrorCode::unknown: return "unknown";
    case ErrorCode::access_denied: return "access-denied";
    case ErrorCode::not_supported: return "not-supported";
    case ErrorCode::invalid_argument: return "invalid-argument";
    case ErrorCode::out_of_memory: return "out-of-memory";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::concurrency_conflict: return "concurrency-conflict";
    case ErrorCode::not_in_progress: return "not-in-progress";
    case ErrorCode::would_block: return "would-block";
    case ErrorCode::invalid_state: return "invalid-state";
    case ErrorCode::new_socket_limit: return "new-socket-limit";
    case ErrorCode::address_in_use: return "address-in-use";
    case ErrorCode::address_not_bindable: return "address-not-bindable";
    case ErrorCode::remote_unreachable: return "remote-unreachable";
    case ErrorCode::connection_refused: return "connection-refused";
    case ErrorCode::connection_reset: return "connection-reset";
    case ErrorCode::connection_aborted: return "connection-aborted";
    case ErrorCode::datagram_too_large: return "datagram-too-large";
    case ErrorCode::name_unresolvable: return "name-unresolvable";
    case ErrorCode::temporary_resolver_failure: return "temporary-resolver-failure";
    case ErrorCode::permanent_resolver_failure: return "permanent-resolver-failure";
  }
  return "unknown";
}

ErrorCode error_from_errno(int err, Op op) {
  switch (err) {
    case EACCES:
    case EPERM: return ErrorCode::access_denied;
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
    case EOPNOTSUPP:
    case ENOPROTOOPT: return ErrorCode::not_supported;
    case EINVAL:
    case EDESTADDRREQ:
    case EFAULT: return ErrorCode::invalid_argument;
    case ENOMEM:
    case ENOBUFS: return op == Op::create ? ErrorCode::new_socket_limit : ErrorCode::out_of_memory;
    case EMFILE:
    case ENFILE: return op == Op::create || op == Op::accept ? ErrorCode::new_socket_limit
                                                              : ErrorCode::unknown;
    case ETIMEDOUT: return ErrorCode::timeout;
    case EALREADY: return ErrorCode::concurrency_conflict;
    case EAGAIN:
    case EINPROGRESS: return ErrorCode::would_block;
    case EISCONN:
    case ENOTCONN: return ErrorCode::invalid_state;
    case EADDRINUSE: return ErrorCode::address_in_use;
    case EADDRNOTAVAIL:
      // bind: the address is not local. connect/send: Linux reports the
      // ephemeral port range as exhausted this way.
      return op == Op::bind ? ErrorCode::address_not_bindable : ErrorCode::address_in_use;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case ENONET: return ErrorCode::remote_unreachable;
    case ECONNREFUSED: return ErrorCode::connection_refused;
    case ECONNRESET:
    case EPIPE: return ErrorCode::connection_reset;
    case ECONNABORTED: return ErrorCode::connection_aborted;
    case EMSGSIZE: return ErrorCode::datagram_too_large;
    default: return ErrorCode::unknown;
  }
}

ErrorCode error_from_wait(disp::Errc e) {
  return e == disp::Errc::timed_out ? ErrorCode::timeout : ErrorCode::unknown;
}

}  // namespace wippy::net
