// json.cpp — the JSON document model, reader and compact writer (json.h).
#include "component/json.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "base/utf8.h"
#include "interp/quote.h"

namespace wippy::component {

Json Json::number(uint64_t v) {
  if (v <= uint64_t(std::numeric_limits<int64_t>::max())) return number(int64_t(v));
  Json j(Kind::Number);
  j.nk_ = NumKind::UInt;
  j.u_ = v;
  return j;
}

double Json::as_double() const {
  switch (nk_) {
    case NumKind::Int: return double(i_);
    case NumKind::UInt: return double(u_);
    case NumKind::Float: return d_;
  }
  return 0;
}

const Json* Json::find(std::string_view key) const {
  for (auto& [k, v] : o_)
    if (k == key) return &v;
  return nullptr;
}

Json& Json::push(Json v) {
  a_.push_back(std::move(v));
  return a_.back();
}

Json& Json::set(std::string key, Json v) {
  for (auto& [k, old] : o_)
    if (k == key) return old = std::move(v);
  o_.emplace_back(std::move(key), std::move(v));
  return o_.back().second;
}

namespace {
// Exact comparison of a double with an Int/UInt number (no rounding).
bool float_equals_integer(double d, const Json& n) {
  if (std::trunc(d) != d) return false;
  if (n.num_kind() == Json::NumKind::Int)
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && int64_t(d) == n.as_int();
  return d >= 9223372036854775808.0 && d < 18446744073709551616.0 && uint64_t(d) == n.as_uint();
}
}  // namespace

bool Json::operator==(const Json& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::Null: return true;
    case Kind::Bool: return b_ == o.b_;
    case Kind::Number:
      if (nk_ == NumKind::Float && o.nk_ == NumKind::Float) return d_ == o.d_;
      if (nk_ == NumKind::Float) return float_equals_integer(d_, o);
      if (o.nk_ == NumKind::Float) return float_equals_integer(o.d_, *this);
      if (nk_ != o.nk_) return false;
      return nk_ == NumKind::Int ? i_ == o.i_ : u_ == o.u_;
    case Kind::String: return s_ == o.s_;
    case Kind::Array: return a_ == o.a_;
    case Kind::Object: return o_ == o.o_;
  }
  return false;
}

// ---------------------------------------------------------------- reader

namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : t_(text) {}

  Result<Json> document() {
    skip_ws();
    auto v = value();
    if (!v.ok()) return v;
    skip_ws();
    if (p_ != t_.size()) return fail("unexpected text after the value");
    return v;
  }

 private:
  // An array or object still open: what it holds so far, and for an object
  // the key of the value being read and the keys seen.
  struct Open {
    Json j;
    std::string key;
    std::unordered_set<std::string> seen;
  };

  std::string_view t_;
  size_t p_ = 0;

  Error fail(std::string_view what) const { return fail_at(p_, what); }
  Error fail_at(size_t at, std::string_view what) const {
    return make_error(ErrorKind::Invalid, fmt::format("JSON at offset {}: {}", at, what));
  }

  bool at_end() const { return p_ >= t_.size(); }
  char peek() const { return at_end() ? '\0' : t_[p_]; }
  void skip_ws() {
    while (!at_end() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  std::string describe_here() const {
    if (at_end()) return "end of text";
    unsigned char c = uint8_t(t_[p_]);
    if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", char(c));
    return fmt::format("byte 0x{:02x}", c);
  }

  // `"key" :` inside an object, with the whitespace around it.
  Result<void> member_key(Open& o) {
    skip_ws();
    if (peek() != '"') return fail(fmt::format("expected a string key in an object, got {}", describe_here()));
    size_t key_at = p_;
    auto key = string();
    if (!key.ok()) return key.error();
    if (!o.seen.insert(*key).second) return fail_at(key_at, fmt::format("duplicate key \"{}\"", quote_input(*key)));
    o.key = std::move(*key);
    skip_ws();
    if (peek() != ':') return fail(fmt::format("expected ':' after an object key, got {}", describe_here()));
    ++p_;
    return {};
  }

  // One value, arrays and objects included, without recursion: open
  // containers are kept on `open`, at most kMaxJsonDepth of them.
  Result<Json> value() {
    std::vector<Open> open;
    for (;;) {
      // Read the start of a value; a container either opens (and the loop
      // reads its first member) or is empty and completes at once.
      skip_ws();
      Json done;
      char c = peek();
      if (c == '[' || c == '{') {
        if (open.size() >= kMaxJsonDepth) return fail(fmt::format("nesting deeper than {}", kMaxJsonDepth));
        ++p_;
        skip_ws();
        bool is_array = c == '[';
        if (peek() == (is_array ? ']' : '}')) {
          ++p_;
          done = is_array ? Json::array() : Json::object();
        } else {
          open.push_back(Open{is_array ? Json::array() : Json::object(), {}, {}});
          if (!is_array)
            if (auto k = member_key(open.back()); !k) return k.error();
          continue;
        }
      } else {
        auto v = scalar();
        if (!v.ok()) return v;
        done = std::move(*v);
      }
      // Hand the completed value to the containers it closes.
      for (;;) {
        if (open.empty()) return done;
        Open& top = open.back();
        bool is_array = top.j.is_array();
        if (is_array) top.j.push(std::move(done));
        else top.j.as_object().emplace_back(std::move(top.key), std::move(done));
        skip_ws();
        if (peek() == ',') {
          ++p_;
          if (!is_array)
            if (auto k = member_key(top); !k) return k.error();
          break;  // the next member's value
        }
        if (peek() == (is_array ? ']' : '}')) {
          ++p_;
          done = std::move(top.j);
          open.pop_back();
          continue;
        }
        return fail(is_array ? fmt::format("expected ',' or ']' in an array, got {}", describe_here())
                             : fmt::format("expected ',' or '}}' in an object, got {}", describe_here()));
      }
    }
  }

  Result<Json> scalar() {
    switch (peek()) {
      case '"': {
        auto s = string();
        if (!s.ok()) return s.error();
        return Json::string(std::move(*s));
      }
      case 't': return literal("true", Json::boolean(true));
      case 'f': return literal("false", Json::boolean(false));
      case 'n': return literal("null", Json::null());
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number();
        return fail(fmt::format("expected a value, got {}", describe_here()));
    }
  }

  Result<Json> literal(std::string_view word, Json v) {
    if (t_.substr(p_, word.size()) != word) return fail(fmt::format("expected a value, got {}", describe_here()));
    p_ += word.size();
    return v;
  }

  // Four hex digits at p_ (after "\u").
  Result<uint32_t> hex4() {
    if (p_ + 4 > t_.size()) return fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = t_[p_ + i];
      uint32_t d;
      if (c >= '0' && c <= '9') d = uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') d = uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = uint32_t(c - 'A' + 10);
      else return fail_at(p_ + i, "expected 4 hex digits after \\u");
      v = v * 16 + d;
    }
    p_ += 4;
    return v;
  }

  Result<std::string> string() {
    size_t start = p_;
    ++p_;  // "
    std::string out;
    for (;;) {
      if (at_end()) return fail_at(start, "unterminated string");
      unsigned char c = uint8_t(t_[p_]);
      if (c == '"') {
        ++p_;
        return out;
      }
      if (c < 0x20) return fail(fmt::format("control character 0x{:02x} in a string must be escaped", c));
      if (c != '\\') {
        size_t n = decode_utf8_char(t_, p_).len;
        if (n == 0) return fail("invalid UTF-8 in a string");
        out.append(t_.substr(p_, n));
        p_ += n;
        continue;
      }
      size_t esc_at = p_;
      ++p_;
      if (at_end()) return fail_at(start, "unterminated string");
      char e = t_[p_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto hi = hex4();
          if (!hi.ok()) return hi.error();
          uint32_t cp = *hi;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail_at(esc_at, "lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (t_.substr(p_, 2) != "\\u") return fail_at(esc_at, "high surrogate not followed by a \\u low surrogate");
            p_ += 2;
            auto lo = hex4();
            if (!lo.ok()) return lo.error();
            if (*lo < 0xDC00 || *lo > 0xDFFF) return fail_at(esc_at, "high surrogate not followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
          }
          encode_utf8(cp, out);
          break;
        }
        default: return fail_at(esc_at, fmt::format("invalid escape '\\{}'", e));
      }
    }
  }

  Result<Json> number() {
    size_t start = p_;
    auto digits = [&] {
      size_t n = 0;
      while (!at_end() && t_[p_] >= '0' && t_[p_] <= '9') ++p_, ++n;
      return n;
    };
    bool negative = peek() == '-';
    if (negative) ++p_;
    if (peek() == '0') {
      ++p_;
      if (peek() >= '0' && peek() <= '9') return fail("leading zeros are not allowed in a number");
    } else if (digits() == 0) {
      return fail("expected a digit");
    }
    bool integral = true;
    bool negative_exponent = false;
    if (peek() == '.') {
      integral = false;
      ++p_;
      if (digits() == 0) return fail("expected a digit after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++p_;
      if (peek() == '+' || peek() == '-') negative_exponent = t_[p_++] == '-';
      if (digits() == 0) return fail("expected a digit in the exponent");
    }
    const char* b = t_.data() + start;
    const char* e = t_.data() + p_;
    std::string_view lit(b, size_t(e - b));
    if (integral) {
      if (lit == "-0") return Json::number(-0.0);
      int64_t i = 0;
      auto r = std::from_chars(b, e, i);
      if (r.ec == std::errc() && r.ptr == e) return Json::number(i);
      uint64_t u = 0;
      if (!negative) {
        auto ru = std::from_chars(b, e, u);
        if (ru.ec == std::errc() && ru.ptr == e) return Json::number(u);
      }
    }
    double d = 0;
    auto r = std::from_chars(b, e, d);
    if (r.ec == std::errc::result_out_of_range && negative_exponent) return Json::number(negative ? -0.0 : 0.0);
    if (r.ec != std::errc() || r.ptr != e || !std::isfinite(d))
      return fail_at(start, fmt::format("number {} is out of range", lit));
    return Json::number(d);
  }
};

// ---------------------------------------------------------------- writer

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (char ch : s) {
    unsigned char c = uint8_t(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += ch;
    }
  }
  out += '"';
}

}  // namespace

