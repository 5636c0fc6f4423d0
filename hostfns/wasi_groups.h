// wasi_groups.h — the one table of WASI interfaces by group (wasi:cli,
// wasi:io, ...): which interfaces the host provides and the group each
// belongs to. The registry's grant check (a function entry's `imports:`
// list names groups; a component may only import interfaces whose group was
// granted) and WasiPackages::for_imports (wasi.h) both read it. Names are
// matched case-insensitively and an `@version` suffix is ignored when parsing
// a profile; interface names (`wasi:io/poll`) select the narrowest group that
// holds them. profile_grants accepts unversioned or 0.2.x interface names.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wippy::hostfns {

enum class Profile : uint8_t {
  Cli,
  Io,
  Poll,  // wasi:io/poll alone
  Clocks,
  Filesystem,
  Random,
  Sockets,
  Http,
  Wasi1,  // wasi_snapshot_preview1, for core modules (hostfns/wasi_preview1.h)
};
inline constexpr int kProfileCount = 9;

// The canonical group name, e.g. "wasi:sockets".
std::string_view profile_name(Profile p);

// Parses one `imports:` item: a group name or an interface name, any case,
// with an optional @version. nullopt when it names no known group.
std::optional<Profile> parse_profile(std::string_view text);

// A small set of profiles (value type).
class ProfileSet {
 public:
  ProfileSet() = default;
  void add(Profile p) { bits_ |= bit(p); }
  bool has(Profile p) const { return (bits_ & bit(p)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<Profile> list() const;
  bool operator==(const ProfileSet&) const = default;

 private:
  static uint16_t bit(Profile p) { return static_cast<uint16_t>(1u << static_cast<unsigned>(p)); }
  uint16_t bits_ = 0;
};

// True when `interface_name` (e.g. "wasi:sockets/tcp@0.2.3") belongs to a
// granted group and its version, if any, is 0.2.x.
bool profile_grants(const ProfileSet& granted, std::string_view interface_name);

// The group that an interface belongs to (the widest, for advice to users:
// wasi:io/poll -> wasi:io). nullopt for interfaces no group provides.
std::optional<Profile> profile_for_interface(std::string_view interface_name);

// Ok when granted; otherwise an Unlinkable error such as
// "component imports wasi:sockets/tcp@0.2.0, which entry ns:name does not
//  grant (add wasi:sockets to imports)".
Result<void> check_import_granted(const ProfileSet& granted, std::string_view entry_id,
                                  std::string_view interface_name);

}  // namespace wippy::hostfns
