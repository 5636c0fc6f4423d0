// component_values.h — component script values (WastCValue) <-> component
// Vals for the harness, directed by the resolved type (VType): argument
// conversion (the script's kind must fit the type; i32/i64.const are
// accepted for 32/64-bit integers, f32/f64.const for floats; records and
// flags by label name), matching results against expected patterns (exact,
// floats by bits, nan:canonical / nan:arithmetic), and printing expected
// values. Resource handles have no script form: converting to or expecting
// one is an error / a mismatch.
#pragma once
#include <string>

#include "base/result.h"
#include "component/rtype.h"
#include "component/text/component_wast.h"
#include "component/val.h"

namespace wippy::wast {

// The Val for script value `v` as type `type`; ErrorKind::Other saying why
// it does not fit.
Result<component::Val> to_component_val(const component::WastCValue& v, const component::VType& type);

// Whether `got` (of type `type`) matches the expected pattern.
bool component_val_matches(const component::WastCValue& expected, const component::VType& type,
                           const component::Val& got);

// A readable rendering of an expected value, in the style of
// component::to_string(Val): `7`, `"hi"`, `[1, 2]`, `some(3)`, `nan:canonical`.
std::string format_cvalue(const component::WastCValue& v);

}  // namespace wippy::wast
