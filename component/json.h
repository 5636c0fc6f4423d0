// json.h — a small JSON (RFC 8259) document model: a value type `Json`,
// `parse_json` (whole text; errors carry the byte offset) and
// `to_json_text` (compact, stable output).
// Contract:
//   - Strings hold UTF-8. The parser decodes \u escapes incl. surrogate
//     pairs, rejects lone surrogates, raw control characters and invalid
//     UTF-8. The writer escapes `"`, `\` and U+0000..U+001F (as \b \f \n \r
//     \t or \u00XX) and writes everything else as raw UTF-8.
//   - Numbers keep integers exact: an integral literal (no fraction or
//     exponent) that fits int64 is Int, one that fits uint64 is UInt,
//     anything else is Float (double; "-0" is Float -0.0 so its sign
//     survives). Floats are written shortest-round-trip (std::to_chars);
//     a Float with an integral value prints without a fraction ("3"), so it
//     re-reads as Int — numbers compare by value across kinds for that
//     reason. Non-finite doubles cannot be written in JSON: the writer emits
//     `null` for them (callers that need them, like val_json.h, encode them
//     as strings before they reach the writer).
//   - Objects keep members in insertion order; the writer preserves it.
//     The parser rejects duplicate keys (a record must not be ambiguous).
//   - The reader does not recurse; nesting deeper than kMaxJsonDepth is
//     rejected, which bounds the recursion of the writer, operator== and
//     the destructor (tests/unit/test_depth.cpp runs them on a 64 KiB fiber).
//   - Parse errors are ErrorKind::Invalid: "JSON at offset N: <what>".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace wippy::component {

// Arrays and objects open at once; a component value needs at most one
// level per type level (kMaxTypeDepth, validate.h), so this leaves room.
inline constexpr size_t kMaxJsonDepth = 128;

class Json {
 public:
  enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };
  enum class NumKind : uint8_t { Int, UInt, Float };  // UInt only above INT64_MAX
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() = default;  // null
  static Json null() { return Json(); }
  static Json boolean(bool b) { Json j(Kind::Bool); j.b_ = b; return j; }
  static Json number(int64_t v) { Json j(Kind::Number); j.nk_ = NumKind::Int; j.i_ = v; return j; }
  static Json number(uint64_t v);
  static Json number(double v) { Json j(Kind::Number); j.nk_ = NumKind::Float; j.d_ = v; return j; }
  static Json string(std::string s) { Json j(Kind::String); j.s_ = std::move(s); return j; }
  static Json array(Array items = {}) { Json j(Kind::Array); j.a_ = std::move(items); return j; }
  static Json object(Object members = {}) { Json j(Kind::Object); j.o_ = std::move(members); return j; }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }

  // Accessors; each assumes the matching kind.
  bool as_bool() const { return b_; }
  NumKind num_kind() const { return nk_; }
  int64_t as_int() const { return i_; }    // NumKind::Int
  uint64_t as_uint() const { return u_; }  // NumKind::UInt
  double as_double() const;                // any number, converted
  const std::string& as_string() const { return s_; }
  const Array& as_array() const { return a_; }
  Array& as_array() { return a_; }
  const Object& as_object() const { return o_; }
  Object& as_object() { return o_; }

  // Object member lookup (first match), or nullptr.
  const Json* find(std::string_view key) const;
  // Appends to an array.
  Json& push(Json v);
  // Sets an object member: replaces an existing key in place, else appends.
  Json& set(std::string key, Json v);

  bool operator==(const Json& o) const;

 private:
  explicit Json(Kind k) : kind_(k) {}
  Kind kind_ = Kind::Null;
  bool b_ = false;
  NumKind nk_ = NumKind::Int;
  int64_t i_ = 0;
  uint64_t u_ = 0;
  double d_ = 0;
  std::string s_;
  Array a_;
  Object o_;
};

// Parses one JSON value; only whitespace may surround it.
Result<Json> parse_json(std::string_view text);

// Compact serialization (no whitespace), members in insertion order.
std::string to_json_text(const Json& j);
void append_json_text(std::string& out, const Json& j);

// Shortest text that reads back as exactly `v` (std::to_chars); finite
// values only (used by the writer and for messages).
std::string shortest_double_text(double v);

}  // namespace wippy::component
