// mutate.cpp — the binary and text mutators of mutate.h.
#include "tests/fuzz/mutate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <string_view>

namespace wippy::fuzz {

void put_leb(std::vector<uint8_t>& out, uint64_t v, size_t min_len) {
  size_t n = 0;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    ++n;
    if (v != 0 || n < min_len) b |= 0x80;
    out.push_back(b);
  } while (v != 0 || n < min_len);
}

namespace {

constexpr std::array<uint8_t, 12> kBytes = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0xc0,
                                            0x0b, 0x02, 0x03, 0x60, 0x41};

// Integers that probe limits: counts, page sizes, sign boundaries.
constexpr std::array<uint64_t, 16> kInts = {0,          1,          2,          63,
                                            64,         127,        128,        10000,
                                            50001,      65536,      65537,      1000000,
                                            0x7fffffff, 0x80000000, 0xffffffff, 0x100000000};

struct Section {
  size_t begin, end;  // whole section: id byte through payload end
};

// Top-level sections after the 8-byte preamble; stops at the first one that
// does not fit.
std::vector<Section> sections(const std::vector<uint8_t>& b) {
  std::vector<Section> out;
  size_t p = 8;
  while (p < b.size()) {
    size_t start = p++;
    uint64_t size = 0;
    unsigned shift = 0;
    while (p < b.size() && shift < 35) {
      uint8_t c = b[p++];
      size |= uint64_t(c & 0x7f) << shift;
      shift += 7;
      if (!(c & 0x80)) break;
    }
    if (size > b.size() - p) break;
    p += size;
    out.push_back({start, p});
  }
  return out;
}

// Replaces the LEB128 run starting at or after `at` with another integer.
void edit_leb(std::vector<uint8_t>& b, size_t at, Rng& rng) {
  size_t end = at;
  while (end < b.size() && (b[end] & 0x80) && end - at < 9) ++end;
  if (end >= b.size()) return;
  ++end;
  std::vector<uint8_t> enc;
  uint64_t v = kInts[rng.below(kInts.size())];
  if (rng.chance(20)) v = rng.next() & 0xffffffff;
  put_leb(enc, v, rng.chance(15) ? 5 : 1);
  b.erase(b.begin() + std::ptrdiff_t(at), b.begin() + std::ptrdiff_t(end));
  b.insert(b.begin() + std::ptrdiff_t(at), enc.begin(), enc.end());
}

