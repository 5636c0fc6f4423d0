// transport_fd.h — Transport over a connected non-blocking socket descriptor.
// Contract: FdTransport owns the descriptor (closed by close() or the
// destructor). Reads use recv, writes send(MSG_NOSIGNAL) so a closed peer
// is an error (connection-terminated), never SIGPIPE. wait() parks the
// calling fiber with this_fiber::wait_readable / wait_writable.
#pragma once
#include <memory>

#include "net/transport.h"

namespace wippy::net {

class FdTransport final : public Transport {
 public:
  explicit FdTransport(int fd) : fd_(fd) {}
  ~FdTransport() override { close(); }
  FdTransport(const FdTransport&) = delete;
  FdTransport& operator=(const FdTransport&) = delete;

  HttpResult<IoStep> try_read(std::span<uint8_t> buf) override;
  HttpResult<IoStep> try_write(std::span<const uint8_t> data) override;
  disp::Errc wait(IoWant want, uint64_t deadline) override;
  void shutdown_write(uint64_t deadline) override;
  void close() override;
  bool idle_ok() override;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace wippy::net
