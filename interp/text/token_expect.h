// token_expect.h — the token-matching steps every text parser shares
// (ModuleParser, the component Parser, TokenCursor of the script parsers).
// Contract: a CRTP base over the derived parser's peek(), next(),
// unexpected(const Token&) and fail(const Token&, std::string_view) (the
// derived class befriends TokenExpect<Derived>). Each step consumes the token
// it wants and returns true; otherwise it reports through the derived
// parser's unexpected()/fail() (which return false) and consumes nothing.
#pragma once
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "interp/text/lexer.h"

namespace wippy::text {

template <class Derived>
class TokenExpect {
 protected:
  bool expect_lparen() { return expect_kind(Token::LParen); }
  bool expect_rparen() { return expect_kind(Token::RParen); }
  bool expect_keyword(std::string_view kw) {
    if (!self().peek().is(kw)) return self().unexpected(self().peek());
    self().next();
    return true;
  }
  // A string token's decoded bytes.
  bool string(std::string& out) {
    if (self().peek().kind != Token::String) return self().unexpected(self().peek());
    out = self().next().str;
    return true;
  }
  // A string token that must be valid UTF-8 ("malformed UTF-8 encoding").
  bool name(std::string& out) {
    const Token& t = self().peek();
    if (!string(out)) return false;
    if (!valid_utf8(out)) return self().fail(t, "malformed UTF-8 encoding");
    return true;
  }

 private:
  bool expect_kind(Token::Kind k) {
    if (self().peek().kind != k) return self().unexpected(self().peek());
    self().next();
    return true;
  }
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace wippy::text
