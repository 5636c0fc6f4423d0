// code_cache.h — the persistent code cache: verified blobs on disk, keyed
// by a content hash and this build's identity.
// Contract:
//  * One file per entry in `dir`, named by the SHA-256 of its full key
//    (content hash + cache_build_key(): build id, version, CPU features), so
//    an entry is never trusted across builds or machines of another kind.
//  * put() writes a temporary file and renames it over the entry (readers
//    see the old entry or the new one, never half of one); two processes
//    may fill one directory at once. It then evicts least-recently-used
//    entries (oldest mtime; get() refreshes it) until the total is at most
//    `max_bytes`, and removes temporary files over an hour old.
//  * get() returns the payload only when the file's magic, its full key
//    (a file copied over another's name is refused) and its checksum all
//    match; otherwise nothing, and the caller rebuilds and put()s again.
//  * A directory that cannot be created or written means no caching: get()
//    misses and put() returns false; neither is ever an error.
//  * The checksum catches corruption, not forgery: the directory must be
//    writable only by its user (like ~/.cache).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/shared_bytes.h"

namespace wippy {

// $XDG_CACHE_HOME/wippy, else $HOME/.cache/wippy; empty when neither is set.
std::filesystem::path default_cache_dir();

// This build's identity: the executable's GNU build-id note when present
// (else the compiler and build date), the wippy version, the CPU
// architecture and the compile-time CPU feature set.
std::string cache_build_key();

class CodeCache {
 public:
  static constexpr uint64_t kDefaultMaxBytes = uint64_t(1) << 30;  // 1 GiB
  explicit CodeCache(std::filesystem::path dir, uint64_t max_bytes = kDefaultMaxBytes);

  const std::filesystem::path& dir() const { return dir_; }
  // The file an entry for `key` lives in (tests corrupt it).
  std::filesystem::path entry_path(std::string_view key) const;

  // The payload, a slice of the entry's bytes as read (not copied again).
  std::optional<SharedBytes> get(std::string_view key) const;
  bool put(std::string_view key, std::span<const uint8_t> payload) const;

 private:
  void evict() const;
  std::filesystem::path dir_;
  uint64_t max_bytes_;
};

// A fast 64-bit checksum of `bytes` (not cryptographic).
uint64_t cache_checksum(std::span<const uint8_t> bytes);

}  // namespace wippy