void mutate_binary_once(std::vector<uint8_t>& b, const std::vector<uint8_t>& donor, Rng& rng) {
  if (b.empty()) {
    b.push_back(uint8_t(rng.next()));
    return;
  }
  size_t pos = rng.below(b.size());
  switch (rng.below(11)) {
    case 0:  // bit flip
      b[pos] ^= uint8_t(1u << rng.below(8));
      break;
    case 1:  // interesting byte
      b[pos] = kBytes[rng.below(kBytes.size())];
      break;
    case 2:  // small arithmetic
      b[pos] = uint8_t(b[pos] + int(rng.below(9)) - 4);
      break;
    case 3: {  // insert random bytes
      size_t n = 1 + rng.below(8);
      for (size_t i = 0; i < n; ++i) b.insert(b.begin() + std::ptrdiff_t(pos), uint8_t(rng.next()));
      break;
    }
    case 4: {  // delete a range
      size_t n = 1 + rng.below(std::min<size_t>(16, b.size() - pos));
      b.erase(b.begin() + std::ptrdiff_t(pos), b.begin() + std::ptrdiff_t(pos + n));
      break;
    }
    case 5:  // truncate
      b.resize(pos);
      break;
    case 6:
    case 7:  // LEB128 edit (counts, sizes, indices, limits)
      edit_leb(b, pos, rng);
      break;
    case 8: {  // repeat a chunk (nesting, repeated entries)
      size_t n = 1 + rng.below(std::min<size_t>(32, b.size() - pos));
      std::vector<uint8_t> chunk(b.begin() + std::ptrdiff_t(pos), b.begin() + std::ptrdiff_t(pos + n));
      size_t reps = 1 + rng.below(rng.chance(10) ? 64 : 3);
      for (size_t r = 0; r < reps; ++r) b.insert(b.begin() + std::ptrdiff_t(pos), chunk.begin(), chunk.end());
      break;
    }
    case 9: {  // section delete / duplicate / swap
      auto secs = sections(b);
      if (secs.empty()) break;
      Section s = secs[rng.below(secs.size())];
      std::vector<uint8_t> body(b.begin() + std::ptrdiff_t(s.begin), b.begin() + std::ptrdiff_t(s.end));
      size_t op = rng.below(3);
      if (op == 0) {
        b.erase(b.begin() + std::ptrdiff_t(s.begin), b.begin() + std::ptrdiff_t(s.end));
      } else if (op == 1) {
        b.insert(b.begin() + std::ptrdiff_t(s.end), body.begin(), body.end());
      } else {
        Section t = secs[rng.below(secs.size())];
        if (t.begin == s.begin) break;
        std::vector<uint8_t> other(b.begin() + std::ptrdiff_t(t.begin), b.begin() + std::ptrdiff_t(t.end));
        // Replace the later one first so the earlier offsets stay valid.
        Section first = s.begin < t.begin ? s : t, second = s.begin < t.begin ? t : s;
        std::vector<uint8_t>& into_first = s.begin < t.begin ? other : body;
        std::vector<uint8_t>& into_second = s.begin < t.begin ? body : other;
        b.erase(b.begin() + std::ptrdiff_t(second.begin), b.begin() + std::ptrdiff_t(second.end));
        b.insert(b.begin() + std::ptrdiff_t(second.begin), into_second.begin(), into_second.end());
        b.erase(b.begin() + std::ptrdiff_t(first.begin), b.begin() + std::ptrdiff_t(first.end));
        b.insert(b.begin() + std::ptrdiff_t(first.begin), into_first.begin(), into_first.end());
      }
      break;
    }
    case 10: {  // splice a section from the donor
      auto from = sections(donor);
      if (from.empty()) break;
      Section s = from[rng.below(from.size())];
      auto secs = sections(b);
      size_t at = secs.empty() ? std::min<size_t>(8, b.size()) : secs[rng.below(secs.size())].begin;
      b.insert(b.begin() + std::ptrdiff_t(at), donor.begin() + std::ptrdiff_t(s.begin), donor.begin() + std::ptrdiff_t(s.end));
      break;
    }
  }
}

constexpr std::array<std::string_view, 26> kTokens = {
    "(", ")", "0", "-1", "0xffffffff", "4294967296", "0x1p+1024", "nan:0x7fffff", "inf",
    "1e400", "$x", "\"\\ff\"", "\"\\u{110000}\"", "\"", ";;", "(;", ";)", "(block", "(loop",
    "(module", "(component", "i32.const", "(result i32)", "(param i64)", ":", "\n- "};

// The matching ')' of the '(' at `open`, or npos.
size_t matching_paren(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i;
  }
  return std::string::npos;
}

