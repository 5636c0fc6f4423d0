// http1_exchange.cpp — one request/response on a connection: the request
// body (content-length or chunked, with trailers), the response head (1xx
// skipped), the response body (content-length, chunked with trailers, or to
// the connection's end), and the connection's return to the pool.
#include <algorithm>
#include <cstdio>

#include "interp/quote.h"
#include "net/http1_exchange_init.h"

namespace wippy::net {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

HttpError protocol(std::string msg) { return http_error(HttpErrc::http_protocol_error, std::move(msg)); }

HttpError size_error(HttpErrc code, std::string msg, uint64_t size, std::string_view prefix) {
  HttpError e = http_error(code, std::move(msg));
  e.size = size;
  const size_t colon = prefix.find(':');
  if (colon != std::string_view::npos) e.field_name = quote_input(prefix.substr(0, colon), 80);
  return e;
}

}  // namespace

Exchange::Exchange(Init&& init)
    : init_(std::move(init)), req_done_(init_.req_kind == BodyKind::none), reused_(init_.conn->reused) {}

Exchange::~Exchange() { release(); }

uint64_t Exchange::between_deadline() const { return disp::deadline_after(init_.timeouts.between_bytes_ns); }

// Writes in slices so that between-bytes restarts as the peer takes data.
HttpResult<void> Exchange::send_bytes(std::span<const uint8_t> data) {
  constexpr size_t kSlice = 64 * 1024;
  while (!data.empty()) {
    const size_t n = std::min(kSlice, data.size());
    auto w = write_all(init_.conn->transport(), data.subspan(0, n), between_deadline());
    if (!w) return w;
    data = data.subspan(n);
  }
  return {};
}

HttpError Exchange::fail(HttpError e) {
  poisoned_ = true;
  return e;
}

void Exchange::release() {
  if (!init_.conn) return;
  const bool reusable = !poisoned_ && req_done_ && head_read_ && body_done_ && keep_alive_ && !init_.close_requested &&
                        !init_.conn->has_buffered();
  if (reusable) {
    init_.pool->put(std::move(init_.conn));
  } else {
    init_.conn->transport().close();
    init_.conn.reset();
  }
}

HttpResult<void> Exchange::write_body(std::span<const uint8_t> data) {
  if (!init_.conn || poisoned_) return http_error(HttpErrc::internal_error, "the exchange has failed");
  if (req_done_) return http_error(HttpErrc::internal_error, "the request body is already finished");
  if (data.empty()) return {};
  if (init_.req_kind == BodyKind::length) {
    if (data.size() > init_.req_left) {
      HttpError e = http_error(HttpErrc::http_request_body_size, "the body is longer than its content-length");
      return fail(std::move(e));
    }
    auto w = send_bytes(data);
    if (!w) return fail(std::move(w.error()));
    init_.req_left -= data.size();
    return {};
  }
  char size_line[24];
  const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  std::string framed(size_line, static_cast<size_t>(n));
  if (data.size() <= 16 * 1024) {  // one write for small chunks
    framed.append(reinterpret_cast<const char*>(data.data()), data.size());
    framed += "\r\n";
    auto w = send_bytes(as_bytes(framed));
    if (!w) return fail(std::move(w.error()));
    return {};
  }
  auto w = send_bytes(as_bytes(framed));
  if (w) w = send_bytes(data);
  if (w) w = send_bytes(as_bytes("\r\n"));
  if (!w) return fail(std::move(w.error()));
  return {};
}

HttpResult<void> Exchange::finish(const HeaderList& trailers) {
  if (!init_.conn || poisoned_) return http_error(HttpErrc::internal_error, "the exchange has failed");
  if (req_done_) {
    if (!trailers.empty()) return http_error(HttpErrc::internal_error, "the request body is already finished");
    return {};
  }
  if (!trailers.empty() && init_.req_kind != BodyKind::chunked)
    return http_error(HttpErrc::http_protocol_error, "trailers need a chunked request body");
  if (auto c = check_fields(trailers, true); !c) return std::move(c.error());
  if (init_.req_kind == BodyKind::length) {
    if (init_.req_left != 0) {
      HttpError e = http_error(HttpErrc::http_request_body_size, "the body ended " + std::to_string(init_.req_left) +
                                                                     " bytes short of its content-length");
      return fail(std::move(e));
    }
  } else {
    std::string last = "0\r\n";
    append_fields(last, trailers);
    last += "\r\n";
    auto w = send_bytes(as_bytes(last));
    if (!w) return fail(std::move(w.error()));
  }
  req_done_ = true;
  return {};
}

