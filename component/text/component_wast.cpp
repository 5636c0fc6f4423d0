// component_wast.cpp — parse_component_wast(): a script of core and
// component commands. Core commands are cut out of the source (keeping
// their line:col by padding) and handed to parse_wast(); component forms go
// through parse_component_form(); actions and results are component values.
#include "component/text/component_wast.h"

#include <fmt/format.h>

#include "base/utf8.h"
#include "component/text/component_wat.h"
#include "interp/text/lexer.h"
#include "interp/text/numbers.h"
#include "interp/text/token_cursor.h"
#include "interp/quote.h"

namespace wippy::component {
namespace {

using wippy::text::Token;
using Kind = WastCValue::Kind;

// The first code point of a UTF-8 string that holds exactly one.
bool single_code_point(std::string_view s, uint32_t& cp) {
  if (s.empty() || !wippy::valid_utf8(s)) return false;
  auto b0 = uint8_t(s[0]);
  size_t len = b0 < 0x80 ? 1 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : 4;
  if (s.size() != len) return false;
  cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
  for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (uint8_t(s[i]) & 0x3f);
  return true;
}

class ScriptParser : wippy::text::TokenCursor {
 public:
  ScriptParser(std::string_view source, wippy::text::TokenList tl)
      : TokenCursor(std::move(tl)), src_(source) {}

