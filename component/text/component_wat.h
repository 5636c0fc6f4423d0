// component_wat.h — the component text format (component WAT) front end.
// component_wat_to_binary() parses one component in text form — a
// `(component $id? ...)` form (also `(component binary "...")` and
// `(component quote "...")`) or a bare sequence of component fields — and
// encodes the component binary format (preamble 00 61 73 6d 0d 00 01 00),
// which then goes through decode_component() and validate_component().
// Nested `(core module ...)` forms are encoded by the core WAT parser.
// Errors are ErrorKind::Malformed with "LINE:COL: message"; identifiers that
// do not resolve are malformed text, out-of-range numeric indices are
// encoded as-is and left to the validator.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "interp/text/lexer.h"

namespace wippy::component {

Result<std::vector<uint8_t>> component_wat_to_binary(std::string_view source);

// Encodes the component fields in tokens [begin, end) (end: the
// component's closing paren, or the Eof token).
Result<std::vector<uint8_t>> encode_component_fields(const wippy::text::TokenList& tl, size_t begin,
                                                     size_t end, std::string label = {});

// One `(component $id? ...)` form starting at its '(' (tokens[lparen + 1]
// must be `component`; a `definition` keyword after it is accepted and
// reported). Fails only on syntax errors of the form itself; a text
// component that does not encode keeps its error in text_error.
struct ComponentForm {
  enum Kind : uint8_t { Text, Binary, Quote } kind = Text;
  bool definition = false;             // `(component definition ...)`
  std::optional<std::string> id;
  std::vector<uint8_t> binary;         // Text (when it encoded) or Binary
  std::string quote;                   // Quote: concatenated source
  std::optional<Error> text_error;     // Text that failed to encode
  size_t next = 0;                     // token index after the form's ')'
};

Result<ComponentForm> parse_component_form(const wippy::text::TokenList& tl, size_t lparen);

}  // namespace wippy::component
