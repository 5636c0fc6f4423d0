// transport.cpp — the parking helpers over Transport's non-blocking steps.
#include "net/transport.h"

namespace wippy::net {

HttpError wait_error(disp::Errc e, HttpErrc timeout_code) {
  switch (e) {
    case disp::Errc::timed_out: return http_error(timeout_code, "timed out");
    case disp::Errc::cancelled: return http_error(HttpErrc::internal_error, "the request was cancelled");
    case disp::Errc::deadline_exceeded:
      return http_error(HttpErrc::internal_error, "the calling fiber's deadline passed");
    case disp::Errc::not_in_fiber:
      return http_error(HttpErrc::internal_error, "network I/O outside a dispatcher fiber");
    default: return http_error(HttpErrc::connection_terminated, disp::errc_name(e));
  }
}

HttpResult<void> wait_for(Transport& t, IoWant want, uint64_t deadline, HttpErrc timeout_code) {
  const disp::Errc e = t.wait(want, deadline);
  if (e != disp::Errc::ok) return wait_error(e, timeout_code);
  return {};
}

HttpResult<size_t> read_some(Transport& t, std::span<uint8_t> buf, uint64_t deadline, HttpErrc timeout_code) {
  if (buf.empty()) return size_t{0};
  for (;;) {
    auto step = t.try_read(buf);
    if (!step) return std::move(step.error());
    if (step->eof) return size_t{0};
    if (step->n > 0) return step->n;
    if (deadline != disp::kNever && disp::now_ns() >= deadline) return http_error(timeout_code, "timed out");
    auto w = wait_for(t, step->want, deadline, timeout_code);
    if (!w) return std::move(w.error());
  }
}

HttpResult<void> write_all(Transport& t, std::span<const uint8_t> data, uint64_t deadline, HttpErrc timeout_code) {
  while (!data.empty()) {
    auto step = t.try_write(data);
    if (!step) return std::move(step.error());
    if (step->n > 0) {
      data = data.subspan(step->n);
      continue;
    }
    if (deadline != disp::kNever && disp::now_ns() >= deadline) return http_error(timeout_code, "timed out");
    auto w = wait_for(t, step->want == IoWant::none ? IoWant::write : step->want, deadline, timeout_code);
    if (!w) return std::move(w.error());
  }
  return {};
}

}  // namespace wippy::net
