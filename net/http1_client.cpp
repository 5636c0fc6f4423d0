// http1_client.cpp — Http1Client: request checks, the request head, and
// opening the Exchange on a pooled or new connection.
#include "net/http1_client.h"

#include <algorithm>
#include <charconv>

#include "interp/quote.h"
#include "net/http1_exchange_init.h"
#include "net/http1_pool.h"

namespace wippy::net {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return out;
}

HttpError uri_invalid(std::string msg) { return http_error(HttpErrc::http_request_uri_invalid, std::move(msg)); }

bool is_reg_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

HttpResult<Authority> parse_authority(std::string_view a, uint16_t default_port) {
  Authority out;
  std::string_view port_part;
  if (!a.empty() && a.front() == '[') {
    const size_t close = a.find(']');
    if (close == std::string_view::npos) return uri_invalid("unterminated IPv6 literal in " + quote_input(a, 80));
    const std::string_view v6 = a.substr(1, close - 1);
    if (v6.empty()) return uri_invalid("empty IPv6 literal");
    for (char c : v6)
      if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':' || c == '.'))
        return uri_invalid("invalid IPv6 literal " + quote_input(a, 80));
    out.host = std::string(v6);
    const std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return uri_invalid("invalid authority " + quote_input(a, 80));
      port_part = rest.substr(1);
      if (port_part.empty()) return uri_invalid("empty port in " + quote_input(a, 80));
    }
  } else {
    const size_t colon = a.find(':');
    const std::string_view host = a.substr(0, colon);
    if (host.empty()) return uri_invalid("empty host in authority " + quote_input(a, 80));
    for (char c : host)
      if (!is_reg_name_char(c)) return uri_invalid("invalid host " + quote_input(host, 80));
    out.host = lower(host);
    if (colon != std::string_view::npos) {
      port_part = a.substr(colon + 1);
      if (port_part.empty()) return uri_invalid("empty port in " + quote_input(a, 80));
    }
  }
  if (port_part.empty()) {
    out.port = default_port;
    return out;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (ec != std::errc() || end != port_part.data() + port_part.size() || value == 0 || value > 65535 ||
      port_part.size() > 5)
    return uri_invalid("invalid port in " + quote_input(a, 80));
  out.port = static_cast<uint16_t>(value);
  return out;
}

namespace {

HttpResult<void> check_target(std::string_view t, size_t max) {
  if (t.size() > max)
    return http_error(HttpErrc::http_request_uri_too_long, "request target of " + std::to_string(t.size()) + " bytes");
  if (t.empty() || (t.front() != '/' && t != "*")) return uri_invalid("request target must start with '/'");
  for (char ch : t) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return uri_invalid("invalid byte in request target " + quote_input(t, 80));
  }
  return {};
}

}  // namespace

HttpResult<void> check_fields(const HeaderList& h, bool trailers) {
  for (const auto& [k, v] : h) {
    if (!is_token(k)) return http_error(HttpErrc::http_protocol_error, "invalid field name " + quote_input(k, 80));
    if (!is_field_value(v))
      return http_error(HttpErrc::http_protocol_error, "invalid byte in the value of " + quote_input(k, 80));
    if (trailers && (iequals(k, "content-length") || iequals(k, "transfer-encoding") || iequals(k, "host")))
      return http_error(HttpErrc::http_request_denied, quote_input(k, 80) + " cannot be a trailer");
  }
  return {};
}

void append_fields(std::string& out, const HeaderList& h) {
  for (const auto& [k, v] : h) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
}

Http1Client::Http1Client(Http1Options opts) : pool_(std::make_shared<Http1Pool>(std::move(opts))) {}
Http1Client::~Http1Client() = default;

size_t Http1Client::idle_count() const { return pool_->idle_total; }
uint64_t Http1Client::connections_opened() const { return pool_->opened; }
void Http1Client::prune_idle() { pool_->prune(); }
uint64_t Http1Client::next_idle_expiry() const {
  uint64_t first = disp::kNever;
  for (const auto& [k, q] : pool_->idle)
    for (const auto& c : q) first = std::min(first, c->idle_since);
  if (first == disp::kNever) return disp::kNever;
  return first > disp::kNever - pool_->opts.idle_timeout_ns ? disp::kNever : first + pool_->opts.idle_timeout_ns;
}
void Http1Client::close_idle() {
  for (auto& [k, q] : pool_->idle)
    for (auto& c : q) c->transport().close();
  pool_->idle.clear();
  pool_->idle_total = 0;
}

HttpResult<std::unique_ptr<Exchange>> Http1Client::send(const Request& req, const RequestTimeouts& timeouts) {
  const Http1Limits& lim = pool_->opts.limits;
  if (!is_token(req.method))
    return http_error(HttpErrc::http_request_method_invalid, "invalid method " + quote_input(req.method, 80));
  const std::string scheme = lower(req.scheme);
  if (scheme != "http" && scheme != "https") return uri_invalid("unsupported scheme " + quote_input(req.scheme, 80));
  auto auth = parse_authority(req.authority, scheme == "https" ? 443 : 80);
  if (!auth) return std::move(auth.error());
  if (auto t = check_target(req.target, lim.max_request_target); !t) return std::move(t.error());
  if (auto f = check_fields(req.headers, false); !f) return std::move(f.error());

  Exchange::Init init;
  std::optional<uint64_t> length;
  for (const auto& [k, v] : req.headers) {
    if (iequals(k, "host") || iequals(k, "transfer-encoding"))
      return http_error(HttpErrc::http_request_denied, quote_input(k, 80) + " is set by the client");
    if (iequals(k, "content-length")) {
      uint64_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || (length && *length != n))
        return http_error(HttpErrc::http_protocol_error, "invalid content-length " + quote_input(v, 40));
      length = n;
    }
  }
  init.req_kind = length ? BodyKind::length : req.has_body ? BodyKind::chunked : BodyKind::none;
  init.req_left = length.value_or(0);

  std::string head;
  head.reserve(256);
  head += req.method;
  head += ' ';
  head += req.target;
  head += " HTTP/1.1\r\nHost: ";
  head += req.authority;
  head += "\r\n";
  append_fields(head, req.headers);
  if (init.req_kind == BodyKind::chunked) head += "Transfer-Encoding: chunked\r\n";
  head += "\r\n";

  init.pool = pool_;
  init.timeouts = timeouts;
  init.scheme = scheme;
  init.host = auth->host;
  init.port = auth->port;
  init.head_request = iequals(req.method, "HEAD");
  init.close_requested = header_has_token(req.headers, "connection", "close");
  const std::string key = scheme + "://" + (auth->host.find(':') != std::string::npos ? "[" + auth->host + "]" : auth->host) +
                          ":" + std::to_string(auth->port);

  // A reused connection the peer closed meanwhile fails at once: try a fresh one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = pool_->take(key);
    if (!conn) {
      auto opened = pool_->open(scheme, auth->host, auth->port, key, timeouts.connect_ns);
      if (!opened) return std::move(opened.error());
      conn = std::move(*opened);
    }
    const uint64_t deadline = disp::deadline_after(timeouts.between_bytes_ns);
    auto w = write_all(conn->transport(), head, deadline);
    if (!w) {
      if (conn->reused && w.error().code == HttpErrc::connection_terminated) continue;
      return std::move(w.error());
    }
    init.conn = std::move(conn);
    break;
  }
  if (!init.conn) return http_error(HttpErrc::connection_terminated, "could not write the request");
  init.head_bytes = init.req_kind == BodyKind::none ? std::move(head) : std::string();
  return std::make_unique<Exchange>(std::move(init));
}

}  // namespace wippy::net
