// lexer.cpp — tokenizer for the text format; see lexer.h for the contract.
#include "interp/text/lexer.h"

#include <fmt/format.h>

#include "base/utf8.h"

namespace wippy::text {
namespace {

bool is_idchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '/': case ':': case '<': case '=': case '>': case '?':
    case '@': case '\\': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Characters that glue into a reserved token besides idchars and strings.
bool is_reserved_punct(char c) { return c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}'; }

// True when an atom starting with `c` can be a keyword, an id or a number;
// any other atom is reserved.
bool can_start_atom(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '$' || c == '+' || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<TokenList> run() {
    TokenList out;
    std::vector<uint32_t> open;
    // The kept annotation whose contents are being read (its tokens go to
    // its items, not to the module's token list), and its open parens.
    Annotation* annot = nullptr;
    uint32_t annot_depth = 0;
    Token annot_start;
    while (true) {
      if (!skip_space()) return err_;
      if (pos_ >= src_.size()) break;
      Token t;
      t.line = line_;
      t.col = col();
      size_t start = pos_;
      char c = src_[pos_];
      std::vector<Token>& sink = annot ? annot->items : out.tokens;
      if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '@') {
        std::string id;
        if (!annotation_id(id)) return err_;
        if (!annot && is_kept_annotation(id)) {
          out.annotations.push_back(Annotation{std::move(id), uint32_t(out.tokens.size()), t.line, t.col, {}});
          annot = &out.annotations.back();
          annot_depth = 0;
          annot_start = t;
        } else if (!skip_annotation_rest(t)) {
          return err_;
        }
        continue;
      }
      if (annot && (c == '(' || c == ')')) {
        advance();
        if (c == ')' && annot_depth == 0) {
          annot = nullptr;
          continue;
        }
        annot_depth += c == '(' ? 1 : -1;
        t.kind = c == '(' ? Token::LParen : Token::RParen;
        t.text = src_.substr(start, 1);
        sink.push_back(std::move(t));
        continue;
      }
      if (c == '(') {
        advance();
        t.kind = Token::LParen;
        open.push_back(uint32_t(out.tokens.size()));
      } else if (c == ')') {
        advance();
        t.kind = Token::RParen;
        if (open.empty()) {
          out.has_paren_error = true;
          out.paren_error = error_at(t, "unexpected token )");
          break;
        }
        out.match.resize(out.tokens.size() + 1, 0);
        out.match[open.back()] = uint32_t(out.tokens.size());
        open.pop_back();
      } else if (c == '$' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"') {
        if (!lex_quoted_id(t, out)) return err_;
        sink.push_back(std::move(t));
        continue;
      } else if (c == '"' || is_idchar(c) || is_reserved_punct(c)) {
        // A maximal run of idchars, strings and reserved punctuation;
        // anything but a lone string or a lone atom is a reserved token.
        int strings = 0;
        bool idchars = false, punct = false;
        while (pos_ < src_.size()) {
          char d = src_[pos_];
          if (d == '"') {
            ++strings;
            if (!lex_string(t.str)) return err_;
          } else if (is_idchar(d)) {
            idchars = true;
            advance();
          } else if (is_reserved_punct(d) && !starts_comment()) {
            punct = true;
            advance();
          } else {
            break;
          }
        }
        if (strings == 1 && !idchars && !punct) t.kind = Token::String;
        else if (strings == 0 && !punct && can_start_atom(c)) t.kind = Token::Atom;
        else t.kind = Token::Reserved;
        if (t.kind == Token::Atom && pos_ - start == 1 && c == '$') {
          err_ = error_at(t, "empty identifier");
          return err_;
        }
      } else {
        fail_illegal_char();
        return err_;
      }
      t.text = src_.substr(start, pos_ - start);
      sink.push_back(std::move(t));
    }
    if (annot) {
      err_ = error_at(annot_start, "unclosed annotation");
      return err_;
    }
    if (!open.empty() && !out.has_paren_error) {
      out.has_paren_error = true;
      out.paren_error = error_at(out.tokens[open.back()], "unclosed parenthesis");
    }
    Token eof;
    eof.kind = Token::Eof;
    eof.line = line_;
    eof.col = col();
    out.tokens.push_back(eof);
    out.match.resize(out.tokens.size(), 0);
    for (uint32_t i : open) out.match[i] = uint32_t(out.tokens.size() - 1);
    return out;
  }

