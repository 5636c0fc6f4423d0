// values.h — script values <-> engine Values for the harness (and
// `wippy-run run --invoke`, which prints its results with format_packed and
// passes externrefs by extern_payload): converting arguments, matching
// results against expected patterns (exact bits for numbers and refs,
// nan:canonical / nan:arithmetic), and printing values.
// Externrefs cross the boundary as host payload N + 1 for (ref.extern N),
// so that 0 stays null.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "interp/store.h"
#include "interp/text/wast.h"

namespace wippy::wast {

inline uint64_t extern_payload(uint64_t n) { return n + 1; }

// An argument for a parameter of type `type`; nullopt with `why` set when the
// value cannot be passed (wrong type, v128).
std::optional<Value> to_value(const WastValue& v, ValType type, std::string& why);
// Appends the argument to `out` in invoke()'s packed layout (a v128 as two
// Values, low 8 bytes first); false with `why` set when it cannot be passed.
bool append_arg(const WastValue& v, ValType type, std::vector<Value>& out, std::string& why);

// Whether `got` (of type `type`) matches the expected pattern.
bool matches(const WastValue& expected, ValType type, Value got);
// The same for a value in the packed layout at `got` (two Values for a
// v128: compared bytewise, or per lane when the pattern has NaN lanes).
bool matches_packed(const WastValue& expected, ValType type, const Value* got);
std::string format_packed(ValType type, const Value* v);

// "i32:42", "f32:1.5 (0x3fc00000)", "ref.null", "ref.extern 3", ...
std::string format_value(ValType type, Value v);
std::string format_expected(const WastValue& v);

}  // namespace wippy::wast
