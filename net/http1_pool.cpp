// http1_pool.cpp — idle connections per (scheme, authority), and opening new
// ones through the Connector (plus TLS for https).
#include "net/http1_pool.h"

#include "net/tls_transport.h"

namespace wippy::net {

Http1Pool::~Http1Pool() {
  for (auto& [k, q] : idle)
    for (auto& c : q) c->transport().close();
}

void Http1Pool::prune() {
  const uint64_t now = disp::now_ns();
  for (auto it = idle.begin(); it != idle.end();) {
    auto& q = it->second;
    for (auto c = q.begin(); c != q.end();) {
      if (now - (*c)->idle_since > opts.idle_timeout_ns || !(*c)->transport().idle_ok()) {
        (*c)->transport().close();
        c = q.erase(c);
        --idle_total;
      } else {
        ++c;
      }
    }
    it = q.empty() ? idle.erase(it) : std::next(it);
  }
}

std::unique_ptr<Http1Conn> Http1Pool::take(const std::string& key) {
  prune();
  auto it = idle.find(key);
  if (it == idle.end()) return nullptr;
  auto c = std::move(it->second.back());  // most recently used first
  it->second.pop_back();
  --idle_total;
  if (it->second.empty()) idle.erase(it);
  c->reused = true;
  return c;
}

void Http1Pool::put(std::unique_ptr<Http1Conn> c) {
  if (opts.max_idle_per_authority == 0 || opts.max_idle_total == 0) return;  // c closes
  prune();
  auto& q = idle[c->key()];
  if (q.size() >= opts.max_idle_per_authority) {
    q.pop_front();
    --idle_total;
  }
  if (idle_total >= opts.max_idle_total) {  // close the globally oldest
    auto oldest = idle.end();
    for (auto it = idle.begin(); it != idle.end(); ++it)
      if (!it->second.empty() &&
          (oldest == idle.end() || it->second.front()->idle_since < oldest->second.front()->idle_since))
        oldest = it;
    if (oldest != idle.end()) {
      oldest->second.pop_front();
      --idle_total;
      if (oldest->second.empty() && &oldest->second != &q) idle.erase(oldest);
    }
  }
  c->idle_since = disp::now_ns();
  q.push_back(std::move(c));
  ++idle_total;
}

HttpResult<std::unique_ptr<Http1Conn>> Http1Pool::open(const std::string& scheme, const std::string& host,
                                                       uint16_t port, const std::string& key, uint64_t connect_ns) {
  if (!opts.connector) return http_error(HttpErrc::configuration_error, "no connector configured");
  const bool tls = scheme == "https";
  if (tls && !opts.tls) {
    if (!opts.make_tls) return http_error(HttpErrc::configuration_error, "https needs a TLS configuration");
    auto made = opts.make_tls();
    if (!made) return std::move(made.error());
    opts.tls = std::move(*made);
  }
  const uint64_t deadline = disp::deadline_after(connect_ns);
  auto t = opts.connector(scheme, host, port, deadline);
  if (!t) return std::move(t.error());
  std::unique_ptr<Transport> transport = std::move(*t);
  if (tls) {
    auto s = TlsTransport::connect(opts.tls, std::move(transport), host, deadline);
    if (!s) return std::move(s.error());
    transport = std::move(*s);
  }
  ++opened;
  return std::make_unique<Http1Conn>(std::move(transport), key);
}

}  // namespace wippy::net