void mutate_text_once(std::string& t, const std::string& donor, Rng& rng) {
  if (t.empty()) {
    t = kTokens[rng.below(kTokens.size())];
    return;
  }
  size_t pos = rng.below(t.size());
  switch (rng.below(12)) {
    case 0:  // flip a character
      t[pos] = char(t[pos] ^ (1 << rng.below(7)));
      break;
    case 1:  // insert a token
      t.insert(pos, std::string(" ") + std::string(kTokens[rng.below(kTokens.size())]) + " ");
      break;
    case 2: {  // delete a range
      size_t n = 1 + rng.below(std::min<size_t>(24, t.size() - pos));
      t.erase(pos, n);
      break;
    }
    case 3:  // truncate
      t.resize(pos);
      break;
    case 4: {  // duplicate a range
      size_t n = 1 + rng.below(std::min<size_t>(64, t.size() - pos));
      t.insert(pos, t.substr(pos, n));
      break;
    }
    case 5: {  // delete or duplicate a whole parenthesised form
      size_t open = t.find('(', pos);
      if (open == std::string::npos) break;
      size_t close = matching_paren(t, open);
      if (close == std::string::npos) break;
      if (rng.chance(50))
        t.erase(open, close - open + 1);
      else
        t.insert(close + 1, t.substr(open, close - open + 1));
      break;
    }
    case 6: {  // replace a number with a boundary value
      size_t d = t.find_first_of("0123456789", pos);
      if (d == std::string::npos) break;
      size_t e = t.find_first_not_of("0123456789abcdefx_", d);
      if (e == std::string::npos) e = t.size();
      static constexpr std::array<std::string_view, 8> nums = {
          "0", "4294967295", "4294967296", "65536", "65537", "100000", "18446744073709551615", "-0"};
      t.replace(d, e - d, nums[rng.below(nums.size())]);
      break;
    }
    case 7: {  // splice a slice of the donor
      if (donor.empty()) break;
      size_t from = rng.below(donor.size());
      size_t n = 1 + rng.below(std::min<size_t>(200, donor.size() - from));
      t.insert(pos, donor.substr(from, n));
      break;
    }
    case 9:
    case 10:
    case 11: {  // replace a word (keyword, number, $id) by a word of the donor
      auto word = [](std::string_view x, size_t at, size_t& b, size_t& e) {
        auto in = [](char c) { return std::isalnum(uint8_t(c)) || c == '.' || c == '_' || c == '$' || c == ':'; };
        while (at < x.size() && !in(x[at])) ++at;
        if (at >= x.size()) return false;
        b = e = at;
        while (b > 0 && in(x[b - 1])) --b;
        while (e < x.size() && in(x[e])) ++e;
        return true;
      };
      size_t b = 0, e = 0, db = 0, de = 0;
      if (donor.empty() || !word(t, pos, b, e) || !word(donor, rng.below(donor.size()), db, de)) break;
      t.replace(b, e - b, donor.substr(db, de - db));
      break;
    }
    case 8: {  // wrap a range in deep nesting
      size_t depth = 1 + rng.below(rng.chance(10) ? 2000 : 8);
      std::string open, close;
      for (size_t i = 0; i < depth; ++i) {
        open += "(block ";
        close += ")";
      }
      t.insert(pos, open + close);
      break;
    }
  }
}

bool has_preamble(const std::vector<uint8_t>& b) {
  return b.size() >= 8 && b[0] == 0x00 && b[1] == 0x61 && b[2] == 0x73 && b[3] == 0x6d;
}

