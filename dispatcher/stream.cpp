// stream.cpp — the waiting helpers every stream kind shares (stream.h).
#include "dispatcher/stream.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "dispatcher/wait.h"

namespace wippy::disp {

StreamOutcome StreamOutcome::failed(const char* op, int err) {
  return failed(fmt::format("{}: {}", op, std::strerror(err)), err);
}

namespace {

Result<void> wait_on(Pollable p) {
  Pollable* one[1] = {&p};
  auto r = wait_any(one);
  if (!r) return r.error();
  return {};
}

}  // namespace

Result<StreamOutcome> InputStream::blocking_read(uint64_t len, std::vector<uint8_t>& out) {
  for (;;) {
    auto r = read(len, out);
    if (!r || !r->ok() || !out.empty() || len == 0) return r;
    auto w = wait_on(subscribe());
    if (!w) return w.error();
  }
}

Result<StreamOutcome> OutputStream::wait_permit() {
  for (;;) {
    auto r = check_write();
    if (!r || !r->ok() || r->count > 0) return r;
    auto w = wait_on(subscribe());
    if (!w) return w.error();
  }
}

Result<StreamOutcome> OutputStream::write_all(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    auto permit = wait_permit();
    if (!permit || !permit->ok()) return permit;
    size_t n = size_t(std::min<uint64_t>(permit->count, bytes.size() - done));
    auto w = write(bytes.subspan(done, n));
    if (!w || !w->ok()) return w;
    done += n;
  }
  return flush_written(done);
}

Result<StreamOutcome> OutputStream::flush_written(uint64_t n) {
  auto f = blocking_flush();
  if (!f || !f->ok()) return f;
  return StreamOutcome::done(n);
}

}  // namespace wippy::disp
