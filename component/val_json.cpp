// val_json.cpp — type-directed conversion between Val and Json, and whole
// argument lists / results of component functions (val_json.h).
#include "component/val_json.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "base/utf8.h"
#include "interp/quote.h"

namespace wippy::component {

namespace {

// Where a value sits inside the argument list, built on the stack as the
// conversion descends and rendered only when an error is reported.
struct Path {
  enum class Seg : uint8_t { Root, Argument, Field, Index, Case } seg = Seg::Root;
  const Path* parent = nullptr;
  std::string_view name;
  size_t index = 0;

  Path field(std::string_view n) const { return Path{Seg::Field, this, n, 0}; }
  Path at(size_t i) const { return Path{Seg::Index, this, {}, i}; }
  Path cased(std::string_view n) const { return Path{Seg::Case, this, n, 0}; }
};

std::string render(const Path& p) {
  std::string head = p.parent ? render(*p.parent) : std::string();
  std::string seg;
  switch (p.seg) {
    case Path::Seg::Root: return head;
    case Path::Seg::Argument: seg = fmt::format("argument {}", p.index + 1); break;
    case Path::Seg::Field: seg = fmt::format("field \"{}\"", quote_input(p.name)); break;
    case Path::Seg::Index: seg = fmt::format("index {}", p.index); break;
    case Path::Seg::Case: seg = fmt::format("case \"{}\"", quote_input(p.name)); break;
  }
  return head.empty() ? seg : head + ": " + seg;
}

Error fail(const Path& p, std::string_view what) {
  std::string where = render(p);
  return make_error(ErrorKind::Invalid, where.empty() ? std::string(what) : where + ": " + std::string(what));
}

// "got 256", "got \"abc\"", "got an array" — short, for messages.
std::string got(const Json& j) {
  switch (j.kind()) {
    case Json::Kind::Null: return "got null";
    case Json::Kind::Bool: return j.as_bool() ? "got true" : "got false";
    case Json::Kind::Number: return "got " + to_json_text(j);
    case Json::Kind::String: {
      std::string s = to_json_text(j);
      if (s.size() > 40) s = s.substr(0, 36) + "...\"";
      return "got the string " + s;
    }
    case Json::Kind::Array: return fmt::format("got an array of {}", j.as_array().size());
    case Json::Kind::Object: return "got an object";
  }
  return "got ?";
}

std::string join_labels(const std::vector<std::string>& labels) {
  std::string s;
  for (auto& l : labels) s += (s.empty() ? "" : ", ") + l;
  return s;
}

bool is_signed(ValKind k) { return k == ValKind::S8 || k == ValKind::S16 || k == ValKind::S32 || k == ValKind::S64; }

unsigned int_bits(ValKind k) {
  switch (k) {
    case ValKind::S8: case ValKind::U8: return 8;
    case ValKind::S16: case ValKind::U16: return 16;
    case ValKind::S32: case ValKind::U32: return 32;
    default: return 64;
  }
}

// The inclusive range of an integer kind as (min as int64, max as uint64).
std::pair<int64_t, uint64_t> int_range(ValKind k) {
  unsigned bits = int_bits(k);
  if (is_signed(k)) {
    int64_t lo = bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t(1) << (bits - 1));
    return {lo, (uint64_t(1) << (bits - 1)) - 1};
  }
  return {0, bits == 64 ? std::numeric_limits<uint64_t>::max() : (uint64_t(1) << bits) - 1};
}

// An exact integer as sign and magnitude.
struct BigInt {
  bool negative = false;
  uint64_t magnitude = 0;
};

Result<Val> int_from_json(const Json& j, const VType& t, const Path& p) {
  auto [lo, hi] = int_range(t.kind);
  std::string range = fmt::format("{} ({}..{})", val_kind_name(t.kind), lo, hi);
  BigInt n;
  if (j.is_number()) {
    switch (j.num_kind()) {
      case Json::NumKind::Int:
        n.negative = j.as_int() < 0;
        n.magnitude = n.negative ? uint64_t(0) - uint64_t(j.as_int()) : uint64_t(j.as_int());
        break;
      case Json::NumKind::UInt: n.magnitude = j.as_uint(); break;
      case Json::NumKind::Float: {
        double d = j.as_double();
        if (std::trunc(d) != d) return fail(p, fmt::format("expected an integer {}, {}", range, got(j)));
        // Bounds are powers of two, exact as doubles: [lo, end).
        double end = std::ldexp(1.0, int(int_bits(t.kind) - (is_signed(t.kind) ? 1 : 0)));
        if (d < double(lo) || d >= end)
          return fail(p, fmt::format("expected an integer {}, {} (out of range)", range, got(j)));
        // A fraction or exponent literal beyond 2^53 may have been rounded
        // (an integer literal within 64 bits never is: json.h keeps it exact).
        if (std::fabs(d) > 9007199254740992.0)
          return fail(p, fmt::format("expected an integer {}, {} (not exact: write integers beyond 2^53 "
                                     "with all their digits, or as a decimal string)", range, got(j)));
        n.negative = d < 0;
        n.magnitude = uint64_t(std::fabs(d));
        break;
      }
    }
  } else if (j.is_string() && int_bits(t.kind) == 64) {
    const std::string& s = j.as_string();
    const char* b = s.data();
    const char* e = b + s.size();
    n.negative = !s.empty() && s[0] == '-' && is_signed(t.kind);
    if (n.negative) ++b;
    auto r = std::from_chars(b, e, n.magnitude);
    if (s.empty() || b == e || r.ptr != e || r.ec != std::errc() || *b == '+' || *b == '-')
      return fail(p, fmt::format("expected an integer {} as a number or a decimal string, {}", range, got(j)));
  } else {
    return fail(p, fmt::format("expected an integer {}, {}", range, got(j)));
  }
  bool fits = n.negative ? (lo < 0 && n.magnitude <= uint64_t(0) - uint64_t(lo)) || n.magnitude == 0
                         : n.magnitude <= hi;
  if (!fits) return fail(p, fmt::format("expected an integer {}, {} (out of range)", range, got(j)));
  Val v;
  v.kind = t.kind;
  v.u = n.negative ? uint64_t(0) - n.magnitude : n.magnitude;
  return v;
}

Result<double> float_from_json(const Json& j, const VType& t, const Path& p) {
  if (j.is_number()) return j.as_double();
  if (j.is_string()) {
    const std::string& s = j.as_string();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return fail(p, fmt::format("expected a number ({}; \"nan\", \"inf\" or \"-inf\" for non-finite values), {}",
                             val_kind_name(t.kind), got(j)));
}

const VType& elem(const VType& t, size_t i) { return *t.elems[i]; }

Result<Val> from_json(const Json& j, const VType& t, const Path& p);

// Variant and result cases: {"label": payload}, or "label" for a case
// without a payload.
Result<Val> cased_from_json(const Json& j, const VType& t, const std::vector<std::string>& labels,
                            const Path& p) {
  auto cases = variant_cases(t);
  std::string_view what = t.kind == ValKind::Result ? "result" : "variant";
  auto lookup = [&](const std::string& name) -> Result<size_t> {
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == name) return i;
    return fail(p, fmt::format("unknown {} case \"{}\" (cases: {})", what, quote_input(name), join_labels(labels)));
  };
  if (j.is_string()) {
    auto c = lookup(j.as_string());
    if (!c.ok()) return c.error();
    if (cases[*c]) return fail(p.cased(labels[*c]), fmt::format("this case needs a payload: {{\"{}\": <{}>}}",
                                                                 quote_input(labels[*c]), type_to_string(*cases[*c])));
    Val v;
    v.kind = t.kind;
    v.u = *c;
    return v;
  }
  if (!j.is_object() || j.as_object().size() != 1)
    return fail(p, fmt::format("expected a {} as an object with one key, the case name ({}), {}", what,
                               join_labels(labels),
                               j.is_object() ? fmt::format("got an object with {} keys", j.as_object().size())
                                             : got(j)));
  auto& [name, payload] = j.as_object()[0];
  auto c = lookup(name);
  if (!c.ok()) return c.error();
  Path cp = p.cased(labels[*c]);
  Val v;
  v.kind = t.kind;
  v.u = *c;
  if (!cases[*c]) {
    if (!payload.is_null()) return fail(cp, fmt::format("this case has no payload: expected null, {}", got(payload)));
    return v;
  }
  auto inner = from_json(payload, *cases[*c], cp);
  if (!inner.ok()) return inner.error();
  v.items.push_back(std::move(*inner));
  return v;
}

Result<Val> from_json(const Json& j, const VType& t, const Path& p) {
  auto expect = [&](std::string_view what) { return fail(p, fmt::format("expected {}, {}", what, got(j))); };
  switch (t.kind) {
    case ValKind::Bool:
      if (!j.is_bool()) return expect("a bool (true or false)");
      return Val::boolean(j.as_bool());
    case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: case ValKind::S64: case ValKind::U64:
      return int_from_json(j, t, p);
    case ValKind::F32: {
      auto d = float_from_json(j, t, p);
      if (!d.ok()) return d.error();
      float f = float(*d);
      if (std::isfinite(*d) && !std::isfinite(f)) return fail(p, fmt::format("{} is out of range for f32", to_json_text(j)));
      return Val::f32v(f);
    }
    case ValKind::F64: {
      auto d = float_from_json(j, t, p);
      if (!d.ok()) return d.error();
      return Val::f64v(*d);
    }
    case ValKind::Char: {
      if (!j.is_string()) return expect("a char (a string of one Unicode scalar value)");
      const std::string& s = j.as_string();
      Utf8Char ch = s.empty() ? Utf8Char{} : decode_utf8_char(s, 0);
      if (ch.len == 0 || ch.len != s.size())
        return expect("a char (a string of exactly one Unicode scalar value)");
      return Val::character(uint32_t(ch.cp));
    }
    case ValKind::String:
      if (!j.is_string()) return expect("a string");
      if (!valid_utf8(j.as_string())) return fail(p, "string is not valid UTF-8");
      return Val::string(j.as_string());
    case ValKind::List: {
      if (!j.is_array()) return expect(fmt::format("an array (list of {})", type_to_string(elem(t, 0))));
      std::vector<Val> items;
      items.reserve(j.as_array().size());
      for (size_t i = 0; i < j.as_array().size(); ++i) {
        auto v = from_json(j.as_array()[i], elem(t, 0), p.at(i));
        if (!v.ok()) return v.error();
        items.push_back(std::move(*v));
      }
      return Val::list(std::move(items));
    }
    case ValKind::Record: {
      if (!j.is_object()) return expect(fmt::format("an object (record with fields {})", join_labels(t.labels)));
      for (auto& [key, value] : j.as_object()) {
        bool known = false;
        for (auto& l : t.labels) known = known || l == key;
        if (!known) return fail(p, fmt::format("unknown field \"{}\" (fields: {})", quote_input(key), join_labels(t.labels)));
      }
      std::vector<Val> fields;
      for (size_t i = 0; i < t.labels.size(); ++i) {
        const Json* f = j.find(t.labels[i]);
        if (!f) return fail(p, fmt::format("missing field \"{}\"", quote_input(t.labels[i])));
        auto v = from_json(*f, elem(t, i), p.field(t.labels[i]));
        if (!v.ok()) return v.error();
        fields.push_back(std::move(*v));
      }
      return Val::record(std::move(fields));
    }
    case ValKind::Tuple: {
      if (!j.is_array() || j.as_array().size() != t.elems.size())
        return expect(fmt::format("an array of {} (tuple)", t.elems.size()));
      std::vector<Val> items;
      for (size_t i = 0; i < t.elems.size(); ++i) {
        auto v = from_json(j.as_array()[i], elem(t, i), p.at(i));
        if (!v.ok()) return v.error();
        items.push_back(std::move(*v));
      }
      return Val::tuple(std::move(items));
    }
    case ValKind::Variant: return cased_from_json(j, t, t.labels, p);
    case ValKind::Result: {
      static const std::vector<std::string> kLabels = {"ok", "err"};
      return cased_from_json(j, t, kLabels, p);
    }
    case ValKind::Enum: {
      if (!j.is_string()) return expect(fmt::format("an enum case as a string ({})", join_labels(t.labels)));
      for (size_t i = 0; i < t.labels.size(); ++i)
        if (t.labels[i] == j.as_string()) return Val::enumeration(uint32_t(i));
      return fail(p, fmt::format("unknown enum case \"{}\" (cases: {})", quote_input(j.as_string()), join_labels(t.labels)));
    }
    case ValKind::Option: {
      if (j.is_null()) return Val::none();
      const VType& inner = elem(t, 0);
      if (inner.kind != ValKind::Option) {
        auto v = from_json(j, inner, p);
        if (!v.ok()) return v.error();
        return Val::some(std::move(*v));
      }
      // Nested option: some(v) is {"some": v}; none is null or {"none": null}.
      if (j.is_object() && j.as_object().size() == 1) {
        auto& [key, value] = j.as_object()[0];
        if (key == "none" && value.is_null()) return Val::none();
        if (key == "some") {
          auto v = from_json(value, inner, p.cased("some"));
          if (!v.ok()) return v.error();
          return Val::some(std::move(*v));
        }
      }
      return expect("null, {\"some\": ...} or {\"none\": null} (an option of an option)");
    }
    case ValKind::Flags: {
      if (t.labels.size() > 64) return fail(p, "flags with more than 64 labels are not supported");
      if (!j.is_array()) return expect(fmt::format("an array of flag labels ({})", join_labels(t.labels)));
      uint64_t bits = 0;
      for (size_t i = 0; i < j.as_array().size(); ++i) {
        const Json& e = j.as_array()[i];
        if (!e.is_string()) return fail(p.at(i), fmt::format("expected a flag label as a string, {}", got(e)));
        size_t k = 0;
        while (k < t.labels.size() && t.labels[k] != e.as_string()) ++k;
        if (k == t.labels.size())
          return fail(p.at(i), fmt::format("unknown flag \"{}\" (flags: {})", quote_input(e.as_string()), join_labels(t.labels)));
        if (bits & (uint64_t(1) << k)) return fail(p.at(i), fmt::format("flag \"{}\" given twice", quote_input(e.as_string())));
        bits |= uint64_t(1) << k;
      }
      Val v;
      v.kind = ValKind::Flags;
      v.u = bits;
      return v;
    }
    case ValKind::Own:
    case ValKind::Borrow:
      return fail(p, fmt::format("{} handles cannot be represented in JSON", type_to_string(t)));
  }
  return fail(p, "unsupported type");
}

// ---------------------------------------------------------------- Val -> Json

Result<Json> to_json(const Val& v, const VType& t, const Path& p);

Json float_json(double d) {
  if (std::isnan(d)) return Json::string("nan");
  if (std::isinf(d)) return Json::string(d > 0 ? "inf" : "-inf");
  return Json::number(d);
}

Result<Json> cased_to_json(const Val& v, const VType& t, const std::vector<std::string>& labels, const Path& p) {
  auto cases = variant_cases(t);
  if (v.u >= cases.size()) return fail(p, fmt::format("case index {} out of range ({} cases)", v.u, cases.size()));
  const std::string& label = labels[v.u];
  Path cp = p.cased(label);
  if (bool(cases[v.u]) != !v.items.empty())
    return fail(cp, cases[v.u] ? "value lacks the case's payload" : "value has a payload the case does not");
  Json payload;
  if (cases[v.u]) {
    auto pj = to_json(v.items[0], *cases[v.u], cp);
    if (!pj.ok()) return pj;
    payload = std::move(*pj);
  }
  Json out = Json::object();
  out.set(label, std::move(payload));
  return out;
}

Result<Json> to_json(const Val& v, const VType& t, const Path& p) {
  if (t.kind == ValKind::Own || t.kind == ValKind::Borrow)
    return fail(p, fmt::format("{} handles cannot be represented in JSON", type_to_string(t)));
  if (v.kind != t.kind)
    return fail(p, fmt::format("value of kind {} does not match type {}", val_kind_name(v.kind), type_to_string(t)));
  auto items_of = [&](size_t n) -> Result<Json> {
    if (v.items.size() != n)
      return fail(p, fmt::format("{} value has {} items, type {} has {}", val_kind_name(v.kind), v.items.size(),
                                 type_to_string(t), n));
    return Json();
  };
  switch (t.kind) {
    case ValKind::Bool: return Json::boolean(v.u != 0);
    case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: case ValKind::S64: case ValKind::U64: {
      auto [lo, hi] = int_range(t.kind);
      if (is_signed(t.kind)) {
        int64_t s = int64_t(v.u);
        if (s < lo || (s > 0 && uint64_t(s) > hi)) return fail(p, fmt::format("{} is out of range for {}", s, val_kind_name(t.kind)));
        return Json::number(s);
      }
      if (v.u > hi) return fail(p, fmt::format("{} is out of range for {}", v.u, val_kind_name(t.kind)));
      return Json::number(v.u);
    }
    case ValKind::F32: {
      if (!std::isfinite(v.f32)) return float_json(double(v.f32));
      // The shortest digits that identify the f32, carried as the double
      // they denote, so the writer prints 1.1 rather than 1.100000023841858.
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.f32);
      double d = 0;
      std::from_chars(buf, r.ptr, d);
      return Json::number(d);
    }
    case ValKind::F64: return float_json(v.f64);
    case ValKind::Char: {
      uint32_t c = uint32_t(v.u);
      if (!is_unicode_scalar(v.u))
        return fail(p, fmt::format("char 0x{:x} is not a Unicode scalar value", v.u));
      std::string s;
      encode_utf8(c, s);
      return Json::string(std::move(s));
    }
    case ValKind::String:
      if (!valid_utf8(v.str)) return fail(p, "string is not valid UTF-8");
      return Json::string(v.str);
    case ValKind::List: {
      Json out = Json::array();
      std::vector<Val> scratch;
      auto& items = list_elems(v, scratch);
      out.as_array().reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        auto e = to_json(items[i], elem(t, 0), p.at(i));
        if (!e.ok()) return e;
        out.push(std::move(*e));
      }
      return out;
    }
    case ValKind::Record: {
      if (auto n = items_of(t.labels.size()); !n.ok()) return n;
      Json out = Json::object();
      for (size_t i = 0; i < t.labels.size(); ++i) {
        auto e = to_json(v.items[i], elem(t, i), p.field(t.labels[i]));
        if (!e.ok()) return e;
        out.as_object().emplace_back(t.labels[i], std::move(*e));
      }
      return out;
    }
    case ValKind::Tuple: {
      if (auto n = items_of(t.elems.size()); !n.ok()) return n;
      Json out = Json::array();
      for (size_t i = 0; i < t.elems.size(); ++i) {
        auto e = to_json(v.items[i], elem(t, i), p.at(i));
        if (!e.ok()) return e;
        out.push(std::move(*e));
      }
      return out;
    }
    case ValKind::Variant: return cased_to_json(v, t, t.labels, p);
    case ValKind::Result: {
      static const std::vector<std::string> kLabels = {"ok", "err"};
      return cased_to_json(v, t, kLabels, p);
    }
    case ValKind::Enum:
      if (v.u >= t.labels.size())
        return fail(p, fmt::format("enum case index {} out of range ({} cases)", v.u, t.labels.size()));
      return Json::string(t.labels[v.u]);
    case ValKind::Option: {
      if (v.u > 1 || (v.u == 1) != (v.items.size() == 1) || v.items.size() > 1)
        return fail(p, "malformed option value");
      if (v.u == 0) return Json();
      const VType& inner = elem(t, 0);
      bool nested = inner.kind == ValKind::Option;
      auto e = to_json(v.items[0], inner, nested ? p.cased("some") : p);
      if (!e.ok() || !nested) return e;
      Json out = Json::object();
      out.set("some", std::move(*e));
      return out;
    }
    case ValKind::Flags: {
      if (t.labels.size() < 64 && (v.u >> t.labels.size()) != 0)
        return fail(p, fmt::format("flags value {:#x} sets bits beyond the {} labels", v.u, t.labels.size()));
      Json out = Json::array();
      for (size_t i = 0; i < t.labels.size() && i < 64; ++i)
        if (v.u & (uint64_t(1) << i)) out.push(Json::string(t.labels[i]));
      return out;
    }
    case ValKind::Own:
    case ValKind::Borrow: break;  // refused above
  }
  return fail(p, "unsupported type");
}