// Reads a LEB128 u32 at p (advancing it); false past the end.
bool read_leb(const std::vector<uint8_t>& b, size_t& p, uint64_t& v) {
  v = 0;
  for (unsigned shift = 0; p < b.size() && shift < 35; shift += 7) {
    uint8_t c = b[p++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

// In a vector of size-prefixed entries (the code section: count, then size +
// body per function), mutates one entry's body and re-encodes its size.
bool mutate_in_entry(std::vector<uint8_t>& b, const std::vector<uint8_t>& donor, Rng& rng) {
  size_t p = 0;
  uint64_t count = 0;
  if (!read_leb(b, p, count) || count == 0) return false;
  uint64_t pick = rng.below(size_t(std::min<uint64_t>(count, 1u << 20)));
  for (uint64_t i = 0;; ++i) {
    size_t entry = p;
    uint64_t size = 0;
    if (!read_leb(b, p, size) || size > b.size() - p) return false;
    if (i == pick) {
      std::vector<uint8_t> body(b.begin() + std::ptrdiff_t(p), b.begin() + std::ptrdiff_t(p + size));
      size_t n = 1 + rng.below(2);
      for (size_t k = 0; k < n; ++k) mutate_binary_once(body, donor, rng);
      std::vector<uint8_t> enc;
      put_leb(enc, body.size());
      enc.insert(enc.end(), body.begin(), body.end());
      b.erase(b.begin() + std::ptrdiff_t(entry), b.begin() + std::ptrdiff_t(p + size));
      b.insert(b.begin() + std::ptrdiff_t(entry), enc.begin(), enc.end());
      return true;
    }
    p += size;
  }
}

// Mutates the payload of one section and re-encodes its size, so that the
// damage stays inside the section (and reaches past the size checks).
// Payloads that are themselves modules or components (a component's core
// module and nested component sections) are entered recursively.
bool mutate_in_section(std::vector<uint8_t>& b, const std::vector<uint8_t>& donor, Rng& rng, int depth) {
  auto secs = sections(b);
  if (secs.empty()) return false;
  Section s = secs[rng.below(secs.size())];
  size_t payload = s.begin + 1;
  while (payload < s.end && (b[payload] & 0x80)) ++payload;
  ++payload;
  if (payload > s.end) return false;
  std::vector<uint8_t> body(b.begin() + std::ptrdiff_t(payload), b.begin() + std::ptrdiff_t(s.end));
  bool core = b[4] == 0x01;  // version 1: a core module (components: 0x0d)
  if (core && b[s.begin] == 10 && rng.chance(70) && mutate_in_entry(body, donor, rng)) {
    // one function body mutated, its size re-encoded
  } else if (!(depth < 4 && has_preamble(body) && rng.chance(80) && mutate_in_section(body, donor, rng, depth + 1))) {
    size_t n = 1 + rng.below(3);
    for (size_t i = 0; i < n; ++i) mutate_binary_once(body, donor, rng);
  }
  std::vector<uint8_t> sec{b[s.begin]};
  put_leb(sec, body.size());
  sec.insert(sec.end(), body.begin(), body.end());
  b.erase(b.begin() + std::ptrdiff_t(s.begin), b.begin() + std::ptrdiff_t(s.end));
  b.insert(b.begin() + std::ptrdiff_t(s.begin), sec.begin(), sec.end());
  return true;
}

}  // namespace

void mutate_binary(std::vector<uint8_t>& bytes, const std::vector<uint8_t>& donor, Rng& rng) {
  if (rng.chance(70) && mutate_in_section(bytes, donor, rng, 0)) return;
  size_t n = 1 + rng.below(3);
  for (size_t i = 0; i < n; ++i) mutate_binary_once(bytes, donor, rng);
}

namespace {

// Pieces of HTTP/1.1 framing that byte edits rarely assemble by chance.
constexpr std::array<std::string_view, 30> kHttpTokens = {
    "\r\n", "\r", "\n", "\r\n\r\n", "\0", " ", "\t", ":", ";", ",", "\"", "=",
    "Content-Length: 5\r\n", "Content-Length: 0\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
    "Transfer-Encoding: gzip, chunked\r\n", "Connection: close\r\n", "Trailer: X\r\n", "X-T: v\r\n",
    "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.0 200 OK\r\n", "HTTP/1.1 204 No Content\r\n",
    "0\r\n\r\n", "5\r\nhello\r\n", "ffffffffffffffff", "10000000000000000", ";ext=\"v\"", "-1",
};

// Where a line starts: 0 or just after a "\n" at or after pos (else 0).
size_t line_start(const std::string& t, size_t pos) {
  const size_t lf = t.find('\n', pos);
  return lf == std::string::npos ? 0 : lf + 1;
}

}  // namespace

void mutate_http(std::string& text, const std::string& donor, Rng& rng) {
  const size_t n = 1 + rng.below(3);
  for (size_t i = 0; i < n; ++i) {
    const size_t pos = rng.below(text.size() + 1);
    const std::string_view tok = kHttpTokens[rng.below(kHttpTokens.size())];
    switch (rng.below(6)) {
      case 0:  // a framing token anywhere
        text.insert(pos, tok);
        break;
      case 1:  // a token at the start of a line
        text.insert(line_start(text, pos), tok);
        break;
      case 2: {  // repeat one whole line many times (toward the size limits)
        const size_t b = line_start(text, pos), e = text.find('\n', b);
        if (e == std::string::npos) break;
        const std::string line = text.substr(b, e + 1 - b);
        const size_t times = 1 + rng.below(rng.chance(20) ? 4000 : 8);
        std::string rep;
        for (size_t k = 0; k < times && rep.size() < (256u << 10); ++k) rep += line;
        text.insert(b, rep);
        break;
      }
      case 3: {  // stretch a byte into a long run (long lines, values, sizes)
        if (text.empty()) break;
        const size_t at = std::min(pos, text.size() - 1);
        text.insert(at, std::string(1 + rng.below(rng.chance(20) ? 20000 : 64), text[at]));
        break;
      }
      default: mutate_text_once(text, donor, rng); break;
    }
  }
}

void mutate_text(std::string& text, const std::string& donor, Rng& rng) {
  size_t n = 1 + rng.below(2);
  for (size_t i = 0; i < n; ++i) mutate_text_once(text, donor, rng);
}

}  // namespace wippy::fuzz
