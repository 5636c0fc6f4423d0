// wast.h — .wast spec scripts: parsed into a list of commands that a runner
// executes against the public engine API (the runner lives in cli/).
// Modules given as text are encoded to binary at parse time when they parse;
// a text module that does not parse keeps the error for the runner to report
// (or to expect, for assert_malformed). `(module quote ...)` keeps its source
// text to be parsed when the command runs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "interp/types.h"

namespace wippy {

struct WastModule {
  enum Kind : uint8_t { Text, Binary, Quote } kind = Text;
  std::optional<std::string> id;        // `$name` given to the module, if any
  bool definition = false;              // `(module definition ...)`: validated, not instantiated
  std::vector<uint8_t> binary;          // Text (when it parsed) and Binary
  std::string quote;                    // Quote: the concatenated source text
  std::optional<std::string> text_error;  // Text that failed to parse
};

// A value in a script: an argument, or an expected result pattern.
// WastValue::type of the result pattern `(ref.null)`: any null reference.
inline constexpr ValType kAnyNullRef = ValType(0);

struct WastValue {
  enum Kind : uint8_t {
    Num,            // i32/i64/f32/f64 with exact bits (type says which)
    V128,           // bits in v128; lanes (if shape given) in `lanes`
    RefNull,        // type = FuncRef, ExternRef or kAnyNullRef (pattern `(ref.null)`)
    RefExtern,      // (ref.extern N): bits = N
    RefFunc,        // (ref.func): any non-null funcref (expected results only)
    RefHost,        // (ref.host N): host value N internalized into anyref; bits = N
    RefOf,          // (ref.i31), (ref.eq), (ref.struct), (ref.array), (ref.any),
                    // (ref.extern) without N: any non-null reference of the
                    // abstract heap type; type = (ref heap) (expected results only)
    NanCanonical,   // f32/f64 result pattern
    NanArithmetic,  // f32/f64 result pattern
  } kind = Num;
  ValType type = ValType::I32;
  uint64_t bits = 0;
  uint8_t v128[16] = {};
  // For v128 results written per lane (e.g. `f32x4 nan:canonical 0 1 2`):
  // the lane type (I32 for i8/i16/i32 shapes with lane_bits) and one
  // WastValue per lane; empty when comparing the 16 bytes is enough.
  ValType lane_type = ValType::I32;
  uint8_t lane_bits = 0;
  std::vector<WastValue> lanes;
};

struct WastAction {
  enum Kind : uint8_t { Invoke, Get } kind = Invoke;
  std::optional<std::string> module;  // `$name` of the module, else the latest
  std::string name;                   // export name (UTF-8, escapes decoded)
  std::vector<WastValue> args;
};

struct WastCommand {
  enum Kind : uint8_t {
    Module,                // define (and instantiate) a module
    ModuleInstance,        // (module instance $inst? $def?): instantiate a definition
    Register,              // (register "name" $mod?)
    Action,                // a bare invoke/get
    AssertReturn,
    AssertTrap,            // on an action, or on a module (instantiation traps)
    AssertExhaustion,
    AssertException,       // an action that ends with an uncaught wasm exception
    AssertInvalid,
    AssertMalformed,
    AssertMalformedCustom,  // a text module whose annotations do not parse
    AssertInvalidCustom,    // a valid module whose custom sections are wrong
    AssertUnlinkable,
    AssertUninstantiable,
  } kind = Module;
  uint32_t line = 0;     // 1-based line of the command in the script
  WastModule module;     // Module, Assert{Invalid,Malformed,Unlinkable,Uninstantiable}, AssertTrap on a module
  bool has_action = false;
  WastAction action;     // Action, AssertReturn, AssertTrap (on an action), AssertExhaustion
  std::string register_name;                 // Register
  std::optional<std::string> register_module;  // Register: `$name`, else the latest
  std::optional<std::string> instance_id;      // ModuleInstance: `$inst`
  std::optional<std::string> definition_id;    // ModuleInstance: `$def`, else the latest definition
  std::vector<WastValue> expected;           // AssertReturn
  std::vector<std::vector<WastValue>> either;  // AssertReturn `(either ...)` alternatives, if used
  std::string text;      // expected failure message of assert_* forms
};

// Parses a whole script. A script-level syntax error (unbalanced parens,
// unknown command) is Malformed with "LINE:COL: message".
Result<std::vector<WastCommand>> parse_wast(std::string_view source);

}  // namespace wippy