Result<Json> parse_json(std::string_view text) { return Reader(text).document(); }

std::string shortest_double_text(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void append_json_text(std::string& out, const Json& j) {
  switch (j.kind()) {
    case Json::Kind::Null: out += "null"; return;
    case Json::Kind::Bool: out += j.as_bool() ? "true" : "false"; return;
    case Json::Kind::Number:
      switch (j.num_kind()) {
        case Json::NumKind::Int: out += fmt::format("{}", j.as_int()); return;
        case Json::NumKind::UInt: out += fmt::format("{}", j.as_uint()); return;
        case Json::NumKind::Float:
          out += std::isfinite(j.as_double()) ? shortest_double_text(j.as_double()) : "null";
          return;
      }
      return;
    case Json::Kind::String: append_string(out, j.as_string()); return;
    case Json::Kind::Array: {
      out += '[';
      bool first = true;
      for (auto& v : j.as_array()) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, v);
      }
      out += ']';
      return;
    }
    case Json::Kind::Object: {
      out += '{';
      bool first = true;
      for (auto& [k, v] : j.as_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, k);
        out += ':';
        append_json_text(out, v);
      }
      out += '}';
      return;
    }
  }
}

std::string to_json_text(const Json& j) {
  std::string out;
  append_json_text(out, j);
  return out;
}

}  // namespace wippy::component
