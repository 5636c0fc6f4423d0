// http_error.h — errors of the HTTP client and its transports, as values.
// Contract: HttpErrc mirrors the cases of wasi:http/types `error-code`
// (0.2.x) one to one, in the WIT's order, so the host functions can map an
// HttpError onto the guest's variant without guessing; the optional payload
// fields carry what some cases hold (a size, a field name, a TLS alert, a
// DNS rcode). HttpResult<T> is a wippy::Result<T, HttpError>
// (base/result.h): it carries an HttpError instead of an Error, because
// callers need the code; to_error() turns it into a plain Error for layers that do not.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/result.h"

namespace wippy::net {

enum class HttpErrc : uint8_t {
  dns_timeout,
  dns_error,
  destination_not_found,
  destination_unavailable,
  destination_ip_prohibited,
  destination_ip_unroutable,
  connection_refused,
  connection_terminated,
  connection_timeout,
  connection_read_timeout,
  connection_write_timeout,
  connection_limit_reached,
  tls_protocol_error,
  tls_certificate_error,
  tls_alert_received,
  http_request_denied,
  http_request_length_required,
  http_request_body_size,
  http_request_method_invalid,
  http_request_uri_invalid,
  http_request_uri_too_long,
  http_request_header_section_size,
  http_request_header_size,
  http_request_trailer_section_size,
  http_request_trailer_size,
  http_response_incomplete,
  http_response_header_section_size,
  http_response_header_size,
  http_response_body_size,
  http_response_trailer_section_size,
  http_response_trailer_size,
  http_response_transfer_coding,
  http_response_content_coding,
  http_response_timeout,
  http_upgrade_failed,
  http_protocol_error,
  loop_detected,
  configuration_error,
  internal_error,
};

// The WIT spelling of the case ("connection-refused", "HTTP-protocol-error").
const char* http_errc_name(HttpErrc c);

struct HttpError {
  HttpErrc code = HttpErrc::internal_error;
  std::string message;                  // human-readable, bounded (quote_input)
  std::optional<uint64_t> size;         // *-size cases: the size seen or the limit
  std::optional<std::string> field_name;// *-header-size / *-trailer-size
  std::optional<uint8_t> tls_alert;     // tls-alert-received: the alert id
  std::optional<std::string> dns_rcode; // dns-error
  std::optional<uint16_t> dns_info_code;
};

inline HttpError http_error(HttpErrc c, std::string msg) {
  HttpError e;
  e.code = c;
  e.message = std::move(msg);
  return e;
}

// "HTTP-protocol-error: <message>" as an Io error.
Error to_error(const HttpError& e);

// A value or an HttpError (base/result.h).
template <class T>
using HttpResult = Result<T, HttpError>;

}  // namespace wippy::net