 private:
  uint32_t col() const { return uint32_t(pos_ - line_start_ + 1); }
  void advance() {
    if (src_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  bool fail(std::string_view msg) {
    Token t;
    t.line = line_;
    t.col = col();
    err_ = error_at(t, msg);
    return false;
  }

  bool starts_comment() const {
    return src_[pos_] == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';';
  }

  // At a byte that no token may hold: "illegal character" for a
  // well-formed character, "malformed UTF-8 encoding" for a broken one.
  bool fail_illegal_char() {
    unsigned char c = static_cast<unsigned char>(src_[pos_]);
    if (c >= 0x80) {
      size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      std::string_view seq = src_.substr(pos_, n);
      if (n == 1 || seq.size() < n || !valid_utf8(seq)) return fail("malformed UTF-8 encoding");
      return fail(fmt::format("illegal character '{}'", seq));
    }
    return fail(fmt::format("illegal character '{}'",
                            c < 0x20 || c == 0x7F ? fmt::format("\\x{:02x}", c) : std::string(1, char(c))));
  }

  // At `$"`: a quoted id. Its name must be a non-empty, well-formed string
  // ("empty identifier" otherwise, as when the string itself is broken).
  bool lex_quoted_id(Token& t, TokenList& out) {
    Token at = t;
    size_t start = pos_;
    advance();
    std::string name;
    if (!lex_string(name) || name.empty()) {
      err_ = error_at(at, "empty identifier");
      return false;
    }
    if (!valid_utf8(name)) return fail("malformed UTF-8 encoding");
    if (pos_ < src_.size() && (is_idchar(src_[pos_]) || src_[pos_] == '"' || is_reserved_punct(src_[pos_]))) {
      // Glued to more: a reserved token, as any other glued run.
      while (pos_ < src_.size() && (is_idchar(src_[pos_]) || is_reserved_punct(src_[pos_]) || src_[pos_] == '"')) {
        if (src_[pos_] == '"') {
          std::string ignored;
          if (!lex_string(ignored)) return false;
        } else {
          advance();
        }
      }
      t.kind = Token::Reserved;
      t.text = src_.substr(start, pos_ - start);
      return true;
    }
    out.quoted_ids.push_back(std::make_unique<std::string>("$" + name));
    t.kind = Token::Atom;
    t.text = *out.quoted_ids.back();
    return true;
  }

  bool skip_space() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        // A line comment ends at LF or at a lone CR (both are newlines).
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') advance();
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        if (!skip_block_comment()) return false;
      } else {
        break;
      }
    }
    return true;
  }

  bool skip_block_comment() {
    Token start;
    start.line = line_;
    start.col = col();
    int depth = 0;
    while (pos_ + 1 < src_.size() || (depth > 0 && pos_ < src_.size())) {
      if (src_[pos_] == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        advance(); advance();
        ++depth;
      } else if (src_[pos_] == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ')') {
        advance(); advance();
        if (--depth == 0) return true;
      } else {
        advance();
      }
    }
    err_ = error_at(start, "unclosed block comment");
    return false;
  }

  // The annotations a parser reads (see lexer.h); any other is dropped.
  static bool is_kept_annotation(std::string_view id) {
    return id == "custom" || id == "name" || id == "metadata.code.branch_hint";
  }

