// net_error.h — errors of the net layer as values: wasi:sockets error codes.
// Contract: ErrorCode has exactly the cases of wasi:sockets/network
// `error-code` (0.2.0 … 0.2.12), in the WIT's order, so a host function can pass the
// value straight to the guest. error_from_errno maps a Linux errno to a
// code; the mapping depends on the operation where the WIT documents a
// different meaning (EADDRNOTAVAIL is address-not-bindable for bind but
// address-in-use for connect: no ephemeral port left; EMFILE is
// new-socket-limit only when creating a socket). This is not the
// filesystem mapping (fs/fs_error.h). NetResult<T> holds a T or a code.
#pragma once
#include <cstdint>
#include "base/result.h"
#include "dispatcher/errc.h"

namespace wippy::net {

enum class ErrorCode : uint8_t {
  unknown,
  access_denied,
  not_supported,
  invalid_argument,
  out_of_memory,
  timeout,
  concurrency_conflict,
  not_in_progress,
  would_block,
  invalid_state,
  new_socket_limit,
  address_not_bindable,
  address_in_use,
  remote_unreachable,
  connection_refused,
  connection_reset,
  connection_aborted,
  datagram_too_large,
  name_unresolvable,
  temporary_resolver_failure,
  permanent_resolver_failure,
};
inline constexpr int kErrorCodeCount = 21;

// The WIT spelling ("access-denied", ...).
const char* error_code_name(ErrorCode e);

// Which call failed, for the cases whose errno means something different.
enum class Op : uint8_t { other, create, bind, connect, listen, accept, send, receive, option };

ErrorCode error_from_errno(int err, Op op = Op::other);

// A dispatcher wait that did not end with Errc::ok: timed_out is `timeout`;
// cancelled / deadline_exceeded / not_in_fiber / others are `unknown` (the
// host layer asks this_fiber::cancelled() / deadline_exceeded() to trap).
ErrorCode error_from_wait(disp::Errc e);

template <class T>
using NetResult = Result<T, ErrorCode>;

}  // namespace wippy::net
