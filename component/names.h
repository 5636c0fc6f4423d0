// names.h — component import/export names (Explainer.md "Import and Export
// Definitions"): kebab-case labels, the [constructor]/[method]/[static]
// annotated plain names, interface names `ns:pkg/iface@version`, and the
// strongly-unique canonical form used to detect conflicting names.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

namespace wippy::component {

// label ::= fragment ('-' fragment)*, first fragment starts with a letter,
// each fragment all-lowercase or all-uppercase (digits allowed).
bool is_kebab_label(std::string_view s);

struct ParsedName {
  enum class Kind : uint8_t { Label, Constructor, Method, Static, Interface } kind = Kind::Label;
  std::string resource;   // Constructor / Method / Static: the resource label
  std::string label;      // Label / Method / Static: the (field) label
  std::string ns, package, interface, version;  // Interface ("ns:package/interface@version")
};

// Parses an externname; errors are ErrorKind::Invalid naming the problem
// ("`X` is not in kebab case", "`X` is not a valid extern name", ...).
Result<ParsedName> parse_extern_name(std::string_view name);

// The strongly-unique key: acronyms lowercased, [method]l.l / [static]l.l
// reduced to l, annotations other than [constructor] stripped. Two names
// conflict when their keys are equal.
std::string unique_key(std::string_view raw, const ParsedName& parsed);

// "ns:pkg/iface@1.2.3" -> ("ns:pkg/iface", "1.2.3"); no '@' -> (name, "").
std::pair<std::string_view, std::string_view> split_version(std::string_view name);

// A semantic version "MAJOR.MINOR.PATCH(-pre)?(+build)?" per semver.org;
// semver_error says what is wrong (wording of the Rust `semver` crate).
bool is_valid_semver(std::string_view v);
std::optional<std::string> semver_error(std::string_view v);

}  // namespace wippy::component
