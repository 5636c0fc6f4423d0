// module_hash.cpp — see module_hash.h.
#include "runtime/module_hash.h"

#include <fmt/format.h>

#include <array>

#include "interp/quote.h"

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
                      fmt::format("hash must be sha256:<64 hex digits>, got {}", quote_input(hex)));
  return out;
}

}  // namespace

Result<std::string> parse_sha256_hash(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return make_error(ErrorKind::Invalid,
                      fmt::format("hash must be sha256:<64 hex digits>, got {}", quote_input(text)));
  std::string algo;
  for (char c : text.substr(0, colon)) algo.push_back(lower_ascii(c));
  if (algo != "sha256")
    return make_error(ErrorKind::Invalid,
                      fmt::format("only sha256 is supported (got {})", quote_input(text.substr(0, colon))));
  return parse_hex64(text.substr(colon + 1));
}

Sha256::Sha256() = default;
Sha256::~Sha256() = default;

void Sha256::update(std::span<const uint8_t> chunk) {
  if (ok_) stream_.update(chunk);
}

std::string Sha256::finish_hex() {
  if (!ok_) return {};
  const std::array<uint8_t, 32> digest = stream_.digest();
  ok_ = false;  // finished: a second call reports failure
  std::string out;
  out.reserve(64);
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

std::string sha256_hex(std::span<const uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish_hex();
}

Result<void> check_digest(std::string_view got, std::string_view expected) {
  Result<std::string> want =
      expected.find(':') == std::string_view::npos ? parse_hex64(expected) : parse_sha256_hash(expected);
  if (!want) return want.error();
  if (got.empty()) return make_error(ErrorKind::Io, "sha256 computation failed");
  if (got != *want)
    return make_error(ErrorKind::Invalid,
                      fmt::format("hash mismatch: expected {}, got {}", *want, got));
  return {};
}

Result<void> verify_hash(std::span<const uint8_t> bytes, std::string_view expected) {
  return check_digest(sha256_hex(bytes), expected);
}

}  // namespace wippy
