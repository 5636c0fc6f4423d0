// transport.h — a connected byte stream for the HTTP client (plain TCP, TLS).
// Contract:
//  * try_read/try_write never block: they move some bytes (IoStep::n > 0),
//    report the peer's orderly end (try_read: eof), or say which readiness
//    they need first (want = read or write; a TLS record may need a write to
//    finish a read). Errors are HttpErrors (connection-terminated, TLS-...).
//  * wait() parks only the calling fiber (dispatcher/this_fiber.h) until the
//    underlying descriptor may be ready, or the absolute monotonic deadline
//    (dispatcher/clock.h, kNever = none) passes.
//  * read_some / write_all below combine the two; a timeout becomes the
//    HttpErrc the caller names (connect, read or write timeout).
//  * idle_ok() is asked of a pooled idle connection before reuse: false when
//    the peer has closed it or sent unsolicited bytes.
//  * close() is idempotent; the destructor closes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "dispatcher/clock.h"
#include "dispatcher/errc.h"
#include "net/http_error.h"

namespace wippy::net {

enum class IoWant : uint8_t { none, read, write };

struct IoStep {
  size_t n = 0;
  bool eof = false;
  IoWant want = IoWant::none;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResult<IoStep> try_read(std::span<uint8_t> buf) = 0;
  virtual HttpResult<IoStep> try_write(std::span<const uint8_t> data) = 0;
  virtual disp::Errc wait(IoWant want, uint64_t deadline) = 0;
  // Ends our sending direction (TLS: close_notify; TCP: FIN). Best effort.
  virtual void shutdown_write(uint64_t deadline) = 0;
  virtual void close() = 0;
  virtual bool idle_ok() = 0;
};

// Reads at least one byte (returns the count) or 0 at the peer's orderly end.
HttpResult<size_t> read_some(Transport& t, std::span<uint8_t> buf, uint64_t deadline,
                             HttpErrc timeout_code = HttpErrc::connection_read_timeout);
HttpResult<void> write_all(Transport& t, std::span<const uint8_t> data, uint64_t deadline,
                           HttpErrc timeout_code = HttpErrc::connection_write_timeout);
inline HttpResult<void> write_all(Transport& t, std::string_view s, uint64_t deadline,
                                  HttpErrc timeout_code = HttpErrc::connection_write_timeout) {
  return write_all(t, std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()), deadline, timeout_code);
}

// Parks on t until `want` or the deadline; maps a dispatcher outcome that is
// not ok onto an HttpError (timed_out -> timeout_code).
HttpResult<void> wait_for(Transport& t, IoWant want, uint64_t deadline, HttpErrc timeout_code);
HttpError wait_error(disp::Errc e, HttpErrc timeout_code);

// Opens a byte stream to host:port (TCP; TLS is layered by the client for
// "https"). scheme is passed so a connector can apply grant rules.
using Connector = std::function<HttpResult<std::unique_ptr<Transport>>(
    std::string_view scheme, std::string_view host, uint16_t port, uint64_t deadline)>;

}  // namespace wippy::net
