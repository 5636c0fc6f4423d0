// http1_parse.h — strict HTTP/1.1 response syntax (RFC 9112), as pure functions.
// Contract: each function takes one line without its CRLF (the line reader
// in http1_conn.h has already rejected bare LF and bare CR) or a parsed
// header list, and returns a value or an HttpError; nothing is guessed:
//  * status line: "HTTP/1.<d> <3 digits 100-599>[ <reason>]"; the reason is
//    HTAB / SP / VCHAR / obs-text.
//  * field line: token ":" OWS value OWS; no whitespace before the colon;
//    a line starting with SP/HTAB (obs-fold) is an error; the value holds no
//    control byte but HTAB.
//  * chunk size line: 1-16 hex digits, then optional BWS and ;extensions
//    (ignored, but only token / quoted-string / '=' / BWS bytes).
//  * framing (RFC 9112 §6.3): HEAD, 1xx, 204 and 304 have no body;
//    Transfer-Encoding must be exactly "chunked" (other codings:
//    HTTP-response-transfer-coding), never with Content-Length and never in
//    HTTP/1.0 (HTTP-protocol-error); repeated Content-Length values must be
//    identical digits; a Content-Length or Transfer-Encoding field with no
//    element (empty, or only commas) is an error even beside a valid one;
//    otherwise the body runs to the connection's end.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_error.h"

namespace wippy::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct StatusLine {
  int version_minor = 1;  // HTTP/1.<minor>
  uint16_t status = 0;
  std::string reason;
};

enum class BodyKind : uint8_t { none, length, chunked, until_close };

struct BodyFraming {
  BodyKind kind = BodyKind::none;
  uint64_t length = 0;  // BodyKind::length
};

bool iequals(std::string_view a, std::string_view b);
bool is_token(std::string_view s);
// The value of a field may be sent: no CR, LF, NUL or other control byte but HTAB.
bool is_field_value(std::string_view v);

HttpResult<StatusLine> parse_status_line(std::string_view line);
HttpResult<std::pair<std::string, std::string>> parse_field_line(std::string_view line);
HttpResult<uint64_t> parse_chunk_size(std::string_view line);
HttpResult<BodyFraming> response_framing(bool head_request, const StatusLine& st, const HeaderList& h);
// Whether the connection may carry another request after this response.
bool response_keeps_alive(const StatusLine& st, const HeaderList& h);
// True when some comma-separated element of any `name` field equals token.
bool header_has_token(const HeaderList& h, std::string_view name, std::string_view token);

}  // namespace wippy::net
