// http_target.cpp — the http-response and http-chunked targets of targets.h:
// a hostile server's bytes, played by a ScriptedTransport (through the
// client's Connector) to the real net::Http1Client.
//
// Each input drives seven exchanges, each on a fresh connection over the
// same bytes: a GET with the bytes delivered whole, one byte at a time and
// in random pieces, a second GET on the same client (through the idle
// pool, which must drop the finished connection), a HEAD, a POST with a
// content-length body under small limits, and a chunked POST with trailers
// that first awaits "100 Continue". Besides "no crash, no hang", the target
// checks what must hold for any bytes, and aborts (so the harness saves the
// input) when one fails:
//  * every exchange ends (each body read takes at least one input byte);
//  * error messages stay bounded (quote_input);
//  * the GET's result does not depend on where the bytes were split: all
//    succeed with the same status, fields, body and trailers, or all fail;
//  * a body read in full has its content-length; a HEAD's, a 204's and a
//    304's is empty; no body is longer than the input.
// The outcome is the whole-delivery GET's: "ok" or the wasi:http error name.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "net/http1_client.h"
#include "tests/fuzz/scripted_transport.h"
#include "tests/fuzz/targets.h"
#include "tests/unit/loop_or_exit.h"

namespace wippy::fuzz {

namespace {

using net::HttpErrc;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "http-response: invariant violated: %s\n", what);
  std::abort();
}

constexpr size_t kMaxMessage = 1024;

struct Outcome {
  std::optional<net::HttpError> error;
  uint16_t status = 0;
  net::HeaderList headers, trailers;
  std::string body;

  bool same_as(const Outcome& o) const {
    if (error.has_value() != o.error.has_value()) return false;
    if (error) return true;  // which error may depend on the split (e.g. a long line vs. a bare LF in it)
    return status == o.status && headers == o.headers && trailers == o.trailers && body == o.body;
  }
};

enum class Kind : uint8_t { get, head, post_length, post_chunked };

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ uint8_t(c)) * 0x100000001b3ull;
  return h;
}

net::Http1Options options(std::string_view script, Pieces pieces, uint64_t seed, bool small_limits) {
  net::Http1Options o;
  o.connector = [script, pieces, seed](std::string_view, std::string_view, uint16_t,
                                       uint64_t) -> net::HttpResult<std::unique_ptr<net::Transport>> {
    return std::unique_ptr<net::Transport>(std::make_unique<ScriptedTransport>(std::string(script), pieces, seed));
  };
  if (small_limits) {
    o.limits.max_header_line = 256;
    o.limits.max_header_section = 1024;
    o.limits.max_trailer_section = 128;
    o.limits.max_informational = 3;
    o.limits.max_response_body = 100;
  }
  return o;
}

Outcome failed(net::HttpError e) {
  if (e.message.size() > kMaxMessage) violated("an error message longer than 1 KiB");
  Outcome out;
  out.error = std::move(e);
  return out;
}

// The first content-length value (the first run of digits in the first
// content-length field), when the response carries one: a response that got
// this far has only that value, maybe repeated.
std::optional<uint64_t> content_length(const net::HeaderList& h) {
  for (const auto& [k, v] : h) {
    if (!net::iequals(k, "content-length")) continue;
    size_t i = v.find_first_of("0123456789");
    if (i == std::string::npos) violated("a response passed with an empty content-length");
    uint64_t n = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') n = n * 10 + uint64_t(v[i++] - '0');
    return n;
  }
  return std::nullopt;
}