std::string describe_params(const FuncSig& sig) {
  std::string s;
  for (size_t i = 0; i < sig.params.size(); ++i) {
    if (i) s += ", ";
    if (i < sig.param_names.size()) s += sig.param_names[i] + ": ";
    s += type_to_string(*sig.params[i]);
  }
  return s;
}

}  // namespace

Result<Val> val_from_json(const Json& json, const VType& type) { return from_json(json, type, Path{}); }

Result<Json> val_to_json(const Val& val, const VType& type) { return to_json(val, type, Path{}); }

Result<std::vector<Val>> args_from_json(const FuncSig& sig, std::span<const std::string_view> texts) {
  if (texts.size() != sig.params.size()) {
    size_t n = sig.params.size();
    std::string expected = n == 0 ? "no arguments"
                                  : fmt::format("{} argument{} ({})", n, n == 1 ? "" : "s", describe_params(sig));
    return make_error(ErrorKind::Invalid, fmt::format("expected {}, got {}", expected, texts.size()));
  }
  std::vector<Val> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Path p{Path::Seg::Argument, nullptr, {}, i};
    auto j = parse_json(texts[i]);
    if (!j.ok()) {
      std::string msg = fmt::format("argument {}: {}", i + 1, j.error().message);
      size_t k = texts[i].find_first_not_of(" \t\r\n");
      char c = k == std::string_view::npos ? '\0' : texts[i][k];
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        msg += " (strings, chars, enum cases and flag labels are JSON strings: quote them, e.g. '\"text\"')";
      return make_error(ErrorKind::Invalid, msg);
    }
    auto v = from_json(*j, *sig.params[i], p);
    if (!v.ok()) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::vector<Val>> args_from_json(const FuncSig& sig, std::span<const std::string> texts) {
  std::vector<std::string_view> views(texts.begin(), texts.end());
  return args_from_json(sig, std::span<const std::string_view>(views));
}

Result<std::string> results_to_json(const FuncSig& sig, std::span<const Val> results) {
  size_t want = sig.result ? 1 : 0;
  if (results.size() != want)
    return make_error(ErrorKind::Invalid, fmt::format("expected {} result{}, got {}", want, want == 1 ? "" : "s",
                                                      results.size()));
  if (!sig.result) return std::string();
  auto j = to_json(results[0], **sig.result, Path{});
  if (!j.ok()) return make_error(ErrorKind::Invalid, "result: " + j.error().message);
  return to_json_text(*j);
}

}  // namespace wippy::component
