// http_wit.h — the WIT types of wasi:http/types@0.2.x for the typed binding
// API (component/bind.h), shared by hostfns/http_*.cpp: method, scheme,
// header-error, error-code (with its DNS, TLS-alert and field-size
// payloads), and their conversions to and from net/ values. error-code's
// cases are net::HttpErrc's, in the same (WIT) order, so a net::HttpError
// maps onto the variant by index. Checked against each importing component
// at instantiation.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "component/bind.h"
#include "net/http_error.h"

namespace wippy::hostfns::wasihttp {

using component::WitCase;

using WitMethod = std::variant<WitCase<"get">, WitCase<"head">, WitCase<"post">, WitCase<"put">,
                               WitCase<"delete">, WitCase<"connect">, WitCase<"options">, WitCase<"trace">,
                               WitCase<"patch">, WitCase<"other", std::string>>;
using WitScheme = std::variant<WitCase<"HTTP">, WitCase<"HTTPS">, WitCase<"other", std::string>>;
using WitHeaderError = std::variant<WitCase<"invalid-syntax">, WitCase<"forbidden">, WitCase<"immutable">>;

struct DnsErrorPayload {
  std::optional<std::string> rcode;
  std::optional<uint16_t> info_code;
};
inline auto wit_describe(const DnsErrorPayload*) {
  return component::wit_record(component::wit_field("rcode", &DnsErrorPayload::rcode),
                               component::wit_field("info-code", &DnsErrorPayload::info_code));
}
struct TlsAlertPayload {
  std::optional<uint8_t> alert_id;
  std::optional<std::string> alert_message;
};
inline auto wit_describe(const TlsAlertPayload*) {
  return component::wit_record(component::wit_field("alert-id", &TlsAlertPayload::alert_id),
                               component::wit_field("alert-message", &TlsAlertPayload::alert_message));
}
struct FieldSizePayload {
  std::optional<std::string> field_name;
  std::optional<uint32_t> field_size;
};
inline auto wit_describe(const FieldSizePayload*) {
  return component::wit_record(component::wit_field("field-name", &FieldSizePayload::field_name),
                               component::wit_field("field-size", &FieldSizePayload::field_size));
}

using OptU32 = std::optional<uint32_t>;
using OptU64 = std::optional<uint64_t>;
using OptStr = std::optional<std::string>;
using WitErrorCode = std::variant<
    WitCase<"DNS-timeout">, WitCase<"DNS-error", DnsErrorPayload>, WitCase<"destination-not-found">,
    WitCase<"destination-unavailable">, WitCase<"destination-IP-prohibited">, WitCase<"destination-IP-unroutable">,
    WitCase<"connection-refused">, WitCase<"connection-terminated">, WitCase<"connection-timeout">,
    WitCase<"connection-read-timeout">, WitCase<"connection-write-timeout">, WitCase<"connection-limit-reached">,
    WitCase<"TLS-protocol-error">, WitCase<"TLS-certificate-error">,
    WitCase<"TLS-alert-received", TlsAlertPayload>, WitCase<"HTTP-request-denied">,
    WitCase<"HTTP-request-length-required">, WitCase<"HTTP-request-body-size", OptU64>,
    WitCase<"HTTP-request-method-invalid">, WitCase<"HTTP-request-URI-invalid">,
    WitCase<"HTTP-request-URI-too-long">, WitCase<"HTTP-request-header-section-size", OptU32>,
    WitCase<"HTTP-request-header-size", std::optional<FieldSizePayload>>,
    WitCase<"HTTP-request-trailer-section-size", OptU32>, WitCase<"HTTP-request-trailer-size", FieldSizePayload>,
    WitCase<"HTTP-response-incomplete">, WitCase<"HTTP-response-header-section-size", OptU32>,
    WitCase<"HTTP-response-header-size", FieldSizePayload>, WitCase<"HTTP-response-body-size", OptU64>,
    WitCase<"HTTP-response-trailer-section-size", OptU32>, WitCase<"HTTP-response-trailer-size", FieldSizePayload>,
    WitCase<"HTTP-response-transfer-coding", OptStr>, WitCase<"HTTP-response-content-coding", OptStr>,
    WitCase<"HTTP-response-timeout">, WitCase<"HTTP-upgrade-failed">, WitCase<"HTTP-protocol-error">,
    WitCase<"loop-detected">, WitCase<"configuration-error">, WitCase<"internal-error", OptStr>>;
static_assert(std::variant_size_v<WitErrorCode> == static_cast<size_t>(net::HttpErrc::internal_error) + 1);

// The variant case of e.code with e's payload fields.
WitErrorCode to_wit(const net::HttpError& e);
// Back (for response-outparam.set and tests): the code and payload.
net::HttpError from_wit(const WitErrorCode& w);

// "GET", "HEAD", ... or the other(...) text.
std::string method_text(const WitMethod& m);
WitMethod method_of(std::string_view text);  // a standard name (exact case) or other(text)
// "http" / "https" / the other(...) text, lower case for the two standard ones.
std::string scheme_text(const WitScheme& s);
WitScheme scheme_of(std::string_view text);

}  // namespace wippy::hostfns::wasihttp
