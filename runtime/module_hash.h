// module_hash.h — SHA-256 content hashes of modules, as written in registries.
// The only accepted form is "sha256:<64 hex digits>" (any case; stored lower).
// Sha256 hashes a stream of chunks, so a file is hashed while it is read.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "runtime/sha256.h"

namespace wippy {

// "sha256:ABC..." -> "abc..." (the 64 hex digits); errors say what is wrong,
// e.g. "only sha256 is supported (got md5)".
Result<std::string> parse_sha256_hash(std::string_view text);

// Incremental SHA-256 (sha256.h): update() with each chunk, then finish_hex()
// once; an empty string from finish_hex() means the computation failed.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const uint8_t> chunk);
  std::string finish_hex();

 private:
  Sha256Stream stream_;
  bool ok_ = true;
};

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::span<const uint8_t> bytes);

// Ok when the digest `got_hex` (from Sha256) equals `expected`
// ("sha256:<hex>" or bare hex); otherwise "hash mismatch: ...".
Result<void> check_digest(std::string_view got_hex, std::string_view expected);

// Ok when SHA-256(bytes) equals `expected` ("sha256:<hex>" or bare hex);
// otherwise "hash mismatch: expected <hex>, got <hex>".
Result<void> verify_hash(std::span<const uint8_t> bytes, std::string_view expected);

}  // namespace wippy
