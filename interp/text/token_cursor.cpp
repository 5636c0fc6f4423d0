// token_cursor.cpp — TokenCursor's error-recording helpers (token_cursor.h).
#include "interp/text/token_cursor.h"

#include <fmt/format.h>

#include "interp/quote.h"

namespace wippy::text {

bool TokenCursor::fail(const Token& t, std::string_view msg) {
  err_ = error_at(t, msg);
  return false;
}

bool TokenCursor::unexpected(const Token& t) {
  if (t.kind == Token::Eof) return fail(t, "unexpected end of script");
  return fail(t, fmt::format("unexpected token {}", quote_input(t.text)));
}

}  // namespace wippy::text
