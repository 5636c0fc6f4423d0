// val_json.h — component values (Val, val.h) to and from JSON (json.h),
// directed by their resolved type (VType, rtype.h); and whole argument
// lists / results of a component function (FuncSig) as JSON texts, as the
// command line passes them (`wippy-run FILE ENTRY -7 '"text"' '{"x":1}'`).
//
// The mapping, per type (reading accepts exactly this; writing produces the
// first form listed):
//   bool                 true / false
//   s8 .. u64            a JSON number with an integral value in the type's
//                        range (1e3 is 1000; 1.5 is an error). s64 and u64
//                        also accept a decimal string ("18446744073709551615")
//                        for readers that lose digits beyond 2^53. Written as
//                        a number with all its digits.
//   f32, f64             a number; non-finite values as the strings "nan",
//                        "inf", "-inf" (JSON has no literals for them; null
//                        is kept for option). f32 is written with the
//                        shortest digits that read back as the same f32, and
//                        a finite number beyond the f32 range is an error.
//   char                 a string holding exactly one Unicode scalar value
//   string               a string
//   list<T>              an array
//   record               an object with exactly the record's (kebab-case)
//                        field names as keys, written in declaration order;
//                        a missing or unknown field is an error
//   tuple                an array of exactly the tuple's length
//   variant              {"case-name": payload}; a case without a payload
//                        is written {"case-name": null} and is also read
//                        from the bare string "case-name"
//   enum                 the case name as a string
//   option<T>            none = null; some(v) = v itself — except when T is
//                        itself an option, where some(v) = {"some": v}, so
//                        every nesting round-trips (option<option<u8>>:
//                        none = null, some(none) = {"some": null},
//                        some(some(5)) = {"some": 5}). {"none": null} is
//                        also read as none in that nested form.
//   result<T, E>         {"ok": v} / {"err": e}, null for an absent payload
//                        (a bare "ok" / "err" string is read as well)
//   flags                an array of the set labels, written in declaration
//                        order; an unknown or repeated label is an error
//   own<R>, borrow<R>    not representable: an error naming the resource
// Errors are ErrorKind::Invalid and name the path inside the value:
//   argument 1: field "name": expected a string, got a number
// (arguments count from 1; list and tuple elements from 0, as "index 2").
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "component/json.h"
#include "component/rtype.h"
#include "component/val.h"

namespace wippy::component {

Result<Val> val_from_json(const Json& json, const VType& type);
// A Result because some values have no JSON form (resource handles) and a
// Val may not match its type (wrong kind, case index or flag bit): both are
// reported as errors rather than guessed at.
Result<Json> val_to_json(const Val& val, const VType& type);

// Parses one argument per text (each a complete JSON value) against the
// function's parameter types. A count mismatch reports the expected
// parameters and the number given; a parse or conversion error is prefixed
// with "argument N" (1-based).
Result<std::vector<Val>> args_from_json(const FuncSig& sig, std::span<const std::string_view> texts);
Result<std::vector<Val>> args_from_json(const FuncSig& sig, std::span<const std::string> texts);

// The results of a call as JSON text: the single result's JSON, or the
// empty string when the function has no result (the CLI prints nothing).
Result<std::string> results_to_json(const FuncSig& sig, std::span<const Val> results);

}  // namespace wippy::component
