// names.cpp — parsing and canonicalising component extern names.
#include "component/names.h"

#include <fmt/format.h>

#include <optional>

#include "interp/quote.h"

namespace wippy::component {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// words ::= first-word ('-' word)*  (lowercase only)
bool is_words(std::string_view s) {
  if (s.empty() || !is_lower(s[0])) return false;
  bool prev_dash = false;
  for (char c : s) {
    if (c == '-') {
      if (prev_dash) return false;
      prev_dash = true;
    } else if (is_lower(c) || is_digit(c)) {
      prev_dash = false;
    } else {
      return false;
    }
  }
  return !prev_dash;
}

Error invalid(std::string msg) { return make_error(ErrorKind::Invalid, std::move(msg)); }

Result<std::string> kebab(std::string_view s, std::string_view whole) {
  if (!is_kebab_label(s)) return invalid(fmt::format("`{}` is not in kebab case", quote_input(s)));
  (void)whole;
  return std::string(s);
}

// Dot-separated identifiers of a pre-release or build part of a version.
std::optional<std::string> idents_error(std::string_view s, bool pre_release) {
  const char* where = pre_release ? "pre-release identifier" : "build metadata";
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return fmt::format("empty identifier segment in {}", where);
    bool all_digits = true;
    for (char c : part) {
      if (!(is_digit(c) || is_lower(c) || is_upper(c) || c == '-'))
        return fmt::format("unexpected character '{}' in {}", c, where);
      if (!is_digit(c)) all_digits = false;
    }
    if (pre_release && all_digits && part.size() > 1 && part[0] == '0')
      return fmt::format("invalid leading zero in {}", where);
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

}  // namespace

bool is_kebab_label(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t dash = s.find('-', start);
    std::string_view frag = s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (frag.empty()) return false;
    if (first && !is_lower(frag[0]) && !is_upper(frag[0])) return false;
    bool lower = false, upper = false;
    for (char c : frag) {
      if (is_lower(c)) lower = true;
      else if (is_upper(c)) upper = true;
      else if (!is_digit(c)) return false;
    }
    if (lower && upper) return false;
    first = false;
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
  }
}

std::optional<std::string> semver_error(std::string_view v) {
  if (v.empty()) return std::string("empty string, expected a semver version");
  static constexpr const char* parts[] = {"major", "minor", "patch"};
  size_t i = 0;
  for (int n = 0; n < 3; ++n) {
    if (n > 0) {
      if (i == v.size()) return fmt::format("unexpected end of input after {} version number", parts[n - 1]);
      if (v[i] != '.') return fmt::format("unexpected character '{}' after {} version number", v[i], parts[n - 1]);
      ++i;
    }
    if (i == v.size()) return fmt::format("unexpected end of input while parsing {} version number", parts[n]);
    if (!is_digit(v[i])) return fmt::format("unexpected character '{}' while parsing {} version number", v[i], parts[n]);
    size_t start = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i - start > 1 && v[start] == '0') return fmt::format("invalid leading zero in {} version number", parts[n]);
  }
  if (i == v.size()) return std::nullopt;
  std::string_view rest = v.substr(i + 1);
  if (v[i] == '-') {
    size_t plus = rest.find('+');
    if (auto e = idents_error(rest.substr(0, plus), true)) return e;
    if (plus == std::string_view::npos) return std::nullopt;
    return idents_error(rest.substr(plus + 1), false);
  }
  if (v[i] == '+') return idents_error(rest, false);
  return fmt::format("unexpected character '{}' after patch version number", v[i]);
}

bool is_valid_semver(std::string_view v) { return !semver_error(v); }

