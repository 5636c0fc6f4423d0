// filesystem_wit.h — the WIT types of wasi:filesystem/types@0.2.x as C++
// types for the typed binding API (component/bind.h): enums and flags in
// WIT order (flag bit i = label i), records with their WIT field names,
// new-timestamp as a variant. Checked against each importing component at
// instantiation. Internal to the hostfns/filesystem_*.cpp files.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "component/bind.h"
#include "hostfns/wit_datetime.h"

namespace wippy::hostfns::wasifs {

using component::WitCase;

enum class DescriptorType {
  unknown, block_device, character_device, directory, fifo, symbolic_link, regular_file, socket,
};
inline auto wit_describe(const DescriptorType*) {
  return component::wit_enum<DescriptorType>("unknown", "block-device", "character-device", "directory", "fifo",
                                              "symbolic-link", "regular-file", "socket");
}

enum class DescriptorFlags : uint32_t {
  read = 1u << 0,
  write = 1u << 1,
  file_integrity_sync = 1u << 2,
  data_integrity_sync = 1u << 3,
  requested_write_sync = 1u << 4,
  mutate_directory = 1u << 5,
};
inline auto wit_describe(const DescriptorFlags*) {
  return component::wit_flags<DescriptorFlags>("read", "write", "file-integrity-sync", "data-integrity-sync",
                                                "requested-write-sync", "mutate-directory");
}

enum class PathFlags : uint32_t { symlink_follow = 1u << 0 };
inline auto wit_describe(const PathFlags*) { return component::wit_flags<PathFlags>("symlink-follow"); }

enum class OpenFlags : uint32_t {
  create = 1u << 0,
  directory = 1u << 1,
  exclusive = 1u << 2,
  truncate = 1u << 3,
};
inline auto wit_describe(const OpenFlags*) {
  return component::wit_flags<OpenFlags>("create", "directory", "exclusive", "truncate");
}

// True when flags value `v` has bit `bit`.
template <class F>
constexpr bool has(F v, F bit) { return (uint32_t(v) & uint32_t(bit)) != 0; }
constexpr DescriptorFlags operator|(DescriptorFlags a, DescriptorFlags b) {
  return DescriptorFlags(uint32_t(a) | uint32_t(b));
}
constexpr DescriptorFlags operator&(DescriptorFlags a, DescriptorFlags b) {
  return DescriptorFlags(uint32_t(a) & uint32_t(b));
}

enum class ErrorCode {
  access, would_block, already, bad_descriptor, busy, deadlock, quota, exist, file_too_large,
  illegal_byte_sequence, in_progress, interrupted, invalid, io, is_directory, loop, too_many_links,
  message_size, name_too_long, no_device, no_entry, no_lock, insufficient_memory, insufficient_space,
  not_directory, not_empty, not_recoverable, unsupported, no_tty, no_such_device, overflow, not_permitted,
  pipe, read_only, invalid_seek, text_file_busy, cross_device,
};
inline auto wit_describe(const ErrorCode*) {
  return component::wit_enum<ErrorCode>(
      "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist", "file-too-large",
      "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory", "loop",
      "too-many-links", "message-size", "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory",
      "insufficient-space", "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty",
      "no-such-device", "overflow", "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy",
      "cross-device");
}

enum class Advice { normal, sequential, random, will_need, dont_need, no_reuse };
inline auto wit_describe(const Advice*) {
  return component::wit_enum<Advice>("normal", "sequential", "random", "will-need", "dont-need", "no-reuse");
}

using hostfns::Datetime;  // wasi:clocks/wall-clock datetime

struct DescriptorStat {
  DescriptorType type = DescriptorType::unknown;
  uint64_t link_count = 0;
  uint64_t size = 0;
  std::optional<Datetime> data_access_timestamp;
  std::optional<Datetime> data_modification_timestamp;
  std::optional<Datetime> status_change_timestamp;
};
inline auto wit_describe(const DescriptorStat*) {
  using S = DescriptorStat;
  return component::wit_record(component::wit_field("type", &S::type),
                               component::wit_field("link-count", &S::link_count),
                               component::wit_field("size", &S::size),
                               component::wit_field("data-access-timestamp", &S::data_access_timestamp),
                               component::wit_field("data-modification-timestamp", &S::data_modification_timestamp),
                               component::wit_field("status-change-timestamp", &S::status_change_timestamp));
}

struct DirectoryEntry {
  DescriptorType type = DescriptorType::unknown;
  std::string name;
};
inline auto wit_describe(const DirectoryEntry*) {
  return component::wit_record(component::wit_field("type", &DirectoryEntry::type),
                               component::wit_field("name", &DirectoryEntry::name));
}

struct MetadataHashValue {
  uint64_t lower = 0;
  uint64_t upper = 0;
};
inline auto wit_describe(const MetadataHashValue*) {
  return component::wit_record(component::wit_field("lower", &MetadataHashValue::lower),
                               component::wit_field("upper", &MetadataHashValue::upper));
}

using NewTimestamp = std::variant<WitCase<"no-change">, WitCase<"now">, WitCase<"timestamp", Datetime>>;

}  // namespace wippy::hostfns::wasifs
