// lexer.h — tokens of the WebAssembly text format (shared by WAT and .wast).
// lex() turns source text into a flat token list: parens, atoms (keywords,
// $ids, numbers — classified later by the parser), strings (escapes decoded
// into Token::str) and reserved tokens (an atom glued to a string, which the
// parser rejects as "unknown operator", as are atoms that cannot begin a
// keyword, an id or a number, e.g. `@x`). Comments and whitespace are
// dropped, and so are annotations `(@id ...)` except @custom, @name and
// @metadata.code.branch_hint, which go to TokenList::annotations (the
// module parser places them); an annotation's contents must still be
// tokens ("illegal character", "malformed UTF-8 encoding" otherwise).
// A quoted id `$"name"` becomes the Atom `$name` (so `$"fh"` and `$fh` are
// the same id); its text then lives in TokenList::quoted_ids. Every token
// carries its 1-based line:col.
// match[] pairs each '(' with its ')' so parsers can skip whole forms.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wippy::text {

struct Token {
  enum Kind : uint8_t { LParen, RParen, Atom, String, Reserved, Eof } kind = Eof;
  std::string_view text;  // raw source text of the token (strings: with quotes)
  std::string str;        // String: the decoded bytes
  uint32_t line = 0;
  uint32_t col = 0;
  bool is_id() const { return kind == Atom && !text.empty() && text[0] == '$'; }
  bool is_keyword() const { return kind == Atom && !text.empty() && text[0] >= 'a' && text[0] <= 'z'; }
  bool is(std::string_view kw) const { return kind == Atom && text == kw; }
};

// A kept annotation, out of the token stream: `anchor` is the index of the
// token that follows it there; `items` its contents (nested parens as
// LParen/RParen tokens; annotations nested in it are dropped).
struct Annotation {
  std::string id;  // "custom", "name" or "metadata.code.branch_hint"
  uint32_t anchor = 0;
  uint32_t line = 0, col = 0;
  std::vector<Token> items;
};

struct TokenList {
  std::vector<Token> tokens;    // ends with one Eof token
  std::vector<uint32_t> match;  // for a LParen at i: its RParen (unclosed: the Eof)
  // Unbalanced parentheses: lexing stops before a stray ')' (and the tokens
  // end at an unclosed '(' with Eof), so a parser can report the first
  // error in text order; this error is the one to report if it does not.
  bool has_paren_error = false;
  Error paren_error;
  // Backing text of quoted ids (`$"a b"` is the Atom `$a b`); stable across
  // moves of the list, so Token::text may point into it.
  std::vector<std::unique_ptr<std::string>> quoted_ids;
  std::vector<Annotation> annotations;  // in source order (so by anchor)
};

// Errors are ErrorKind::Malformed, "LINE:COL: message".
Result<TokenList> lex(std::string_view source);

// "LINE:COL: message" as a Malformed error.
Error error_at(const Token& t, std::string_view message);

}  // namespace wippy::text