Result<ParsedName> parse_extern_name(std::string_view name) {
  ParsedName p;
  auto annotated = [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; };
  if (annotated("[constructor]")) {
    p.kind = ParsedName::Kind::Constructor;
    auto r = kebab(name.substr(13), name);
    if (!r) return r.error();
    p.resource = *r;
    return p;
  }
  for (auto [prefix, kind] : {std::pair{std::string_view("[method]"), ParsedName::Kind::Method},
                              std::pair{std::string_view("[static]"), ParsedName::Kind::Static}}) {
    if (!annotated(prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return invalid(fmt::format("failed to find `.` character in `{}`", quote_input(name)));
    auto res = kebab(rest.substr(0, dot), name);
    if (!res) return res.error();
    auto lab = kebab(rest.substr(dot + 1), name);
    if (!lab) return lab.error();
    p.kind = kind;
    p.resource = *res;
    p.label = *lab;
    return p;
  }
  if (!name.empty() && name[0] == '[') return invalid(fmt::format("`{}` is not a valid extern name", quote_input(name)));
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) {
    if (!is_kebab_label(name))
      return invalid(fmt::format("`{}` is not a valid extern name: `{}` is not in kebab case", quote_input(name), quote_input(name)));
    p.label = name;
    return p;
  }
  // Interface name: ns ':' pkg '/' iface ('@' version)?. Namespace and
  // package are lowercase words; the interface is a kebab label.
  p.kind = ParsedName::Kind::Interface;
  auto bad = [&](std::string why) {
    return invalid(fmt::format("`{}` is not a valid extern name: {}", quote_input(name), why));
  };
  auto word_check = [&](std::string_view w) -> std::optional<Error> {
    if (!is_kebab_label(w)) return bad(fmt::format("`{}` is not in kebab case", quote_input(w)));
    if (!is_words(w)) return bad(fmt::format("`{}` must be lowercase words", quote_input(w)));
    return std::nullopt;
  };
  std::string_view ns = name.substr(0, colon);
  std::string_view rest = name.substr(colon + 1);
  if (auto e = word_check(ns)) return *e;
  size_t pkg_end = rest.find_first_of(":/@");
  std::string_view pkg = rest.substr(0, pkg_end);
  if (auto e = word_check(pkg)) return *e;
  if (pkg_end == std::string_view::npos || rest[pkg_end] != '/')
    return bad("expected `/` after package name");
  rest = rest.substr(pkg_end + 1);
  size_t at = rest.find('@');
  std::string_view iface = rest.substr(0, at);
  size_t slash = iface.find('/');
  if (slash != std::string_view::npos) {
    return bad(fmt::format("trailing characters found: `{}`", quote_input(rest.substr(slash))));
  }
  if (!is_kebab_label(iface)) return bad(fmt::format("`{}` is not in kebab case", quote_input(iface)));
  std::string_view version;
  if (at != std::string_view::npos) {
    version = rest.substr(at + 1);
    if (auto e = semver_error(version)) return bad(fmt::format("invalid version `{}`: {}", quote_input(version), *e));
  }
  p.ns = ns;
  p.package = pkg;
  p.interface = iface;
  p.version = version;
  return p;
}

std::string unique_key(std::string_view raw, const ParsedName& p) {
  auto lower = [](std::string s) {
    for (char& c : s)
      if (is_upper(c)) c = char(c - 'A' + 'a');
    return s;
  };
  switch (p.kind) {
    case ParsedName::Kind::Label: return lower(p.label);
    case ParsedName::Kind::Constructor: return "[constructor]" + lower(p.resource);
    case ParsedName::Kind::Method:
    case ParsedName::Kind::Static: {
      std::string r = lower(p.resource), l = lower(p.label);
      return r == l ? r : r + "." + l;
    }
    case ParsedName::Kind::Interface: return lower(std::string(raw));
  }
  return std::string(raw);
}

std::pair<std::string_view, std::string_view> split_version(std::string_view name) {
  auto at = name.rfind('@');
  if (at == std::string_view::npos) return {name, {}};
  return {name.substr(0, at), name.substr(at + 1)};
}

}  // namespace wippy::component
