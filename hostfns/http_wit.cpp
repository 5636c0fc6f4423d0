// http_wit.cpp — conversions of the wasi:http WIT types (see http_wit.h).
#include "hostfns/http_wit.h"

#include <array>
#include <limits>
#include <utility>

namespace wippy::hostfns::wasihttp {

namespace {

std::optional<uint32_t> size32(const std::optional<uint64_t>& s) {
  if (!s) return std::nullopt;
  return static_cast<uint32_t>(std::min<uint64_t>(*s, std::numeric_limits<uint32_t>::max()));
}

FieldSizePayload field_size(const net::HttpError& e) { return FieldSizePayload{e.field_name, size32(e.size)}; }

template <class P>
P payload_of(const net::HttpError& e) {
  if constexpr (std::is_same_v<P, DnsErrorPayload>) return DnsErrorPayload{e.dns_rcode, e.dns_info_code};
  else if constexpr (std::is_same_v<P, TlsAlertPayload>) {
    TlsAlertPayload t{e.tls_alert, std::nullopt};
    if (!e.message.empty()) t.alert_message = e.message;
    return t;
  } else if constexpr (std::is_same_v<P, FieldSizePayload>) return field_size(e);
  else if constexpr (std::is_same_v<P, std::optional<FieldSizePayload>>) {
    if (!e.field_name && !e.size) return std::nullopt;
    return field_size(e);
  } else if constexpr (std::is_same_v<P, OptU64>) return e.size;
  else if constexpr (std::is_same_v<P, OptU32>) return size32(e.size);
  else {
    static_assert(std::is_same_v<P, OptStr>);
    if (e.message.empty()) return std::nullopt;
    return e.message;
  }
}

template <size_t I>
WitErrorCode case_of(const net::HttpError& e) {
  using C = std::variant_alternative_t<I, WitErrorCode>;
  if constexpr (std::is_void_v<typename C::Payload>) return WitErrorCode(std::in_place_index<I>);
  else return WitErrorCode(std::in_place_index<I>, C{payload_of<typename C::Payload>(e)});
}

template <size_t... I>
constexpr auto make_table(std::index_sequence<I...>) {
  return std::array<WitErrorCode (*)(const net::HttpError&), sizeof...(I)>{&case_of<I>...};
}
constexpr auto kCases = make_table(std::make_index_sequence<std::variant_size_v<WitErrorCode>>{});

// The net::HttpError fields a payload carries.
void fill(net::HttpError& e, const DnsErrorPayload& p) {
  e.dns_rcode = p.rcode;
  e.dns_info_code = p.info_code;
}
void fill(net::HttpError& e, const TlsAlertPayload& p) {
  e.tls_alert = p.alert_id;
  if (p.alert_message) e.message = *p.alert_message;
}
void fill(net::HttpError& e, const FieldSizePayload& p) {
  e.field_name = p.field_name;
  if (p.field_size) e.size = *p.field_size;
}
void fill(net::HttpError& e, const std::optional<FieldSizePayload>& p) {
  if (p) fill(e, *p);
}
void fill(net::HttpError& e, const OptU64& p) { e.size = p; }
void fill(net::HttpError& e, const OptU32& p) {
  if (p) e.size = *p;
}
void fill(net::HttpError& e, const OptStr& p) {
  if (p) e.message = *p;
}

constexpr std::array<std::string_view, 9> kMethods{"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                    "CONNECT", "OPTIONS", "TRACE", "PATCH"};

template <size_t... I>
WitMethod method_case(size_t i, std::index_sequence<I...>) {
  WitMethod out;
  ((i == I ? void(out = WitMethod(std::in_place_index<I>)) : void()), ...);
  return out;
}

}  // namespace

WitErrorCode to_wit(const net::HttpError& e) {
  const size_t i = static_cast<size_t>(e.code);
  return i < kCases.size() ? kCases[i](e) : kCases.back()(e);
}

net::HttpError from_wit(const WitErrorCode& w) {
  net::HttpError e;
  e.code = static_cast<net::HttpErrc>(w.index());
  std::visit(
      [&](const auto& c) {
        using C = std::decay_t<decltype(c)>;
        if constexpr (!std::is_void_v<typename C::Payload>) fill(e, c.value);
      },
      w);
  return e;
}

std::string method_text(const WitMethod& m) {
  if (m.index() < kMethods.size()) return std::string(kMethods[m.index()]);
  return std::get<9>(m).value;
}

WitMethod method_of(std::string_view text) {
  for (size_t i = 0; i < kMethods.size(); ++i)
    if (kMethods[i] == text) return method_case(i, std::make_index_sequence<9>{});
  return WitCase<"other", std::string>{std::string(text)};
}

std::string scheme_text(const WitScheme& s) {
  if (s.index() == 0) return "http";
  if (s.index() == 1) return "https";
  return std::get<2>(s).value;
}

WitScheme scheme_of(std::string_view text) {
  if (text == "http") return WitCase<"HTTP">{};
  if (text == "https") return WitCase<"HTTPS">{};
  return WitCase<"other", std::string>{std::string(text)};
}

}  // namespace wippy::hostfns::wasihttp
