// Unit tests for base/: Result and the WIPPY_TRY macros, the UTF-8 decoder
// and encoder, the LEB128 writer, BlockArena, current_pid.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/block_arena.h"
#include "base/leb128.h"
#include "base/process_id.h"
#include "base/result.h"
#include "base/utf8.h"

using namespace wippy;

namespace {

enum class Code { Bad, Worse };

Result<int> half(int v) {
  if (v % 2) return make_error(ErrorKind::Invalid, "odd");
  return v / 2;
}

Result<int> quarter(int v) {
  WIPPY_TRY_ASSIGN(h, half(v));
  return half(h);
}

Result<void> check_even(int v) {
  WIPPY_TRY(half(v));
  return {};
}

Result<int, Code> coded(bool fail) {
  if (fail) return Code::Worse;
  return 7;
}

}  // namespace

TEST_CASE("base: Result, WIPPY_TRY, WIPPY_TRY_ASSIGN") {
  CHECK(*quarter(8) == 2);
  CHECK(quarter(6).error().message == "odd");
  CHECK(check_even(4).ok());
  CHECK(check_even(3).error().kind == ErrorKind::Invalid);
  CHECK(*coded(false) == 7);
  CHECK(coded(true).error() == Code::Worse);
  Result<void, Code> v = Code::Bad;
  CHECK_FALSE(v.ok());
  Error e{ErrorKind::Trap, "t"};
  CHECK_FALSE(e.exit_code.has_value());
  CHECK(e.sys_errno == 0);
  CHECK(std::string(error_kind_name(ErrorKind::Exit)) == "exit");
}

TEST_CASE("base: decode_utf8_char and encode_utf8") {
  std::string s;
  for (char32_t c : {U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}) encode_utf8(c, s);
  CHECK(s == "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(valid_utf8(s));
  Utf8Char c = decode_utf8_char(s, 6);
  CHECK(c.len == 4);
  CHECK(c.cp == U'\U0001F600');
  CHECK(decode_utf8_char("\xC0\x80", 0).bad_len == 2);      // overlong
  CHECK(decode_utf8_char("\xED\xA0\x80", 0).bad_len == 3);  // surrogate
  CHECK(decode_utf8_char("\xE2\x41", 0).bad_len == 1);      // not a continuation
  CHECK(decode_utf8_char("\xFF", 0).bad_len == 1);          // no sequence starts so
  Utf8Char cut = decode_utf8_char("\xE2\x82", 0);           // input ends inside
  CHECK(cut.len == 0);
  CHECK(cut.bad_len == 0);
  CHECK_FALSE(valid_utf8(std::string_view("\xF4\x90\x80\x80")));  // above U+10FFFF
  CHECK(is_unicode_scalar(0x10FFFF));
  CHECK_FALSE(is_unicode_scalar(0x110000));
  CHECK_FALSE(is_unicode_scalar(0xDC00));
}

TEST_CASE("base: LEB128 and BinaryWriter") {
  Bytes b;
  put_u32(b, 624485);
  CHECK(b == Bytes{0xE5, 0x8E, 0x26});
  b.clear();
  put_s64(b, -123456);
  CHECK(b == Bytes{0xC0, 0xBB, 0x78});
  BinaryWriter w;
  w.header();
  CHECK(w.bytes == Bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
  BinaryWriter body;
  body.f32(1.0f);
  w.section(11, body);
  CHECK(w.bytes.size() == 8 + 2 + 4);
  CHECK(w.bytes[8] == 11);
  CHECK(w.bytes[9] == 4);
  CHECK(w.bytes[13] == 0x3F);
}

namespace {
// Records its own destruction (by its id) in the log it was given.
struct Logged {
  std::vector<int>* log = nullptr;
  int id = -1;
  ~Logged() {
    if (log) log->push_back(id);
  }
};
}  // namespace

TEST_CASE("base: BlockArena keeps addresses across blocks and destroys what it made") {
  std::vector<int> log;
  std::vector<Logged*> made;
  {
    BlockArena<Logged, 4> arena;
    CHECK(arena.size() == 0);
    for (int i = 0; i < 10; ++i) {
      Logged* p = arena.make();
      p->log = &log, p->id = i;
      made.push_back(p);
      CHECK(arena.size() == size_t(i + 1));
    }
    // Three blocks later, every object is where it was made.
    for (int i = 0; i < 10; ++i) CHECK(made[size_t(i)]->id == i);
    CHECK(log.empty());
    arena.clear();
    CHECK(arena.size() == 0);
    std::sort(log.begin(), log.end());
    CHECK(log == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    log.clear();
    arena.make()->log = &log;
    CHECK(arena.size() == 1);
  }
  CHECK(log == std::vector<int>{-1});  // what was made after clear() goes with the arena
}

TEST_CASE("base: current_pid is the process's id, in a forked child too") {
  CHECK(current_pid() == getpid());
  CHECK(current_pid() == getpid());  // the cached id
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The parent's id was cached before the fork; the child's must be its own.
    const bool own = current_pid() == getpid() && current_pid() != getppid();
    _exit(own ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(current_pid() == getpid());
}
