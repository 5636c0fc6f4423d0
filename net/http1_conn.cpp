// http1_conn.cpp — line and body reads over a buffered transport.
#include "net/http1_conn.h"

#include <algorithm>
#include <cstring>

namespace wippy::net {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}

HttpResult<size_t> Http1Conn::fill(uint64_t deadline) {
  if (pos_ == end_) pos_ = end_ = 0;
  if (pos_ > 0 && buf_.size() - end_ < kReadChunk) {  // compact
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() - end_ < kReadChunk) buf_.resize(end_ + kReadChunk);
  auto n = read_some(*t_, std::span(buf_.data() + end_, buf_.size() - end_), deadline);
  if (!n) return n;
  end_ += *n;
  bytes_read_ += *n;
  return n;
}

HttpResult<std::string_view> Http1Conn::read_line(size_t max_len, uint64_t deadline, uint64_t between_ns,
                                                   const TooLong& too_long) {
  size_t scanned = 0;  // bytes after pos_ already known to hold no LF
  for (;;) {
    const auto* base = reinterpret_cast<const char*>(buf_.data());
    const std::string_view avail(base + pos_, end_ - pos_);
    const size_t lf = avail.find('\n', scanned);
    const size_t upto = lf == std::string_view::npos ? avail.size() : lf;
    // A CR anywhere but right before the LF is a bare CR. Bytes scanned in
    // an earlier turn hold no CR but perhaps a last one, still pending, so
    // each byte is looked at once or twice (a line that arrives a byte at a
    // time costs linear, not quadratic, time).
    const size_t cr = avail.substr(0, upto).find('\r', scanned > 0 ? scanned - 1 : 0);
    if (cr != std::string_view::npos && !(lf != std::string_view::npos && cr + 1 == lf))
      if (cr + 1 < avail.size()) return http_error(HttpErrc::http_protocol_error, "bare CR in the response");
    if (lf != std::string_view::npos) {
      if (lf == 0 || avail[lf - 1] != '\r')
        return http_error(HttpErrc::http_protocol_error, "bare LF in the response (CRLF required)");
      if (lf - 1 > max_len) return too_long(avail.substr(0, std::min<size_t>(lf - 1, 256)));
      pos_ += lf + 1;
      return avail.substr(0, lf - 1);
    }
    // No LF yet: at most max_len bytes plus the CR may be pending.
    if (avail.size() > max_len + 1) return too_long(avail.substr(0, 256));
    scanned = avail.size();
    auto n = fill(std::min(deadline, disp::deadline_after(between_ns)));
    if (!n) return std::move(n.error());
    if (*n == 0) return http_error(HttpErrc::http_response_incomplete, "the connection ended inside the response head");
  }
}

HttpResult<size_t> Http1Conn::read_body(std::span<uint8_t> buf, uint64_t deadline) {
  if (buf.empty()) return size_t{0};
  if (end_ == pos_) {
    auto n = fill(deadline);
    if (!n) return n;
    if (*n == 0) return size_t{0};
  }
  const size_t take = std::min(buf.size(), end_ - pos_);
  std::memcpy(buf.data(), buf_.data() + pos_, take);
  pos_ += take;
  return take;
}

}  // namespace wippy::net
