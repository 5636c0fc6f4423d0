// wast.cpp — parse_wast(): a .wast script into WastCommands. Modules given
// as text are encoded here (their errors kept in WastModule::text_error);
// values and result patterns are decoded to exact bits.
#include "interp/text/wast.h"

#include <fmt/format.h>

#include "interp/text/lexer.h"
#include "interp/text/module_parser.h"
#include "interp/text/numbers.h"
#include "interp/text/token_cursor.h"
#include "interp/quote.h"

namespace wippy {
namespace {

using text::Token;

class ScriptParser : text::TokenCursor {
 public:
  explicit ScriptParser(text::TokenList tl) : TokenCursor(std::move(tl)) {}

  Result<std::vector<WastCommand>> run() {
    std::vector<WastCommand> out;
    if (t_[0].kind == Token::LParen && is_module_field(t_[1])) {
      // A script that is a bare module: its fields are the whole file.
      WastCommand cmd;
      cmd.line = t_[0].line;
      auto bytes = text::encode_module_fields(tl_, 0, t_.size() - 1);
      if (bytes) cmd.module.binary = std::move(*bytes);
      else cmd.module.text_error = bytes.error().message;
      out.push_back(std::move(cmd));
      return out;
    }
    while (t_[pos_].kind != Token::Eof) {
      WastCommand cmd;
      if (!command(cmd)) return err_;
      out.push_back(std::move(cmd));
    }
    return out;
  }

 private:
  static bool is_module_field(const Token& t) {
    for (std::string_view f : {"type", "import", "func", "table", "memory", "global", "export",
                               "start", "elem", "data"})
      if (t.is(f)) return true;
    return false;
  }

  bool module(WastModule& m) {
    if (!at_lparen("module")) return unexpected(peek(1));
    auto form = text::parse_module_form(tl_, pos_);
    if (!form) {
      err_ = form.error();
      return false;
    }
    m.id = form->id;
    m.definition = form->definition;
    m.kind = form->kind == text::ModuleForm::Text     ? WastModule::Text
             : form->kind == text::ModuleForm::Binary ? WastModule::Binary
                                                      : WastModule::Quote;
    m.binary = std::move(form->binary);
    m.quote = std::move(form->quote);
    if (form->text_error) m.text_error = form->text_error->message;
    pos_ = form->next;
    return true;
  }

  bool action(WastAction& a) {
    if (!expect_lparen()) return false;
    const Token& kw = next();
    if (kw.is("invoke")) a.kind = WastAction::Invoke;
    else if (kw.is("get")) a.kind = WastAction::Get;
    else return unexpected(kw);
    if (peek().is_id()) a.module = std::string(next().text);
    if (!string(a.name)) return false;
    while (peek().kind == Token::LParen) {
      WastValue v;
      if (!value(v, false)) return false;
      a.args.push_back(std::move(v));
    }
    return expect_rparen();
  }

  bool float_value(WastValue& v, ValType type, bool pattern) {
    const Token& t = peek();
    v.type = type;
    if (pattern && t.is("nan:canonical")) {
      v.kind = WastValue::NanCanonical;
      next();
      return true;
    }
    if (pattern && t.is("nan:arithmetic")) {
      v.kind = WastValue::NanArithmetic;
      next();
      return true;
    }
    text::NumStatus st = text::NumStatus::Syntax;
    if (t.kind == Token::Atom) {
      if (type == ValType::F32) {
        uint32_t b = 0;
        st = text::parse_f32(t.text, b);
        v.bits = b;
      } else {
        st = text::parse_f64(t.text, v.bits);
      }
    }
    if (st == text::NumStatus::Range) return fail(t, "constant out of range");
    if (st != text::NumStatus::Ok) return unexpected(t);
    v.kind = WastValue::Num;
    next();
    return true;
  }

