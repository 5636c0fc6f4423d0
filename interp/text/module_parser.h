// module_parser.h — WAT module fields -> binary module bytes.
// encode_module_fields() parses the module fields in tokens [begin, end)
// (end is the module's closing paren or the Eof token), resolves every
// identifier and encodes the binary format directly.
// parse_module_form() reads one `(module definition? $id? ...)` form (text,
// binary or quote) starting at its '('; it fails only on syntax errors of
// the form itself, a text module that does not encode keeps its error in
// text_error.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "interp/text/lexer.h"

namespace wippy::text {

Result<std::vector<uint8_t>> encode_module_fields(const TokenList& tl, size_t begin, size_t end);

struct ModuleForm {
  enum Kind : uint8_t { Text, Binary, Quote } kind = Text;
  std::optional<std::string> id;
  bool definition = false;                // `(module definition ...)`: not instantiated
  std::vector<uint8_t> binary;            // Text (when it encoded) or Binary
  std::string quote;                      // Quote: concatenated source
  std::optional<Error> text_error;        // Text that failed to encode
  size_t next = 0;                        // token index after the form's ')'
};

Result<ModuleForm> parse_module_form(const TokenList& tl, size_t lparen);

}  // namespace wippy::text
