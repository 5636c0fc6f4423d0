// component_wast.h — .wast scripts that mix core and component commands
// (the upstream component-model tests). parse_component_wast() returns the
// commands in order; core commands (`module`, `register`, assert_* on a
// `(module ...)`) are parsed by parse_wast() and kept as a WastCommand;
// component commands carry their component (encoded at parse time when it
// is text; a text component that does not encode keeps its error, for the
// runner to report or to expect) and actions carry component values.
// Errors (unbalanced parens, unknown commands, bad values) are Malformed
// with "LINE:COL: message".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "interp/text/wast.h"

namespace wippy::component {

// A component value in a script: an invoke argument or an expected result.
// Core values (`i32.const` ...) are accepted as the Core* kinds.
struct WastCValue {
  enum class Kind : uint8_t {
    Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
    List, Record, Tuple, Variant, Enum, Option, Result, Flags,
    CoreI32, CoreI64, CoreF32, CoreF64,
  } kind = Kind::Bool;
  // Integers: the value's two's complement, zero-extended to 64 bits
  // (s8 -1 is 0xff); floats: their bits; bool: 0/1; char: the code point.
  uint64_t bits = 0;
  bool nan_canonical = false;   // f32/f64 result pattern nan:canonical
  bool nan_arithmetic = false;  // f32/f64 result pattern nan:arithmetic
  std::string str;              // String: UTF-8; Variant/Enum: the case name
  // List/Tuple: the elements; Record: the field values (names in `names`);
  // Variant/Option/Result: the payload, if any (0 or 1 element);
  // Flags: empty (names in `names`).
  std::vector<WastCValue> items;
  std::vector<std::string> names;  // Record field names; Flags set flags
  bool is_some = false;            // Option
  bool is_ok = false;              // Result
};

// The component (or its failure) given to a component command.
struct WastComponent {
  enum Kind : uint8_t { Text, Binary, Quote } kind = Text;
  std::optional<std::string> id;          // `$name`, if any
  bool definition = false;                // `(component definition ...)`
  std::vector<uint8_t> binary;            // Text (when it encoded) and Binary
  std::string quote;                      // Quote: the concatenated source
  std::optional<std::string> text_error;  // Text that failed to encode
};

struct WastCAction {
  std::optional<std::string> instance;  // `$name`, else the latest instance
  std::string name;                     // export name
  std::vector<WastCValue> args;
};

struct ComponentWastCommand {
  enum Kind : uint8_t {
    Core,                  // a core command: see `core`
    Component,             // (component ...): define and instantiate
    ComponentDefinition,   // (component definition $X? ...): define only
    ComponentInstance,     // (component instance $i $X)
    Action,                // a bare invoke
    AssertReturn,
    AssertTrap,            // on an action, or on a component (instantiation traps)
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
  } kind = Core;
  uint32_t line = 0;
  WastCommand core;                          // Core
  WastComponent component;                   // Component, ComponentDefinition, Assert* on a component
  std::optional<std::string> instance_id;    // ComponentInstance: `$i`
  std::string definition_id;                 // ComponentInstance: `$X`
  bool has_action = false;
  WastCAction action;                        // Action, AssertReturn, AssertTrap/Exhaustion on an action
  std::vector<WastCValue> expected;          // AssertReturn
  std::string text;                          // expected failure message of assert_*
};

Result<std::vector<ComponentWastCommand>> parse_component_wast(std::string_view source);

}  // namespace wippy::component