  bool int_value(WastValue& v, ValType type) {
    const Token& t = peek();
    text::NumStatus st = text::NumStatus::Syntax;
    if (t.kind == Token::Atom) st = text::parse_int(t.text, type == ValType::I32 ? 32 : 64, v.bits);
    if (st == text::NumStatus::Range) return fail(t, "constant out of range");
    if (st != text::NumStatus::Ok) return unexpected(t);
    v.kind = WastValue::Num;
    v.type = type;
    next();
    return true;
  }

  bool v128_value(WastValue& v, bool pattern) {
    v.kind = WastValue::V128;
    v.type = ValType::V128;
    const Token& st = peek();
    text::LaneShape shape;
    if (st.kind != Token::Atom || !text::lane_shape(st.text, shape)) return unexpected(st);
    next();
    v.lane_type = shape.is_float ? (shape.lane_bits == 32 ? ValType::F32 : ValType::F64)
                                 : (shape.lane_bits == 64 ? ValType::I64 : ValType::I32);
    v.lane_bits = uint8_t(shape.lane_bits);
    bool any_pattern = false;
    std::vector<WastValue> lanes;
    unsigned bytes = shape.lane_bits / 8;
    for (unsigned i = 0; i < shape.lanes; ++i) {
      WastValue lane;
      lane.type = v.lane_type;
      const Token& t = peek();
      if (shape.is_float) {
        if (!float_value(lane, v.lane_type, pattern)) return false;
        if (lane.kind != WastValue::Num) any_pattern = true;
      } else {
        text::NumStatus s = t.kind == Token::Atom ? text::parse_lane(t.text, shape, lane.bits)
                                                  : text::NumStatus::Syntax;
        if (s == text::NumStatus::Range) return fail(t, "constant out of range");
        if (s != text::NumStatus::Ok) return unexpected(t);
        next();
      }
      for (unsigned b = 0; b < bytes; ++b) v.v128[i * bytes + b] = uint8_t(lane.bits >> (8 * b));
      lanes.push_back(std::move(lane));
    }
    if (any_pattern) v.lanes = std::move(lanes);
    return true;
  }

  // (t.const ...), (ref.null t), (ref.extern N), (ref.host N), (ref.func),
  // (ref.i31) and the other abstract patterns, (v128.const ...)
  bool value(WastValue& v, bool pattern) {
    if (!expect_lparen()) return false;
    const Token& kw = next();
    bool ok;
    if (kw.is("i32.const")) ok = int_value(v, ValType::I32);
    else if (kw.is("i64.const")) ok = int_value(v, ValType::I64);
    else if (kw.is("f32.const")) ok = float_value(v, ValType::F32, pattern);
    else if (kw.is("f64.const")) ok = float_value(v, ValType::F64, pattern);
    else if (kw.is("v128.const")) ok = v128_value(v, pattern);
    else if (kw.is("ref.null")) {
      v.kind = WastValue::RefNull;
      if (pattern && peek().kind == Token::RParen) {
        v.type = kAnyNullRef;  // (ref.null): a null of any reference type
        return expect_rparen();
      }
      const Token& t = next();
      auto heap = t.kind == Token::Atom ? abstract_heap_named(t.text, "") : std::nullopt;
      if (!heap) return unexpected(t);
      v.type = make_ref(true, *heap);
      ok = true;
    } else if (kw.is("ref.extern") || kw.is("ref.host")) {
      const bool host = kw.is("ref.host");
      v.kind = host ? WastValue::RefHost : WastValue::RefExtern;
      v.type = host ? make_ref(true, kHeapAny) : ValType::ExternRef;
      ok = true;
      if (peek().kind == Token::Atom) {
        const Token& t = next();
        if (text::parse_uint(t.text, UINT32_MAX, v.bits) != text::NumStatus::Ok) return unexpected(t);
      } else if (!pattern || host) {
        return unexpected(peek());
      } else {
        v.kind = WastValue::RefOf;  // (ref.extern): any non-null externref
        v.type = make_ref(false, kHeapExtern);
      }
    } else if (pattern && (kw.is("ref.i31") || kw.is("ref.eq") || kw.is("ref.struct") || kw.is("ref.array") ||
                           kw.is("ref.any"))) {
      v.kind = WastValue::RefOf;
      v.type = make_ref(false, *abstract_heap_named(kw.text.substr(4), ""));
      ok = true;
    } else if (kw.is("ref.func") && pattern) {
      v.kind = WastValue::RefFunc;
      v.type = ValType::FuncRef;
      if (peek().kind == Token::Atom) next();  // an index, if given, is not checked
      ok = true;
    } else {
      return unexpected(kw);
    }
    if (!ok) return false;
    return expect_rparen();
  }

