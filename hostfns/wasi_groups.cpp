// wasi_groups.cpp — the WASI interface groups and the checks over them (see wasi_groups.h).
#include "hostfns/wasi_groups.h"

#include <array>
#include <fmt/format.h>

namespace wippy::hostfns {
namespace {

struct Group {
  Profile profile;
  std::string_view name;      // "wasi:cli"
  std::string_view package;   // "wasi:cli" (wasi:poll lives in wasi:io)
  std::array<std::string_view, 10> interfaces;  // empty slots end the list
};

constexpr std::array<Group, kProfileCount> kGroups{{
    {Profile::Cli, "wasi:cli", "wasi:cli",
     {"environment", "exit", "stdin", "stdout", "stderr", "terminal-input", "terminal-output",
      "terminal-stdin", "terminal-stdout", "terminal-stderr"}},
    {Profile::Io, "wasi:io", "wasi:io", {"error", "streams", "poll"}},
    {Profile::Poll, "wasi:poll", "wasi:io", {"poll"}},
    {Profile::Clocks, "wasi:clocks", "wasi:clocks", {"wall-clock", "monotonic-clock"}},
    {Profile::Filesystem, "wasi:filesystem", "wasi:filesystem", {"types", "preopens"}},
    {Profile::Random, "wasi:random", "wasi:random", {"random", "insecure", "insecure-seed"}},
    {Profile::Sockets, "wasi:sockets", "wasi:sockets",
     {"network", "instance-network", "ip-name-lookup", "tcp", "tcp-create-socket", "udp",
      "udp-create-socket"}},
    {Profile::Http, "wasi:http", "wasi:http", {"types", "outgoing-handler"}},
    {Profile::Wasi1, "wasi1", "wasi_snapshot_preview1", {}},
}};

const Group& group_of(Profile p) { return kGroups[static_cast<size_t>(p)]; }

bool group_holds(const Group& g, std::string_view package, std::string_view iface) {
  if (g.package != package) return false;
  for (std::string_view i : g.interfaces)
    if (!i.empty() && i == iface) return true;
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "wasi:io/poll@0.2.0" split into its parts (lower-cased).
struct InterfaceName {
  std::string package;  // "wasi:io"
  std::string iface;    // "poll" (empty for a bare package/group name)
  std::optional<std::string> version;
};

InterfaceName split_interface(std::string_view text) {
  std::string s = lower(text);
  InterfaceName out;
  if (auto at = s.find('@'); at != std::string::npos) {
    out.version = s.substr(at + 1);
    s.resize(at);
  }
  if (auto slash = s.find('/'); slash != std::string::npos) {
    out.iface = s.substr(slash + 1);
    s.resize(slash);
  }
  out.package = std::move(s);
  return out;
}

bool version_supported(const std::optional<std::string>& v) {
  if (!v) return true;
  return *v == "0.2" || v->starts_with("0.2.");
}

}  // namespace

std::string_view profile_name(Profile p) { return group_of(p).name; }

std::optional<Profile> parse_profile(std::string_view text) {
  const std::string l = lower(text);
  if (l == "wasi-preview1" || l == "preview1" || l == "wasi_snapshot_preview1") return Profile::Wasi1;
  InterfaceName n = split_interface(text);
  if (n.iface.empty()) {
    for (const Group& g : kGroups)
      if (g.name == n.package) return g.profile;
    return std::nullopt;
  }
  // An interface name selects the narrowest group holding it (io/poll -> wasi:poll).
  if (group_holds(group_of(Profile::Poll), n.package, n.iface)) return Profile::Poll;
  for (const Group& g : kGroups)
    if (group_holds(g, n.package, n.iface)) return g.profile;
  return std::nullopt;
}

std::vector<Profile> ProfileSet::list() const {
  std::vector<Profile> out;
  for (const Group& g : kGroups)
    if (has(g.profile)) out.push_back(g.profile);
  return out;
}

bool profile_grants(const ProfileSet& granted, std::string_view interface_name) {
  InterfaceName n = split_interface(interface_name);
  if (n.iface.empty() || !version_supported(n.version)) return false;
  for (const Group& g : kGroups)
    if (granted.has(g.profile) && group_holds(g, n.package, n.iface)) return true;
  return false;
}

std::optional<Profile> profile_for_interface(std::string_view interface_name) {
  InterfaceName n = split_interface(interface_name);
  if (n.iface.empty()) return std::nullopt;
  for (const Group& g : kGroups)
    if (group_holds(g, n.package, n.iface)) return g.profile;
  return std::nullopt;
}

Result<void> check_import_granted(const ProfileSet& granted, std::string_view entry_id,
                                  std::string_view interface_name) {
  if (profile_grants(granted, interface_name)) return {};
  std::optional<Profile> p = profile_for_interface(interface_name);
  if (!p)
    return make_error(ErrorKind::Unlinkable,
                      fmt::format("component imports {}, which no wasm host import provides "
                                  "(entry {})",
                                  interface_name, entry_id));
  if (!version_supported(split_interface(interface_name).version))
    return make_error(ErrorKind::Unlinkable,
                      fmt::format("component imports {}, which entry {} cannot grant: only WASI "
                                  "0.2.x is supported",
                                  interface_name, entry_id));
  return make_error(ErrorKind::Unlinkable,
                    fmt::format("component imports {}, which entry {} does not grant (add {} to "
                                "imports)",
                                interface_name, entry_id, profile_name(*p)));
}

}  // namespace wippy::hostfns
