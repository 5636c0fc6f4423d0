// http1_conn.h — one client connection: a Transport plus its read buffer.
// Contract:
//  * read_line() returns the next line without its CRLF, reading more as
//    needed. A bare LF or a CR not followed by LF is HTTP-protocol-error
//    (policy: CRLF only, no lenient LF); a line longer than max_len bytes is
//    reported through the caller's too_long callback's error; the peer's end
//    before a full line is HTTP-response-incomplete. The view stays valid
//    until the next read.
//  * read_body() copies buffered bytes first, then reads the transport once.
//  * Each read takes an absolute deadline (read_line also a between-bytes
//    duration, restarted whenever bytes arrive); a timeout is
//    connection-read-timeout.
//  * key is "scheme://host:port" (lowercase) for the keep-alive pool.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/transport.h"

namespace wippy::net {

class Http1Conn {
 public:
  Http1Conn(std::unique_ptr<Transport> t, std::string key) : t_(std::move(t)), key_(std::move(key)) {}

  using TooLong = std::function<HttpError(std::string_view prefix)>;
  // Each wait for more bytes ends at min(deadline, now + between_ns).
  HttpResult<std::string_view> read_line(size_t max_len, uint64_t deadline, uint64_t between_ns,
                                         const TooLong& too_long);
  // Up to buf.size() bytes; 0 at the peer's end.
  HttpResult<size_t> read_body(std::span<uint8_t> buf, uint64_t deadline);
  // Whether bytes are waiting in the buffer (a pooled connection must have none).
  bool has_buffered() const { return end_ > pos_; }
  // Counts of bytes delivered so far; a reused connection that ends before
  // the first byte of a response may be retried.
  uint64_t bytes_read() const { return bytes_read_; }

  Transport& transport() { return *t_; }
  const std::string& key() const { return key_; }
  uint64_t idle_since = 0;
  bool reused = false;

 private:
  HttpResult<size_t> fill(uint64_t deadline);

  std::unique_ptr<Transport> t_;
  std::string key_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace wippy::net
