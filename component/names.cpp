// names.cpp — parsing and canonicalising component extern names.
#include "component/names.h"

#include <fmt/format.h>

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
  if (!is_kebab_label(s)) return invalid(fmt::format("`{}` is not in kebab case", s));
  (void)whole;
  return std::string(s);
}

bool is_numeric_ident(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return s.size() == 1 || s[0] != '0';
}

bool is_dot_idents(std::string_view s, bool numeric_rule) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return false;
    bool all_digits = true;
    for (char c : part) {
      if (!(is_digit(c) || is_lower(c) || is_upper(c) || c == '-')) return false;
      if (!is_digit(c)) all_digits = false;
    }
    if (numeric_rule && all_digits && !is_numeric_ident(part)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
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

bool is_valid_semver(std::string_view v) {
  size_t plus = v.find('+');
  std::string_view build;
  if (plus != std::string_view::npos) {
    build = v.substr(plus + 1);
    v = v.substr(0, plus);
    if (!is_dot_idents(build, false)) return false;
  }
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!is_dot_idents(v.substr(dash + 1), true)) return false;
    v = v.substr(0, dash);
  }
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    std::string_view p = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_numeric_ident(p)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 3;
}

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
    if (dot == std::string_view::npos) return invalid(fmt::format("failed to find `.` character in `{}`", name));
    auto res = kebab(rest.substr(0, dot), name);
    if (!res) return res.error();
    auto lab = kebab(rest.substr(dot + 1), name);
    if (!lab) return lab.error();
    p.kind = kind;
    p.resource = *res;
    p.label = *lab;
    return p;
  }
  if (!name.empty() && name[0] == '[') return invalid(fmt::format("`{}` is not a valid extern name", name));
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) {
    auto r = kebab(name, name);
    if (!r) return r.error();
    p.label = *r;
    return p;
  }
  // Interface name: ns ':' pkg '/' iface ('@' version)?
  p.kind = ParsedName::Kind::Interface;
  std::string_view ns = name.substr(0, colon);
  std::string_view rest = name.substr(colon + 1);
  std::string_view version;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    version = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!is_valid_semver(version)) return invalid(fmt::format("`{}` is not a valid semver in `{}`", version, name));
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return invalid(fmt::format("`{}` is not a valid extern name: failed to find `/` character", name));
  std::string_view pkg = rest.substr(0, slash);
  std::string_view iface = rest.substr(slash + 1);
  if (ns.empty() || pkg.empty() || iface.empty()) return invalid(fmt::format("`{}` is not a valid extern name: empty identifier segment", name));
  if (!is_words(ns)) return invalid(fmt::format("`{}` is not in kebab case", ns));
  if (!is_words(pkg)) return invalid(fmt::format("`{}` is not in kebab case", pkg));
  if (!is_kebab_label(iface)) return invalid(fmt::format("`{}` is not in kebab case", iface));
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

}  // namespace wippy::component
