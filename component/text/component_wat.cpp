// component_wat.cpp — entry points of the component text front end: whole
// sources, token ranges, and single `(component ...)` forms.
#include "component/text/component_wat.h"

#include <fmt/format.h>

#include "component/text/parser.h"
#include "interp/quote.h"

namespace wippy::component {

using wippy::text::Token;

Result<std::vector<uint8_t>> encode_component_fields(const wippy::text::TokenList& tl, size_t begin,
                                                     size_t end, std::string label) {
  text::Parser p(tl);
  return p.component(begin, end, std::move(label));
}

Result<ComponentForm> parse_component_form(const wippy::text::TokenList& tl, size_t lparen) {
  const auto& t = tl.tokens;
  ComponentForm form;
  size_t close = tl.match[lparen];
  size_t p = lparen + 1;
  if (!t[p].is("component")) return wippy::text::error_at(t[p], fmt::format("unexpected token {}", quote_input(t[p].text)));
  ++p;
  if (t[p].is("definition")) {
    form.definition = true;
    ++p;
  }
  if (t[p].is_id()) form.id = std::string(t[p++].text);
  form.next = close + 1;
  if (t[p].is("binary") || t[p].is("quote")) {
    bool binary = t[p].is("binary");
    form.kind = binary ? ComponentForm::Binary : ComponentForm::Quote;
    for (++p; p < close; ++p) {
      if (t[p].kind != Token::String)
        return wippy::text::error_at(t[p], fmt::format("unexpected token {}", quote_input(t[p].text)));
      if (binary) form.binary.insert(form.binary.end(), t[p].str.begin(), t[p].str.end());
      else form.quote += t[p].str;
    }
    return form;
  }
  auto bytes = encode_component_fields(tl, p, close, form.id.value_or(""));
  if (bytes) form.binary = std::move(*bytes);
  else form.text_error = bytes.error();
  return form;
}

Result<std::vector<uint8_t>> component_wat_to_binary(std::string_view source) {
  auto tl = wippy::text::lex(source);
  if (!tl) return tl.error();
  const auto& t = tl->tokens;
  if (t.size() >= 2 && t[0].kind == Token::LParen && t[1].is("component")) {
    if (tl->match[0] + 2 != t.size()) {
      if (tl->has_paren_error) return tl->paren_error;
      const Token& extra = t[tl->match[0] + 1];
      return wippy::text::error_at(extra, fmt::format("unexpected token {}", quote_input(extra.text)));
    }
    auto form = parse_component_form(*tl, 0);
    if (!form) return form.error();
    if (form->text_error) return *form->text_error;
    if (form->kind == ComponentForm::Quote) return component_wat_to_binary(form->quote);
    if (tl->has_paren_error) return tl->paren_error;
    return std::move(form->binary);
  }
  auto bytes = encode_component_fields(*tl, 0, t.size() - 1);
  if (!bytes) return bytes.error();
  if (tl->has_paren_error) return tl->paren_error;
  return bytes;
}

}  // namespace wippy::component
