// http1_client.h — an HTTP/1.1 client on the dispatcher's fibers.
// Contract:
//  * Http1Client::send() opens (or reuses) a connection to the request's
//    (scheme, authority) through the configured Connector, layers TLS for
//    "https" (TlsTransport, always verified), and writes the request head.
//    Every call parks only the calling fiber; call them from one fiber at a
//    time per Exchange. The client and its exchanges belong to one thread.
//  * Request framing comes from the headers the caller gives: a
//    content-length field means a body of exactly that many bytes; otherwise
//    has_body means a chunked body; otherwise no body. Host and
//    Transfer-Encoding are written by the client and refused from the caller
//    (HTTP-request-denied). Methods, targets, authorities, field names and
//    values are checked before anything is sent.
//  * Exchange: write_body() streams the request body (chunked: one chunk per
//    call), finish() ends it (with trailers when chunked), response() returns
//    the final response head (1xx skipped, at most limits.max_informational;
//    101 is an error), read_body() streams the response body (0 = end) and
//    trailers() holds the chunked trailers once the body ended. For
//    "expect: 100-continue", await_continue() waits for the 100 before the
//    body is written (true), or finds the final response instead (false).
//  * Timeouts (RequestTimeouts, durations): connect covers TCP and the TLS
//    handshake (connection-timeout); first_byte bounds the wait for the
//    whole response head (1xx included) after the request is sent,
//    between_bytes every other read and every write
//    (connection-read-timeout / connection-write-timeout).
//  * Keep-alive: a connection whose response ended cleanly, with no
//    "connection: close" either way, no read-to-end body and no extra bytes,
//    returns to the pool when the body ends (or the Exchange is destroyed).
//    The pool keeps at most max_idle_per_authority per key and
//    max_idle_total overall (oldest closed first), drops connections idle
//    longer than idle_timeout_ns or that the peer closed, and retries a
//    body-less request once on a fresh connection when a reused one ends
//    before any response byte. Redirects are returned, never followed.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dispatcher/clock.h"
#include "net/http1_parse.h"
#include "net/tls_config.h"
#include "net/transport.h"

namespace wippy::net {

struct Http1Limits {
  size_t max_header_line = 8 * 1024;       // one response field line (or status / chunk-size line)
  size_t max_header_section = 64 * 1024;   // the whole response head
  size_t max_trailer_section = 16 * 1024;  // all trailers together
  size_t max_informational = 16;           // 1xx responses before the final one
  size_t max_request_target = 16 * 1024;   // path and query
  uint64_t max_response_body = 0;          // 0: no limit
};

struct Http1Options {
  Connector connector;
  // https needs a TLS configuration: `tls`, or else `make_tls`, called on
  // the first https connection (plain http never parses a CA store). A
  // successful result is kept; a failure is that connection's error, and
  // the next https connection calls make_tls again. Neither: configuration-error.
  std::shared_ptr<TlsClientConfig> tls;
  std::function<HttpResult<std::shared_ptr<TlsClientConfig>>()> make_tls;
  Http1Limits limits;
  size_t max_idle_per_authority = 4;
  size_t max_idle_total = 64;
  uint64_t idle_timeout_ns = 30ull * 1000 * 1000 * 1000;
};

struct RequestTimeouts {
  uint64_t connect_ns = disp::kNever;
  uint64_t first_byte_ns = disp::kNever;
  uint64_t between_bytes_ns = disp::kNever;
};

struct Request {
  std::string method = "GET";
  std::string scheme = "http";
  std::string authority;  // host[:port] or [v6][:port]
  std::string target = "/";
  HeaderList headers;
  bool has_body = false;
};

struct ResponseHead {
  uint16_t status = 0;
  std::string reason;
  int version_minor = 1;
  HeaderList headers;
};

// host[:port] or [v6][:port] of a request: the host lower-cased, without
// brackets; the port `default_port` when absent. HTTP-request-URI-invalid
// for anything else.
struct Authority {
  std::string host;
  uint16_t port = 0;
};
HttpResult<Authority> parse_authority(std::string_view a, uint16_t default_port);

class Http1Conn;
struct Http1Pool;

class Exchange {
 public:
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  HttpResult<void> write_body(std::span<const uint8_t> data);
  HttpResult<void> finish(const HeaderList& trailers = {});
  HttpResult<bool> await_continue(uint64_t timeout_ns);
  HttpResult<ResponseHead> response();
  HttpResult<size_t> read_body(std::span<uint8_t> buf);
  const HeaderList& trailers() const { return trailers_; }
  bool body_done() const { return body_done_; }
  bool reused_connection() const { return reused_; }

  // What Http1Client::send hands to a new Exchange: the connection and the
  // request's settings, which the exchange keeps as they are.
  struct Init {
    std::shared_ptr<Http1Pool> pool;
    std::unique_ptr<Http1Conn> conn;
    RequestTimeouts timeouts;
    std::string head_bytes;  // kept for the one retry of a body-less request
    std::string scheme, host;
    uint16_t port = 0;
    bool head_request = false;
    bool close_requested = false;
    BodyKind req_kind = BodyKind::none;
    uint64_t req_left = 0;
  };
  explicit Exchange(Init&& init);

 private:
  enum class ChunkState : uint8_t { size, data, crlf };
  HttpResult<ResponseHead> read_head(uint64_t first_deadline);
  HttpResult<void> read_trailers();
  HttpResult<size_t> read_chunked(std::span<uint8_t> buf);
  HttpResult<void> retry_on_fresh_connection();
  HttpResult<void> send_bytes(std::span<const uint8_t> data);
  HttpError fail(HttpError e);  // poisons the connection, returns e
  void release();
  uint64_t between_deadline() const;

  Init init_;  // as send() handed it over; conn is replaced on a retry, req_left counts down
  bool req_done_ = false;
  bool reused_ = false;
  bool poisoned_ = false;
  std::optional<ResponseHead> pending_final_;
  bool head_read_ = false;
  BodyFraming framing_;
  bool keep_alive_ = false;
  bool body_done_ = false;
  uint64_t body_left_ = 0;  // length: bytes left; chunked: bytes left in this chunk
  uint64_t body_read_ = 0;
  ChunkState chunk_ = ChunkState::size;
  HeaderList trailers_;
};

class Http1Client {
 public:
  explicit Http1Client(Http1Options opts);
  ~Http1Client();
  HttpResult<std::unique_ptr<Exchange>> send(const Request& req, const RequestTimeouts& timeouts = {});
  size_t idle_count() const;
  uint64_t connections_opened() const;
  void prune_idle();  // closes idle connections past their timeout or closed by the peer
  // When the oldest idle connection expires (monotonic ns), kNever if none:
  // a host may arm a timer for prune_idle() so idle sockets close on time.
  uint64_t next_idle_expiry() const;
  void close_idle();  // closes every idle connection

 private:
  std::shared_ptr<Http1Pool> pool_;
};

}  // namespace wippy::net
