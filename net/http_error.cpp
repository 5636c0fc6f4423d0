// http_error.cpp — WIT names of HttpErrc cases and the Error conversion.
#include "net/http_error.h"

namespace wippy::net {

const char* http_errc_name(HttpErrc c) {
  switch (c) {
    case HttpErrc::dns_timeout: return "DNS-timeout";
    case HttpErrc::dns_error: return "DNS-error";
    case HttpErrc::destination_not_found: return "destination-not-found";
    case HttpErrc::destination_unavailable: return "destination-unavailable";
    case HttpErrc::destination_ip_prohibited: return "destination-IP-prohibited";
    case HttpErrc::destination_ip_unroutable: return "destination-IP-unroutable";
    case HttpErrc::connection_refused: return "connection-refused";
    case HttpErrc::connection_terminated: return "connection-terminated";
    case HttpErrc::connection_timeout: return "connection-timeout";
    case HttpErrc::connection_read_timeout: return "connection-read-timeout";
    case HttpErrc::connection_write_timeout: return "connection-write-timeout";
    case HttpErrc::connection_limit_reached: return "connection-limit-reached";
    case HttpErrc::tls_protocol_error: return "TLS-protocol-error";
    case HttpErrc::tls_certificate_error: return "TLS-certificate-error";
    case HttpErrc::tls_alert_received: return "TLS-alert-received";
    case HttpErrc::http_request_denied: return "HTTP-request-denied";
    case HttpErrc::http_request_length_required: return "HTTP-request-length-required";
    case HttpErrc::http_request_body_size: return "HTTP-request-body-size";
    case HttpErrc::http_request_method_invalid: return "HTTP-request-method-invalid";
    case HttpErrc::http_request_uri_invalid: return "HTTP-request-URI-invalid";
    case HttpErrc::http_request_uri_too_long: return "HTTP-request-URI-too-long";
    case HttpErrc::http_request_header_section_size: return "HTTP-request-header-section-size";
    case HttpErrc::http_request_header_size: return "HTTP-request-header-size";
    case HttpErrc::http_request_trailer_section_size: return "HTTP-request-trailer-section-size";
    case HttpErrc::http_request_trailer_size: return "HTTP-request-trailer-size";
    case HttpErrc::http_response_incomplete: return "HTTP-response-incomplete";
    case HttpErrc::http_response_header_section_size: return "HTTP-response-header-section-size";
    case HttpErrc::http_response_header_size: return "HTTP-response-header-size";
    case HttpErrc::http_response_body_size: return "HTTP-response-body-size";
    case HttpErrc::http_response_trailer_section_size: return "HTTP-response-trailer-section-size";
    case HttpErrc::http_response_trailer_size: return "HTTP-response-trailer-size";
    case HttpErrc::http_response_transfer_coding: return "HTTP-response-transfer-coding";
    case HttpErrc::http_response_content_coding: return "HTTP-response-content-coding";
    case HttpErrc::http_response_timeout: return "HTTP-response-timeout";
    case HttpErrc::http_upgrade_failed: return "HTTP-upgrade-failed";
    case HttpErrc::http_protocol_error: return "HTTP-protocol-error";
    case HttpErrc::loop_detected: return "loop-detected";
    case HttpErrc::configuration_error: return "configuration-error";
    case HttpErrc::internal_error: return "internal-error";
  }
  return "internal-error";
}

Error to_error(const HttpError& e) {
  std::string msg = http_errc_name(e.code);
  if (!e.message.empty()) {
    msg += ": ";
    msg += e.message;
  }
  return make_error(ErrorKind::Io, std::move(msg));
}

}  // namespace wippy::net