  Result<std::vector<ComponentWastCommand>> run() {
    std::vector<ComponentWastCommand> out;
    if (t_[0].kind == Token::LParen && !is_command(t_[1])) {
      // A bare component: its fields are the whole file.
      ComponentWastCommand c;
      c.kind = ComponentWastCommand::Component;
      c.line = t_[0].line;
      auto bytes = encode_component_fields(tl_, 0, t_.size() - 1);
      if (bytes) c.component.binary = std::move(*bytes);
      else c.component.text_error = bytes.error().message;
      out.push_back(std::move(c));
      return out;
    }
    while (peek().kind != Token::Eof) {
      ComponentWastCommand c;
      if (!command(c)) return err_;
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  static bool is_command(const Token& t) {
    for (std::string_view k : {"module", "component", "register", "invoke", "get", "assert_return",
                               "assert_trap", "assert_exhaustion", "assert_invalid", "assert_malformed",
                               "assert_unlinkable", "assert_uninstantiable"})
      if (t.is(k)) return true;
    return false;
  }

  // A core command at pos_: re-parsed by parse_wast() at its own position.
  bool core_command(ComponentWastCommand& c) {
    const Token& open = peek();
    size_t close = tl_.match[pos_];
    size_t from = size_t(open.text.data() - src_.data());
    size_t to = size_t(t_[close].text.data() - src_.data()) + 1;
    std::string text(open.line - 1, '\n');
    text.append(open.col - 1, ' ');
    text.append(src_.substr(from, to - from));
    auto cmds = parse_wast(text);
    if (!cmds) {
      err_ = cmds.error();
      return false;
    }
    if (cmds->size() != 1) return fail(open, "expected one command");
    c.kind = ComponentWastCommand::Core;
    c.core = std::move((*cmds)[0]);
    pos_ = close + 1;
    return true;
  }

  bool component(WastComponent& wc) {
    auto form = parse_component_form(tl_, pos_);
    if (!form) {
      err_ = form.error();
      return false;
    }
    wc.kind = form->kind == ComponentForm::Text     ? WastComponent::Text
              : form->kind == ComponentForm::Binary ? WastComponent::Binary
                                                    : WastComponent::Quote;
    wc.id = form->id;
    wc.definition = form->definition;
    wc.binary = std::move(form->binary);
    wc.quote = std::move(form->quote);
    if (form->text_error) wc.text_error = form->text_error->message;
    pos_ = form->next;
    return true;
  }

  bool action(WastCAction& a) {
    if (!expect_lparen()) return false;
    const Token& kw = next();
    if (!kw.is("invoke")) return unexpected(kw);
    if (peek().is_id()) a.instance = std::string(next().text);
    if (!string(a.name)) return false;
    while (peek().kind == Token::LParen) {
      WastCValue v;
      if (!value(v, false)) return false;
      a.args.push_back(std::move(v));
    }
    return expect_rparen();
  }

  bool int_value(WastCValue& v, unsigned bits) {
    const Token& t = peek();
    uint64_t raw = 0;
    auto st = t.kind == Token::Atom ? wippy::text::parse_int(t.text, 64, raw) : wippy::text::NumStatus::Syntax;
    if (st == wippy::text::NumStatus::Syntax) return unexpected(t);
    bool neg = t.text[0] == '-';
    if (st == wippy::text::NumStatus::Ok && bits < 64) {
      if (neg ? int64_t(raw) < -(int64_t(1) << (bits - 1)) : raw >= (uint64_t(1) << bits))
        st = wippy::text::NumStatus::Range;
      raw &= (uint64_t(1) << bits) - 1;
    }
    if (st == wippy::text::NumStatus::Range) return fail(t, "constant out of range");
    v.bits = raw;
    next();
    return true;
  }

  bool float_value(WastCValue& v, bool f32, bool pattern) {
    const Token& t = peek();
    if (pattern && (t.is("nan:canonical") || t.is("nan:arithmetic"))) {
      (t.is("nan:canonical") ? v.nan_canonical : v.nan_arithmetic) = true;
      next();
      return true;
    }
    auto st = wippy::text::NumStatus::Syntax;
    if (t.kind == Token::Atom) {
      if (f32) {
        uint32_t b = 0;
        st = wippy::text::parse_f32(t.text, b);
        v.bits = b;
      } else {
        st = wippy::text::parse_f64(t.text, v.bits);
      }
    }
    if (st == wippy::text::NumStatus::Range) return fail(t, "constant out of range");
    if (st != wippy::text::NumStatus::Ok) return unexpected(t);
    next();
    return true;
  }

  // `(kw args)`. Values nest (lists of lists ...); deeper than kMaxNesting
  // is refused so that a script cannot exhaust the native stack.
  static constexpr uint32_t kMaxNesting = 1000;
  bool value(WastCValue& v, bool pattern) {
    if (!expect_lparen()) return false;
    if (nesting_ >= kMaxNesting) return fail(peek(), "nesting too deep");
    ++nesting_;
    const Token& kw = next();
    bool ok = value_body(kw, v, pattern) && expect_rparen();
    --nesting_;
    return ok;
  }

  // The arguments of a value after its keyword, up to the ')'.
  bool value_body(const Token& kw, WastCValue& v, bool pattern) {
    static constexpr std::pair<std::string_view, std::pair<Kind, unsigned>> kInts[] = {
        {"s8.const", {Kind::S8, 8}},    {"u8.const", {Kind::U8, 8}},      {"s16.const", {Kind::S16, 16}},
        {"u16.const", {Kind::U16, 16}}, {"s32.const", {Kind::S32, 32}},   {"u32.const", {Kind::U32, 32}},
        {"s64.const", {Kind::S64, 64}}, {"u64.const", {Kind::U64, 64}},   {"i32.const", {Kind::CoreI32, 32}},
        {"i64.const", {Kind::CoreI64, 64}}};
    for (auto& [name, info] : kInts) {
      if (kw.is(name)) {
        v.kind = info.first;
        return int_value(v, info.second);
      }
    }
    if (kw.is("f32.const") || kw.is("f64.const") || kw.is("float32.const") || kw.is("float64.const")) {
      bool f32 = kw.text[1] == '3' || kw.text[5] == '3';
      v.kind = f32 ? Kind::F32 : Kind::F64;
      return float_value(v, f32, pattern);
    }
    if (kw.is("bool.const")) {
      v.kind = Kind::Bool;
      if (peek().is("true")) v.bits = 1;
      else if (!peek().is("false")) return unexpected(peek());
      next();
      return true;
    }
    if (kw.is("char.const")) {
      v.kind = Kind::Char;
      const Token& t = peek();
      uint32_t cp = 0;
      if (t.kind != Token::String) return unexpected(t);
      if (!single_code_point(t.str, cp)) return fail(t, "expected a single character");
      v.bits = cp;
      next();
      return true;
    }
    if (kw.is("str.const") || kw.is("string.const")) {
      v.kind = Kind::String;
      const Token& t = peek();
      if (!string(v.str)) return false;
      if (!wippy::valid_utf8(v.str)) return fail(t, "malformed UTF-8 encoding");
      return true;
    }
    if (kw.is("list.const") || kw.is("tuple.const")) {
      v.kind = kw.is("list.const") ? Kind::List : Kind::Tuple;
      while (peek().kind == Token::LParen) {
        WastCValue e;
        if (!value(e, pattern)) return false;
        v.items.push_back(std::move(e));
      }
      return true;
    }
    if (kw.is("record.const")) {
      v.kind = Kind::Record;
      while (at_lparen("field")) {
        next();
        next();
        std::string n;
        if (!string(n)) return false;
        WastCValue e;
        if (peek().kind == Token::LParen) {
          if (!value(e, pattern)) return false;
        } else {
          const Token& fkw = next();  // `(field "n" u32.const 7)`
          if (!value_body(fkw, e, pattern)) return false;
        }
        if (!expect_rparen()) return false;
        v.names.push_back(std::move(n));
        v.items.push_back(std::move(e));
      }
      return true;
    }
    if (kw.is("variant.const") || kw.is("enum.const")) {
      v.kind = kw.is("variant.const") ? Kind::Variant : Kind::Enum;
      if (!string(v.str)) return false;
      if (v.kind == Kind::Variant && peek().kind == Token::LParen) {
        WastCValue e;
        if (!value(e, pattern)) return false;
        v.items.push_back(std::move(e));
      }
      return true;
    }
    if (kw.is("flags.const")) {
      v.kind = Kind::Flags;
      while (peek().kind == Token::String) v.names.push_back(next().str);
      return true;
    }
    if (kw.is("option.none") || kw.is("option.some")) {
      v.kind = Kind::Option;
      v.is_some = kw.is("option.some");
      if (v.is_some) {
        WastCValue e;
        if (!value(e, pattern)) return false;
        v.items.push_back(std::move(e));
      }
      return true;
    }
    if (kw.is("result.ok") || kw.is("result.err")) {
      v.kind = Kind::Result;
      v.is_ok = kw.is("result.ok");
      if (peek().kind == Token::LParen) {
        WastCValue e;
        if (!value(e, pattern)) return false;
        v.items.push_back(std::move(e));
      }
      return true;
    }
    return fail(kw, fmt::format("unknown value {}", quote_input(kw.text)));
  }

  bool assert_target(ComponentWastCommand& c) {
    if (at_lparen("component")) return component(c.component);
    return unexpected(peek(1));
  }

  bool command(ComponentWastCommand& c) {
    const Token& open = peek();
    if (open.kind != Token::LParen) return unexpected(open);
    c.line = open.line;
    const Token& kw = peek(1);
    if (kw.is("module") || kw.is("register")) return core_command(c);
    if (kw.is("component")) {
      if (peek(2).is("instance")) {
        c.kind = ComponentWastCommand::ComponentInstance;
        next();
        next();
        next();
        if (!peek().is_id()) return unexpected(peek());
        std::string first(next().text);
        if (peek().is_id()) {
          c.instance_id = std::move(first);
          c.definition_id = std::string(next().text);
        } else {
          c.definition_id = std::move(first);
        }
        return expect_rparen();
      }
      if (!component(c.component)) return false;
      c.kind = c.component.definition ? ComponentWastCommand::ComponentDefinition : ComponentWastCommand::Component;
      return true;
    }
    if (kw.is("invoke")) {
      c.kind = ComponentWastCommand::Action;
      c.has_action = true;
      return action(c.action);
    }
    bool on_module = peek(2).kind == Token::LParen && peek(3).is("module");
    if (on_module) return core_command(c);
    next();
    next();
    if (kw.is("assert_return")) {
      c.kind = ComponentWastCommand::AssertReturn;
      c.has_action = true;
      if (!action(c.action)) return false;
      while (peek().kind == Token::LParen) {
        WastCValue v;
        if (!value(v, true)) return false;
        c.expected.push_back(std::move(v));
      }
    } else if (kw.is("assert_trap") || kw.is("assert_exhaustion")) {
      c.kind = kw.is("assert_trap") ? ComponentWastCommand::AssertTrap : ComponentWastCommand::AssertExhaustion;
      if (at_lparen("component")) {
        if (!component(c.component)) return false;
      } else {
        c.has_action = true;
        if (!action(c.action)) return false;
      }
      if (!string(c.text)) return false;
    } else if (kw.is("assert_invalid") || kw.is("assert_malformed") || kw.is("assert_unlinkable") ||
               kw.is("assert_uninstantiable")) {
      c.kind = kw.is("assert_invalid")      ? ComponentWastCommand::AssertInvalid
               : kw.is("assert_malformed")  ? ComponentWastCommand::AssertMalformed
               : kw.is("assert_unlinkable") ? ComponentWastCommand::AssertUnlinkable
                                            : ComponentWastCommand::AssertUninstantiable;
      if (!assert_target(c) || !string(c.text)) return false;
    } else {
      return fail(kw, fmt::format("unknown command {}", quote_input(kw.text)));
    }
    return expect_rparen();
  }

  std::string_view src_;
  uint32_t nesting_ = 0;  // open values (see value())
};

}  // namespace

Result<std::vector<ComponentWastCommand>> parse_component_wast(std::string_view source) {
  auto tl = wippy::text::lex(source);
  if (!tl) return tl.error();
  if (tl->has_paren_error) return tl->paren_error;
  return ScriptParser(source, std::move(*tl)).run();
}

}  // namespace wippy::component