Outcome exchange(net::Http1Client& client, Kind kind, std::string_view script, uint64_t seed) {
  net::Request req;
  req.authority = "fuzz.example:8080";
  req.target = "/path?q=1";
  if (kind == Kind::head) req.method = "HEAD";
  if (kind == Kind::post_length) {
    req.method = "POST";
    req.headers = {{"content-length", "5"}};
  }
  if (kind == Kind::post_chunked) {
    req.method = "POST";
    req.headers = {{"expect", "100-continue"}};
    req.has_body = true;
  }
  auto ex = client.send(req);
  if (!ex) return failed(std::move(ex.error()));
  net::Exchange& e = **ex;
  const auto hello = std::span(reinterpret_cast<const uint8_t*>("hello"), 5);
  if (kind == Kind::post_length) {
    if (auto w = e.write_body(hello); !w) return failed(std::move(w.error()));
    if (auto f = e.finish(); !f) return failed(std::move(f.error()));
  }
  if (kind == Kind::post_chunked) {
    // The script never stalls, so this timeout cannot pass; it only must be finite.
    auto go = e.await_continue(60ull * 1000 * 1000 * 1000);
    if (!go) return failed(std::move(go.error()));
    if (*go) {
      if (auto w = e.write_body(hello); !w) return failed(std::move(w.error()));
      if (auto f = e.finish({{"x-sum", "5"}}); !f) return failed(std::move(f.error()));
    }
  }
  auto head = e.response();
  if (!head) return failed(std::move(head.error()));
  if (head->status < 200 || head->status > 599) violated("a final status outside 200..599");
  Outcome out;
  out.status = head->status;
  out.headers = head->headers;
  Rng rng(seed);
  std::vector<uint8_t> buf(16 * 1024);
  for (size_t reads = 0;; ++reads) {
    if (reads > script.size() + 2) violated("the body reads make no progress");
    const size_t piece = 1 + rng.below(buf.size());
    auto n = e.read_body(std::span(buf.data(), piece));
    if (!n) return failed(std::move(n.error()));
    if (*n == 0) break;
    if (*n > piece) violated("read_body returned more than asked");
    out.body.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  if (!e.body_done()) violated("the body ended without body_done()");
  out.trailers = e.trailers();
  if (out.body.size() > script.size()) violated("a body longer than the input");
  const bool bodiless = kind == Kind::head || out.status == 204 || out.status == 304;
  if (bodiless && !out.body.empty()) violated("a HEAD, 204 or 304 response with a body");
  if (!bodiless && !net::header_has_token(out.headers, "transfer-encoding", "chunked")) {
    if (auto cl = content_length(out.headers); cl && *cl != out.body.size())
      violated("a body read in full differs from its content-length");
  }
  return out;
}

Outcome one_exchange(Kind kind, std::string_view script, Pieces pieces, bool small_limits) {
  const uint64_t seed = fnv1a(script) ^ uint64_t(kind) << 8 ^ uint64_t(pieces);
  net::Http1Client client(options(script, pieces, seed, small_limits));
  return exchange(client, kind, script, seed);
}

std::string run_on_fiber(std::string_view script) {
  const Outcome whole = one_exchange(Kind::get, script, Pieces::kWhole, false);
  const Outcome bytewise = one_exchange(Kind::get, script, Pieces::kBytewise, false);
  const Outcome pieces = one_exchange(Kind::get, script, Pieces::kRandom, false);
  if (!whole.same_as(bytewise)) violated("GET differs between whole and byte-at-a-time delivery");
  if (!whole.same_as(pieces)) violated("GET differs between whole and random-piece delivery");
  {
    // Two GETs on one client: the finished connection must not be reused.
    const uint64_t seed = fnv1a(script);
    net::Http1Client client(options(script, Pieces::kWhole, seed, false));
    const Outcome first = exchange(client, Kind::get, script, seed);
    const Outcome second = exchange(client, Kind::get, script, seed);
    if (!first.same_as(second) || !first.same_as(whole)) violated("a repeated GET differs from the first");
    if (client.connections_opened() != 2) violated("a closed connection came back from the pool");
  }
  (void)one_exchange(Kind::head, script, Pieces::kRandom, false);
  (void)one_exchange(Kind::post_length, script, Pieces::kRandom, true);
  (void)one_exchange(Kind::post_chunked, script, Pieces::kRandom, false);
  return whole.error ? net::http_errc_name(whole.error->code) : "ok";
}

}  // namespace

std::string run_http_response(std::string_view bytes) {
  if (disp::this_fiber::in_fiber()) return run_on_fiber(bytes);
  std::string outcome;
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  loop.spawn([&] { outcome = run_on_fiber(bytes); });
  loop.run();
  return outcome;
}

std::string run_http_chunked(std::string_view body) {
  std::string script = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  script.append(body);
  return run_http_response(script);
}

}  // namespace wippy::fuzz
