// registry_parse.h — internal to runtime/: one YAML registry file to entries.
// parse_registry_file reads and checks one file on its own (fields, types,
// formats); what needs the other files (references, duplicate IDs) is left as
// RefSites for load_registry to check. Problems go to Diagnostics, each
// formatted "file:line: entry ns:name: message"; so do warnings (unknown
// keys outside `limits` and `wasi`), which become errors when the load is
// strict or the file says `strict: true`.
#pragma once
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/registry.h"

namespace wippy {

class Diagnostics {
 public:
  Diagnostics() = default;
  // Messages are listed in the order of `files`, then by line.
  explicit Diagnostics(std::span<const std::filesystem::path> files)
      : files_(files.begin(), files.end()) {}
  void add(const SourceLoc& at, std::string_view entry_id, std::string_view message);
  void add_file(const SourceLoc& at, std::string_view message);  // not inside an entry
  // A warning: `entry_id` empty when not inside an entry.
  void warn(const SourceLoc& at, std::string_view entry_id, std::string_view message);
  std::vector<std::string> warnings() const;  // by file, then line
  void set_kind(ErrorKind k);  // the first kind set wins (default Invalid)
  bool empty() const { return messages_.empty(); }
  size_t count() const { return messages_.size(); }
  Error to_error() const;  // all messages, one per line, by file then line

 private:
  struct Message {
    SourceLoc at;
    std::string text;
  };
  std::vector<std::filesystem::path> files_;
  std::vector<Message> messages_;
  std::vector<Message> warnings_;
  std::vector<const Message*> sorted(const std::vector<Message>& list) const;
  std::optional<ErrorKind> kind_;
};

// A reference from one entry to another, checked once all files are loaded.
struct RefSite {
  enum class Want { FsDirectory, EnvVariable };
  Want want = Want::FsDirectory;
  std::string label;       // "fs", "mount fs", "wasi env"
  std::string target;      // qualified ID
  std::string from_entry;  // the referring entry's ID
  SourceLoc loc;
};

struct ParsedFile {
  std::vector<Entry> entries;
  std::vector<RefSite> refs;
};

// Registry files larger than this are refused before they are read.
inline constexpr uint64_t kMaxRegistryFileBytes = uint64_t{16} << 20;

// strict: unknown keys are errors everywhere (as with `strict: true`).
ParsedFile parse_registry_file(const std::filesystem::path& file, Diagnostics& diag, bool strict = false);

}  // namespace wippy