  bool message(std::string& out) { return string(out); }

  bool command(WastCommand& c) {
    const Token& open = peek();
    if (open.kind != Token::LParen) return unexpected(open);
    c.line = open.line;
    const Token& kw = peek(1);
    if (kw.is("module") && peek(2).is("instance")) {
      c.kind = WastCommand::ModuleInstance;
      next();
      next();
      next();
      if (peek().is_id()) c.instance_id = std::string(next().text);
      if (peek().is_id()) c.definition_id = std::string(next().text);
      return expect_rparen();
    }
    if (kw.is("module")) {
      c.kind = WastCommand::Module;
      return module(c.module);
    }
    if (kw.is("invoke") || kw.is("get")) {
      c.kind = WastCommand::Action;
      c.has_action = true;
      return action(c.action);
    }
    next();
    next();
    if (kw.is("register")) {
      c.kind = WastCommand::Register;
      if (!string(c.register_name)) return false;
      if (peek().is_id()) c.register_module = std::string(next().text);
    } else if (kw.is("assert_return")) {
      c.kind = WastCommand::AssertReturn;
      c.has_action = true;
      if (!action(c.action)) return false;
      while (peek().kind == Token::LParen) {
        if (at_lparen("either")) {
          next();
          next();
          while (peek().kind == Token::LParen) {
            WastValue v;
            if (!value(v, true)) return false;
            c.either.push_back({std::move(v)});
          }
          if (!expect_rparen()) return false;
          continue;
        }
        WastValue v;
        if (!value(v, true)) return false;
        c.expected.push_back(std::move(v));
      }
    } else if (kw.is("assert_trap")) {
      c.kind = WastCommand::AssertTrap;
      if (at_lparen("module")) {
        if (!module(c.module)) return false;
      } else {
        c.has_action = true;
        if (!action(c.action)) return false;
      }
      if (!message(c.text)) return false;
    } else if (kw.is("assert_exception")) {
      c.kind = WastCommand::AssertException;
      c.has_action = true;
      if (!action(c.action)) return false;
      c.text = "uncaught exception";
    } else if (kw.is("assert_exhaustion")) {
      c.kind = WastCommand::AssertExhaustion;
      c.has_action = true;
      if (!action(c.action) || !message(c.text)) return false;
    } else if (kw.is("assert_invalid") || kw.is("assert_malformed") || kw.is("assert_malformed_custom") ||
               kw.is("assert_invalid_custom") || kw.is("assert_unlinkable") || kw.is("assert_uninstantiable")) {
      c.kind = kw.is("assert_invalid")            ? WastCommand::AssertInvalid
               : kw.is("assert_malformed")        ? WastCommand::AssertMalformed
               : kw.is("assert_malformed_custom") ? WastCommand::AssertMalformedCustom
               : kw.is("assert_invalid_custom")   ? WastCommand::AssertInvalidCustom
               : kw.is("assert_unlinkable")       ? WastCommand::AssertUnlinkable
                                                  : WastCommand::AssertUninstantiable;
      if (!module(c.module) || !message(c.text)) return false;
    } else {
      return fail(kw, fmt::format("unknown command {}", quote_input(kw.text)));
    }
    return expect_rparen();
  }

};

}  // namespace

Result<std::vector<WastCommand>> parse_wast(std::string_view source) {
  auto tl = text::lex(source);
  if (!tl) return tl.error();
  if (tl->has_paren_error) return tl->paren_error;
  return ScriptParser(std::move(*tl)).run();
}

}  // namespace wippy
