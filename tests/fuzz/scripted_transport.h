// scripted_transport.h — an in-memory net::Transport that plays a recorded
// server: it serves a fixed byte string in pieces, then the peer's end.
// Contract:
//  * Pieces: kWhole serves everything in one read (as far as the buffer
//    and max_piece take), kBytewise one byte per read, kRandom piece sizes
//    drawn from the given seed (1..64 bytes, sometimes a larger run), and
//    then and there a read may first answer "would block" (want = read),
//    so callers park; wait() then yields the calling fiber and reports
//    ready.
//  * After the last byte every read reports eof; reads never fail and
//    never block forever, so a client driven by it always finishes.
//  * Writes are accepted in full and kept (written(), or appended to the
//    caller's `sink` when given: the transport usually belongs to a client
//    by then); after close() or shutdown_write() writes fail with
//    connection-terminated.
//  * idle_ok() is false while bytes are unread (unsolicited) and, unless
//    idle_after_script, once the peer has sent everything (it has closed),
//    as a real socket would see it. idle_after_script plays a peer that
//    looks open when idle and ends the connection when next read (a
//    keep-alive connection the server dropped meanwhile).
//  Shared by wippy-fuzz's http target and the unit tests (test_http1_parse).
#pragma once
#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>

#include "net/transport.h"
#include "tests/fuzz/mutate.h"

namespace wippy::fuzz {

enum class Pieces : uint8_t { kWhole, kBytewise, kRandom };

struct ScriptOptions {
  size_t max_piece = SIZE_MAX;     // kWhole: at most this many bytes per read
  std::string* sink = nullptr;     // where writes go (null: written())
  bool idle_after_script = false;  // see the file comment
};

class ScriptedTransport : public net::Transport {
 public:
  ScriptedTransport(std::string script, Pieces pieces, uint64_t seed, ScriptOptions opts = {})
      : script_(std::move(script)), pieces_(pieces), rng_(seed), opts_(opts) {}

  net::HttpResult<net::IoStep> try_read(std::span<uint8_t> buf) override;
  net::HttpResult<net::IoStep> try_write(std::span<const uint8_t> data) override;
  disp::Errc wait(net::IoWant want, uint64_t deadline) override;
  void shutdown_write(uint64_t) override { write_closed_ = true; }
  void close() override { closed_ = true; }
  bool idle_ok() override { return opts_.idle_after_script && pos_ == script_.size(); }

  const std::string& written() const { return written_; }
  size_t served() const { return pos_; }

 private:
  std::string script_;
  Pieces pieces_;
  Rng rng_;
  ScriptOptions opts_;
  size_t pos_ = 0;
  bool blocked_once_ = false;  // kRandom: the pending read already said "would block"
  bool closed_ = false, write_closed_ = false;
  std::string written_;
};

}  // namespace wippy::fuzz
