// scripted_transport.cpp — the recorded server of scripted_transport.h.
#include "tests/fuzz/scripted_transport.h"

#include <algorithm>
#include <cstring>

#include "dispatcher/this_fiber.h"

namespace wippy::fuzz {

net::HttpResult<net::IoStep> ScriptedTransport::try_read(std::span<uint8_t> buf) {
  if (closed_) return net::http_error(net::HttpErrc::connection_terminated, "read after close");
  net::IoStep step;
  if (pos_ >= script_.size()) {
    step.eof = true;
    return step;
  }
  if (buf.empty()) return step;
  size_t n = script_.size() - pos_;
  switch (pieces_) {
    case Pieces::kWhole: n = std::min(n, opts_.max_piece); break;
    case Pieces::kBytewise: n = 1; break;
    case Pieces::kRandom:
      if (!blocked_once_ && rng_.chance(25)) {
        blocked_once_ = true;
        step.want = net::IoWant::read;
        return step;
      }
      blocked_once_ = false;
      n = std::min(n, rng_.chance(10) ? 1 + rng_.below(4096) : 1 + rng_.below(64));
      break;
  }
  n = std::min(n, buf.size());
  std::memcpy(buf.data(), script_.data() + pos_, n);
  pos_ += n;
  step.n = n;
  return step;
}

net::HttpResult<net::IoStep> ScriptedTransport::try_write(std::span<const uint8_t> data) {
  if (closed_ || write_closed_) return net::http_error(net::HttpErrc::connection_terminated, "write after close");
  (opts_.sink != nullptr ? *opts_.sink : written_).append(reinterpret_cast<const char*>(data.data()), data.size());
  net::IoStep step;
  step.n = data.size();
  return step;
}

disp::Errc ScriptedTransport::wait(net::IoWant, uint64_t) {
  // Park like a socket would, but the script is always ready next turn.
  const disp::Errc e = disp::this_fiber::yield();
  return e == disp::Errc::not_in_fiber ? disp::Errc::ok : e;
}

}  // namespace wippy::fuzz
