// module_hash.h — SHA-256 content hashes of modules, as written in registries.
// The only accepted form is "sha256:<64 hex digits>" (any case; stored lower).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "interp/result.h"

namespace wippy {

// "sha256:ABC..." -> "abc..." (the 64 hex digits); errors say what is wrong,
// e.g. "only sha256 is supported (got md5)".
Result<std::string> parse_sha256_hash(std::string_view text);

// Lower-case hex SHA-256 of `bytes` (mbedTLS).
std::string sha256_hex(std::span<const uint8_t> bytes);

// Ok when SHA-256(bytes) equals `expected` ("sha256:<hex>" or bare hex);
// otherwise "hash mismatch: expected <hex>, got <hex>".
Result<void> verify_hash(std::span<const uint8_t> bytes, std::string_view expected);

}  // namespace wippy