HttpResult<ResponseHead> Exchange::read_head(uint64_t first_deadline) {
  const Http1Limits& lim = init_.pool->opts.limits;
  size_t section = 0;
  auto too_long = [&](std::string_view prefix) {
    return size_error(HttpErrc::http_response_header_size,
                      "a response header line is longer than " + std::to_string(lim.max_header_line) + " bytes",
                      lim.max_header_line, prefix);
  };
  auto status = init_.conn->read_line(lim.max_header_line, first_deadline, disp::kNever, too_long);
  if (!status) return std::move(status.error());
  section += status->size() + 2;
  auto st = parse_status_line(*status);
  if (!st) return std::move(st.error());
  ResponseHead head;
  head.status = st->status;
  head.reason = std::move(st->reason);
  head.version_minor = st->version_minor;
  for (;;) {
    // The whole head must arrive by first_deadline: a peer dribbling bytes
    // forever is cut off there, not only by the size limits.
    auto line = init_.conn->read_line(lim.max_header_line, first_deadline, init_.timeouts.between_bytes_ns, too_long);
    if (!line) return std::move(line.error());
    section += line->size() + 2;
    if (section > lim.max_header_section) {
      HttpError e = http_error(HttpErrc::http_response_header_section_size,
                               "the response head is larger than " + std::to_string(lim.max_header_section) + " bytes");
      e.size = lim.max_header_section;
      return e;
    }
    if (line->empty()) break;
    auto field = parse_field_line(*line);
    if (!field) return std::move(field.error());
    head.headers.push_back(std::move(*field));
  }
  return head;
}

HttpResult<void> Exchange::retry_on_fresh_connection() {
  const std::string key = init_.conn->key();
  init_.conn->transport().close();
  init_.conn.reset();
  auto opened = init_.pool->open(init_.scheme, init_.host, init_.port, key, init_.timeouts.connect_ns);
  if (!opened) return std::move(opened.error());
  init_.conn = std::move(*opened);
  reused_ = false;
  auto w = write_all(init_.conn->transport(), init_.head_bytes, between_deadline());
  if (!w) return std::move(w.error());
  return {};
}

HttpResult<bool> Exchange::await_continue(uint64_t timeout_ns) {
  if (!init_.conn || poisoned_) return http_error(HttpErrc::internal_error, "the exchange has failed");
  if (head_read_ || pending_final_) return false;
  const uint64_t deadline = disp::deadline_after(timeout_ns);
  for (size_t n = 0;; ++n) {
    const uint64_t before = init_.conn->bytes_read();
    auto h = read_head(deadline);
    if (!h) {
      // No byte at all before the timeout: send the body anyway (RFC 9110 §10.1.1).
      if (h.error().code == HttpErrc::connection_read_timeout && init_.conn->bytes_read() == before &&
          !init_.conn->has_buffered())
        return true;
      return fail(std::move(h.error()));
    }
    if (h->status == 100) return true;
    if (h->status == 101) return fail(protocol("unexpected 101 Switching Protocols"));
    if (h->status < 200) {
      if (n + 1 >= init_.pool->opts.limits.max_informational) return fail(protocol("too many 1xx responses"));
      continue;
    }
    // A final response before the body: the body is not sent and the
    // connection cannot carry another request.
    pending_final_ = std::move(*h);
    if (init_.req_kind != BodyKind::none) init_.close_requested = true;  // the response stays readable
    req_done_ = true;
    return false;
  }
}

HttpResult<ResponseHead> Exchange::response() {
  if (!init_.conn || poisoned_) return http_error(HttpErrc::internal_error, "the exchange has failed");
  if (head_read_) return http_error(HttpErrc::internal_error, "the response head was already read");
  if (!req_done_) {
    if (auto f = finish(); !f) return std::move(f.error());
  }
  ResponseHead head;
  if (pending_final_) {
    head = std::move(*pending_final_);
    pending_final_.reset();
  } else {
    bool may_retry = reused_ && init_.req_kind == BodyKind::none && !init_.head_bytes.empty();  // once
    const uint64_t first_deadline = disp::deadline_after(init_.timeouts.first_byte_ns);
    for (size_t informational = 0;;) {
      const uint64_t before = init_.conn->bytes_read();
      auto h = read_head(first_deadline);
      if (!h) {
        const bool nothing = init_.conn->bytes_read() == before && informational == 0;
        const HttpErrc c = h.error().code;
        if (may_retry && nothing && (c == HttpErrc::http_response_incomplete || c == HttpErrc::connection_terminated)) {
          may_retry = false;
          if (auto r = retry_on_fresh_connection(); !r) return fail(std::move(r.error()));
          continue;
        }
        return fail(std::move(h.error()));
      }
      if (h->status == 101) return fail(protocol("unexpected 101 Switching Protocols"));
      if (h->status >= 200) {
        head = std::move(*h);
        break;
      }
      if (++informational >= init_.pool->opts.limits.max_informational) return fail(protocol("too many 1xx responses"));
    }
  }
  StatusLine st;
  st.status = head.status;
  st.version_minor = head.version_minor;
  auto framing = response_framing(init_.head_request, st, head.headers);
  if (!framing) return fail(std::move(framing.error()));
  framing_ = *framing;
  keep_alive_ = response_keeps_alive(st, head.headers) && framing_.kind != BodyKind::until_close;
  head_read_ = true;
  body_left_ = framing_.kind == BodyKind::length ? framing_.length : 0;
  const uint64_t max_body = init_.pool->opts.limits.max_response_body;
  if (max_body != 0 && framing_.kind == BodyKind::length && framing_.length > max_body) {
    HttpError e = http_error(HttpErrc::http_response_body_size, "the response body exceeds the limit");
    e.size = framing_.length;
    return fail(std::move(e));
  }
  if (framing_.kind == BodyKind::none || (framing_.kind == BodyKind::length && framing_.length == 0)) {
    body_done_ = true;
    release();
  }
  return head;
}