  // At `(@`: reads the annotation's id, idchars or a non-empty string.
  bool annotation_id(std::string& id) {
    Token start;
    start.line = line_;
    start.col = col();
    advance();
    advance();
    if (pos_ < src_.size() && src_[pos_] == '"') {
      if (!lex_string(id) || id.empty()) {
        err_ = error_at(start, "empty annotation id");
        return false;
      }
      if (!valid_utf8(id)) return fail("malformed UTF-8 encoding");
      return true;
    }
    size_t id_start = pos_;
    while (pos_ < src_.size() && is_idchar(src_[pos_])) advance();
    if (pos_ == id_start) {
      err_ = error_at(start, "empty annotation id");
      return false;
    }
    id = std::string(src_.substr(id_start, pos_ - id_start));
    return true;
  }

  // After an annotation's id: skips its contents through the closing ')'.
  // They are tokens, comments and balanced parentheses (where `(@` needs
  // no id).
  bool skip_annotation_rest(const Token& start) {
    int depth = 1;
    while (true) {
      if (!skip_space()) return false;
      if (pos_ >= src_.size()) break;
      char c = src_[pos_];
      if (c == '(') {
        ++depth;
        advance();
      } else if (c == ')') {
        advance();
        if (--depth == 0) return true;
      } else if (c == '"') {
        std::string ignored;
        if (!lex_string(ignored)) return false;
      } else if (is_idchar(c) || is_reserved_punct(c)) {
        advance();
      } else {
        return fail_illegal_char();
      }
    }
    err_ = error_at(start, "unclosed annotation");
    return false;
  }

  // At '"': decodes one string literal, appending its bytes to `out`.
  bool lex_string(std::string& out) {
    advance();
    while (true) {
      if (pos_ >= src_.size()) return fail("unclosed string");
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        advance();
        return true;
      }
      if (c == '\n') return fail("unclosed string");
      if (c < 0x20 || c == 0x7F) return fail("illegal character in string");
      if (c != '\\') {
        out += char(c);
        advance();
        continue;
      }
      advance();
      if (pos_ >= src_.size()) return fail("unclosed string");
      char e = src_[pos_];
      switch (e) {
        case 'n': out += '\n'; advance(); break;
        case 't': out += '\t'; advance(); break;
        case 'r': out += '\r'; advance(); break;
        case '"': out += '"'; advance(); break;
        case '\'': out += '\''; advance(); break;
        case '\\': out += '\\'; advance(); break;
        case 'u': {
          advance();
          if (pos_ >= src_.size() || src_[pos_] != '{') return fail("invalid string escape");
          advance();
          uint32_t cp = 0;
          int digits = 0;
          bool prev_digit = false;
          while (pos_ < src_.size() && src_[pos_] != '}') {
            char d = src_[pos_];
            if (d == '_' && prev_digit) {
              prev_digit = false;
              advance();
              continue;
            }
            int h = hex_value(d);
            if (h < 0) return fail("invalid string escape");
            cp = cp * 16 + uint32_t(h);
            if (cp > 0x10FFFF) return fail("invalid string escape: code point out of range");
            ++digits;
            prev_digit = true;
            advance();
          }
          if (pos_ >= src_.size() || digits == 0 || !prev_digit) return fail("invalid string escape");
          advance();
          if (cp >= 0xD800 && cp < 0xE000) return fail("invalid string escape: surrogate code point");
          encode_utf8(cp, out);
          break;
        }
        default: {
          int h1 = hex_value(e);
          int h2 = pos_ + 1 < src_.size() ? hex_value(src_[pos_ + 1]) : -1;
          if (h1 < 0 || h2 < 0) return fail("invalid string escape");
          out += char(h1 * 16 + h2);
          advance();
          advance();
        }
      }
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  Error err_;
};

}  // namespace

Error error_at(const Token& t, std::string_view message) {
  return make_error(ErrorKind::Malformed, fmt::format("{}:{}: {}", t.line, t.col, message));
}

Result<TokenList> lex(std::string_view source) { return Lexer(source).run(); }

}  // namespace wippy::text
