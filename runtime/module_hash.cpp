// module_hash.cpp — see module_hash.h.
#include "runtime/module_hash.h"

#include <fmt/format.h>
#include <mbedtls/sha256.h>

#include <array>

namespace wippy {
namespace {

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

Result<std::string> parse_hex64(std::string_view hex) {
  std::string out;
  out.reserve(hex.size());
  for (char c : hex) out.push_back(lower_ascii(c));
  bool ok = out.size() == 64;
  for (char c : out) ok = ok && is_hex(c);
  if (!ok)
    return make_error(ErrorKind::Invalid,
                      fmt::format("hash must be sha256:<64 hex digits>, got {}", hex));
  return out;
}

}  // namespace

Result<std::string> parse_sha256_hash(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return make_error(ErrorKind::Invalid,
                      fmt::format("hash must be sha256:<64 hex digits>, got {}", text));
  std::string algo;
  for (char c : text.substr(0, colon)) algo.push_back(lower_ascii(c));
  if (algo != "sha256")
    return make_error(ErrorKind::Invalid,
                      fmt::format("only sha256 is supported (got {})", text.substr(0, colon)));
  return parse_hex64(text.substr(colon + 1));
}

std::string sha256_hex(std::span<const uint8_t> bytes) {
  std::array<unsigned char, 32> digest{};
  // mbedTLS 2.28: returns nonzero only on hardware-accelerator failure.
  if (mbedtls_sha256_ret(bytes.data(), bytes.size(), digest.data(), 0) != 0) return {};
  std::string out;
  out.reserve(64);
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

Result<void> verify_hash(std::span<const uint8_t> bytes, std::string_view expected) {
  Result<std::string> want =
      expected.find(':') == std::string_view::npos ? parse_hex64(expected) : parse_sha256_hash(expected);
  if (!want) return want.error();
  std::string got = sha256_hex(bytes);
  if (got.empty()) return make_error(ErrorKind::Io, "sha256 computation failed");
  if (got != *want)
    return make_error(ErrorKind::Invalid,
                      fmt::format("hash mismatch: expected {}, got {}", *want, got));
  return {};
}

}  // namespace wippy