HttpResult<void> Exchange::read_trailers() {
  const Http1Limits& lim = init_.pool->opts.limits;
  size_t section = 0;
  auto too_long = [&](std::string_view prefix) {
    return size_error(HttpErrc::http_response_trailer_size, "a trailer line is too long", lim.max_header_line, prefix);
  };
  for (;;) {
    auto line = init_.conn->read_line(lim.max_header_line, disp::kNever, init_.timeouts.between_bytes_ns, too_long);
    if (!line) return std::move(line.error());
    section += line->size() + 2;
    if (section > lim.max_trailer_section) {
      HttpError e = http_error(HttpErrc::http_response_trailer_section_size, "the trailers are too large");
      e.size = lim.max_trailer_section;
      return e;
    }
    if (line->empty()) return {};
    auto field = parse_field_line(*line);
    if (!field) return std::move(field.error());
    trailers_.push_back(std::move(*field));
  }
}

HttpResult<size_t> Exchange::read_chunked(std::span<uint8_t> buf) {
  const Http1Limits& lim = init_.pool->opts.limits;
  auto too_long = [&](std::string_view) {
    return protocol("a chunk size line is longer than " + std::to_string(lim.max_header_line) + " bytes");
  };
  for (;;) {
    if (chunk_ == ChunkState::crlf) {
      auto line = init_.conn->read_line(lim.max_header_line, disp::kNever, init_.timeouts.between_bytes_ns, too_long);
      if (!line) return std::move(line.error());
      if (!line->empty()) return protocol("chunk data longer than its size");
      chunk_ = ChunkState::size;
    }
    if (chunk_ == ChunkState::size) {
      auto line = init_.conn->read_line(lim.max_header_line, disp::kNever, init_.timeouts.between_bytes_ns, too_long);
      if (!line) return std::move(line.error());
      auto size = parse_chunk_size(*line);
      if (!size) return std::move(size.error());
      if (*size == 0) {
        if (auto t = read_trailers(); !t) return std::move(t.error());
        return size_t{0};
      }
      body_left_ = *size;
      chunk_ = ChunkState::data;
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), body_left_));
    auto n = init_.conn->read_body(buf.subspan(0, want), between_deadline());
    if (!n) return n;
    if (*n == 0) return http_error(HttpErrc::http_response_incomplete, "the connection ended inside a chunk");
    body_left_ -= *n;
    if (body_left_ == 0) chunk_ = ChunkState::crlf;
    return n;
  }
}

HttpResult<size_t> Exchange::read_body(std::span<uint8_t> buf) {
  if (!head_read_) return http_error(HttpErrc::internal_error, "read the response head first");
  if (body_done_) return size_t{0};
  if (!init_.conn || poisoned_) return http_error(HttpErrc::internal_error, "the exchange has failed");
  if (buf.empty()) return size_t{0};
  HttpResult<size_t> n = size_t{0};
  switch (framing_.kind) {
    case BodyKind::length: {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), body_left_));
      n = init_.conn->read_body(buf.subspan(0, want), between_deadline());
      if (n && *n == 0)
        n = http_error(HttpErrc::http_response_incomplete,
                       "the connection ended " + std::to_string(body_left_) + " bytes before the body's end");
      if (n) {
        body_left_ -= *n;
        if (body_left_ == 0) body_done_ = true;
      }
      break;
    }
    case BodyKind::chunked:
      n = read_chunked(buf);
      if (n && *n == 0) body_done_ = true;
      break;
    case BodyKind::until_close:
      n = init_.conn->read_body(buf, between_deadline());
      if (n && *n == 0) body_done_ = true;
      break;
    case BodyKind::none: body_done_ = true; break;
  }
  if (!n) return fail(std::move(n.error()));
  body_read_ += *n;
  const uint64_t max_body = init_.pool->opts.limits.max_response_body;
  if (max_body != 0 && body_read_ > max_body) {
    HttpError e = http_error(HttpErrc::http_response_body_size, "the response body exceeds the limit");
    e.size = body_read_;
    return fail(std::move(e));
  }
  if (body_done_) release();
  return n;
}

}  // namespace wippy::net
