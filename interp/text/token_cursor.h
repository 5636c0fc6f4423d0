// token_cursor.h — a cursor over a lexed token list, shared by the script
// parsers (interp/text/wast.cpp, component/text/component_wast.cpp).
// Contract: owns the TokenList; peek() past the end stays on the final Eof
// token and next() never moves beyond it. The expect/string helpers (TokenExpect) return
// false after recording err_ (with the token's line:col) when the next token
// is not the one wanted.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "interp/text/lexer.h"
#include "interp/text/token_expect.h"

namespace wippy::text {

class TokenCursor : public TokenExpect<TokenCursor> {
  friend class TokenExpect<TokenCursor>;

 public:
  explicit TokenCursor(TokenList tl) : tl_(std::move(tl)), t_(tl_.tokens) {}
  TokenCursor(const TokenCursor&) = delete;
  TokenCursor& operator=(const TokenCursor&) = delete;

 protected:
  const Token& peek(size_t k = 0) const { return t_[std::min(pos_ + k, t_.size() - 1)]; }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < t_.size()) ++pos_;
    return t;
  }
  bool fail(const Token& t, std::string_view msg);
  // "unexpected end of script" at Eof, else "unexpected token X".
  bool unexpected(const Token& t);
  bool at_lparen(std::string_view kw) const { return peek().kind == Token::LParen && peek(1).is(kw); }

  TokenList tl_;
  const std::vector<Token>& t_;
  size_t pos_ = 0;
  Error err_;
};

}  // namespace wippy::text
