// http1_parse.cpp — status line, field lines, chunk sizes and body framing.
#include "net/http1_parse.h"

#include <optional>

#include "interp/quote.h"

namespace wippy::net {

namespace {

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
  }
}

// VCHAR / obs-text / SP / HTAB.
bool is_text(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

HttpError protocol(std::string msg) { return http_error(HttpErrc::http_protocol_error, std::move(msg)); }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each trimmed, non-empty element of the comma lists
// in every `name` field.
template <class Fn>
void for_each_element(const HeaderList& h, std::string_view name, Fn&& fn) {
  for (const auto& [k, v] : h) {
    if (!iequals(k, name)) continue;
    std::string_view rest = v;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view el = trim_ows(rest.substr(0, comma));
      if (!el.empty()) fn(el);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x |= 0x20;
    if (y >= 'A' && y <= 'Z') y |= 0x20;
    if (x != y) return false;
  }
  return true;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_field_value(std::string_view v) {
  for (char c : v)
    if (!is_text(static_cast<unsigned char>(c))) return false;
  return true;
}

HttpResult<StatusLine> parse_status_line(std::string_view line) {
  // "HTTP/1.1 200" is 12 bytes; the reason is optional.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ')
    return protocol("malformed status line " + quote_input(line, 80));
  if (line[5] != '1' || line[7] < '0' || line[7] > '9')
    return protocol("unsupported HTTP version in status line " + quote_input(line, 80));
  StatusLine st;
  st.version_minor = line[7] - '0';
  uint16_t code = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return protocol("malformed status code in " + quote_input(line, 80));
    code = static_cast<uint16_t>(code * 10 + (line[i] - '0'));
  }
  if (code < 100 || code > 599) return protocol("status code " + std::to_string(code) + " out of range");
  st.status = code;
  if (line.size() > 12) {
    if (line[12] != ' ') return protocol("malformed status line " + quote_input(line, 80));
    const std::string_view reason = line.substr(13);
    if (!is_field_value(reason)) return protocol("control byte in reason phrase");
    st.reason = std::string(reason);
  }
  return st;
}

HttpResult<std::pair<std::string, std::string>> parse_field_line(std::string_view line) {
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t'))
    return protocol("obsolete line folding (a field line starting with whitespace)");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return protocol("field line without ':' " + quote_input(line, 80));
  const std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return protocol("invalid field name " + quote_input(name, 80));
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (!is_field_value(value)) return protocol("control byte in the value of " + quote_input(name, 80));
  return std::pair<std::string, std::string>(std::string(name), std::string(value));
}

HttpResult<uint64_t> parse_chunk_size(std::string_view line) {
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      break;
    if (i >= 16) return protocol("chunk size too large");
    size = size * 16 + static_cast<uint64_t>(d);
  }
  if (i == 0) return protocol("invalid chunk size line " + quote_input(line, 80));
  // BWS ; chunk-ext: accept token, quoted-string, '=' and whitespace.
  std::string_view rest = line.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() != ';') return protocol("invalid chunk size line " + quote_input(line, 80));
  bool quoted = false;
  for (char ch : rest) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (quoted) {
      if (c == '"') quoted = false;
      else if (!is_text(c)) return protocol("control byte in a chunk extension");
    } else if (c == '"') {
      quoted = true;
    } else if (!(is_tchar(c) || c == ';' || c == '=' || c == ' ' || c == '\t' || c == '\\')) {
      return protocol("invalid chunk extension " + quote_input(rest, 80));
    }
  }
  if (quoted) return protocol("unterminated quoted string in a chunk extension");
  return size;
}

bool header_has_token(const HeaderList& h, std::string_view name, std::string_view token) {
  bool found = false;
  for_each_element(h, name, [&](std::string_view el) { found = found || iequals(el, token); });
  return found;
}

HttpResult<BodyFraming> response_framing(bool head_request, const StatusLine& st, const HeaderList& h) {
  bool has_te = false, has_cl = false;
  for (const auto& [k, v] : h) {
    const bool te = iequals(k, "transfer-encoding"), cl = iequals(k, "content-length");
    // A framing field with no value at all is malformed even beside a valid
    // one: peers that ignore it and peers that read it as 0 would disagree.
    if ((te || cl) && trim_ows(v).find_first_not_of(", \t") == std::string_view::npos)
      return protocol(te ? "empty Transfer-Encoding" : "empty Content-Length");
    has_te = has_te || te;
    has_cl = has_cl || cl;
  }
  // Conflicts are errors even where the body is empty: they signal a
  // confused or hostile peer, and the connection cannot be trusted after.
  if (has_te && has_cl) return protocol("both Transfer-Encoding and Content-Length");
  if (has_te && st.version_minor == 0) return protocol("Transfer-Encoding in an HTTP/1.0 response");

  BodyFraming f;
  uint64_t length = 0;
  bool length_seen = false;
  std::optional<HttpError> err;
  if (has_cl) {
    for_each_element(h, "content-length", [&](std::string_view el) {
      if (err) return;
      if (el.size() > 19) return void(err = protocol("Content-Length too large"));
      uint64_t n = 0;
      for (char c : el) {
        if (c < '0' || c > '9') return void(err = protocol("invalid Content-Length " + quote_input(el, 40)));
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (length_seen && n != length) return void(err = protocol("conflicting Content-Length values"));
      length = n;
      length_seen = true;
    });
    if (err) return std::move(*err);
    if (!length_seen) return protocol("empty Content-Length");
  }
  std::vector<std::string> codings;
  if (has_te) {
    for_each_element(h, "transfer-encoding", [&](std::string_view el) { codings.emplace_back(el); });
    if (codings.empty()) return protocol("empty Transfer-Encoding");
  }

  if (head_request || st.status < 200 || st.status == 204 || st.status == 304) return f;  // kind none
  if (has_te) {
    if (codings.size() != 1 || !iequals(codings[0], "chunked")) {
      HttpError e = http_error(HttpErrc::http_response_transfer_coding,
                               "unsupported transfer coding " + quote_input(codings.back(), 40));
      return e;
    }
    f.kind = BodyKind::chunked;
    return f;
  }
  if (has_cl) {
    f.kind = BodyKind::length;
    f.length = length;
    return f;
  }
  f.kind = BodyKind::until_close;
  return f;
}

bool response_keeps_alive(const StatusLine& st, const HeaderList& h) {
  if (header_has_token(h, "connection", "close")) return false;
  if (st.version_minor == 0) return header_has_token(h, "connection", "keep-alive");
  return true;
}

}  // namespace wippy::net
