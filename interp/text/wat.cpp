// wat.cpp — wat_to_wasm(): one text module (bare fields or a `(module ...)`
// form, incl. binary and quote forms) to binary bytes.
#include "interp/text/wat.h"

#include <fmt/format.h>

#include "interp/text/lexer.h"
#include "interp/text/module_parser.h"
#include "interp/quote.h"

namespace wippy {

Result<std::vector<uint8_t>> wat_to_wasm(std::string_view source) {
  auto tl = text::lex(source);
  if (!tl) return tl.error();
  const auto& t = tl->tokens;
  if (t[0].kind == text::Token::LParen && t[1].is("module")) {
    auto form = text::parse_module_form(*tl, 0);
    if (!form) return form.error();
    if (form->text_error) return *form->text_error;
    if (tl->has_paren_error) return tl->paren_error;
    const text::Token& after = t[form->next];
    if (after.kind != text::Token::Eof)
      return text::error_at(after, fmt::format("unexpected token {}", quote_input(after.text)));
    if (form->kind == text::ModuleForm::Quote) return wat_to_wasm(form->quote);
    return std::move(form->binary);
  }
  auto bytes = text::encode_module_fields(*tl, 0, t.size() - 1);
  if (bytes && tl->has_paren_error) return tl->paren_error;
  return bytes;
}

}  // namespace wippy
