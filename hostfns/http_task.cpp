// http_task.cpp — the fiber of one outgoing request and the two body
// streams between it and the guest (see http.h).
#include <algorithm>

#include "dispatcher/this_fiber.h"
#include "dispatcher/wait.h"
#include "hostfns/http.h"

namespace wippy::hostfns {

namespace {

// What the guest may buffer before outgoing-handler.handle starts sending
// (a body written before the request is handed over).
constexpr size_t kPreBuffer = 4 * 1024 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

disp::StreamOutcome http_failed(const net::HttpError& e) {
  auto o = disp::StreamOutcome::failed(std::string(net::http_errc_name(e.code)) + ": " + e.message);
  o.cause = e;
  return o;
}

net::HttpError cancelled_error() {
  return net::http_error(net::HttpErrc::internal_error, "the request was cancelled");
}

// Parks the task's fiber until `ev` is set; false when it was cancelled.
bool park_on(const std::shared_ptr<disp::Event>& ev) {
  disp::Pollable p = disp::Pollable::on(ev);
  return disp::this_fiber::block(p) == disp::Errc::ok;
}

// Sends the request body as the guest writes it, then finishes it.
net::HttpResult<void> pump_request(HttpTask& t, net::Exchange& ex) {
  RequestBody& b = *t.body;
  b.pumping = true;
  for (;;) {
    if (b.failed) return *b.failed;
    if (!b.buf.empty()) {
      std::string chunk;
      chunk.swap(b.buf);
      b.update_space();
      auto w = ex.write_body(std::span(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()));
      if (!w) return w.error();
      continue;
    }
    if (b.finished) return ex.finish(b.trailers ? *b.trailers : net::HeaderList{});
    if (b.abandoned) {
      net::HttpError e = net::http_error(net::HttpErrc::http_request_body_size,
                                         "the outgoing-body was dropped without finish");
      e.size = b.written;
      return e;
    }
    b.data->reset();
    if (!park_on(b.data)) return cancelled_error();
  }
}

// Reads the response body ahead of the guest, at most kBodyBuffer.
void pump_response(HttpTask& t, net::Exchange& ex) {
  std::vector<uint8_t> tmp(kReadChunk);
  for (;;) {
    if (t.buffered() >= kBodyBuffer) {
      t.rspace->reset();
      if (!park_on(t.rspace)) return;
      continue;
    }
    auto n = ex.read_body(tmp);
    if (!n) {
      t.rerror = n.error();
      t.trailers = n.error();
      break;
    }
    if (*n == 0) {
      t.rdone = true;
      t.trailers = ex.trailers();
      break;
    }
    if (t.discard) continue;  // incoming-body.finish came first: only the trailers matter
    if (t.rpos > 0 && t.rpos == t.rbuf.size()) {
      t.rbuf.clear();
      t.rpos = 0;
    }
    t.rbuf.append(reinterpret_cast<const char*>(tmp.data()), *n);
    t.rdata->notify();
  }
  t.rdata->notify();
  t.trailers_ready->notify();
}

bool bodiless_method(std::string_view m) { return m == "GET" || m == "HEAD"; }

// A body the guest has not declared a length for: wait until it is
// finished (then send it with a content-length, or none at all for an
// empty GET or HEAD) or fills the pre-buffer (then send it chunked).
void frame_body(HttpTask& t) {
  RequestBody& b = *t.body;
  if (b.declared) return;
  while (!b.finished && !b.abandoned && !b.failed && b.buf.size() < kPreBuffer) {
    b.data->reset();
    if (!park_on(b.data)) return;
  }
  if (!b.finished || b.trailers) return;  // chunked
  if (b.written == 0 && bodiless_method(t.request.method)) {
    t.body->pumping = true;
    t.body.reset();
    t.request.has_body = false;
    return;
  }
  t.request.headers.emplace_back("content-length", std::to_string(b.written));
  b.declared = b.written;
}

void fail_request(HttpTask& t, net::HttpError e) {
  if (t.body) {
    if (!t.body->failed) t.body->failed = e;
    t.body->update_space();
  }
  if (!t.head) t.head = std::move(e);
  t.head_ready->notify();
}

void run(const std::shared_ptr<HttpTask>& self) {
  HttpTask& t = *self;
  struct Ended {  // whatever way the fiber ends, nobody waits forever
    HttpTask& t;
    ~Ended() {
      t.running = false;
      if (!t.head) fail_request(t, cancelled_error());
      if (!t.rdone && !t.rerror) t.rerror = cancelled_error();
      if (!t.trailers) t.trailers = net::HttpResult<net::HeaderList>(*t.rerror);
      t.rdata->notify();
      t.trailers_ready->notify();
      t.head_ready->notify();
      if (t.body) t.body->update_space();
    }
  } ended{t};
  if (t.body) frame_body(t);
  if (disp::this_fiber::cancelled()) return;
  auto ex = t.client->send(t.request, t.timeouts);
  if (!ex) return fail_request(t, ex.error());
  if (t.body) {
    if (auto sent = pump_request(t, **ex); !sent) return fail_request(t, sent.error());
  }
  auto head = (*ex)->response();
  if (!head) return fail_request(t, head.error());
  t.head = std::move(*head);
  t.head_ready->notify();
  pump_response(t, **ex);
}

}  // namespace

void RequestBody::update_space() {
  const size_t cap = pumping ? kBodyBuffer : kPreBuffer;
  if (failed || buf.size() < cap) space->notify();
  else space->reset();
  // blocking_flush waits for this: the fiber took everything, or the
  // request failed (a guest write, which grows buf, is neither).
  if (failed || buf.empty()) drained->notify();
}

OutgoingBody::~OutgoingBody() {
  if (body && !body->finished && !body->abandoned) {
    body->abandoned = true;
    body->wake_fiber();
  }
}

bool HttpTask::start(const std::shared_ptr<HttpTask>& self) {
  loop = disp::Loop::current();
  if (!loop) {
    fail_request(*this, net::http_error(net::HttpErrc::internal_error, "HTTP requests need a dispatcher fiber"));
    return false;
  }
  running = true;
  fiber = loop->spawn([self] { run(self); });
  if (!fiber.valid()) {
    running = false;
    fail_request(*this, net::http_error(net::HttpErrc::connection_limit_reached, "cannot create a fiber for the request"));
    return false;
  }
  return true;
}

void HttpTask::cancel() {
  if (running && loop) loop->cancel(fiber);
}

// ---- the response body, read by the guest ----

Result<disp::StreamOutcome> ResponseBodyStream::read(uint64_t len, std::vector<uint8_t>& out) {
  HttpTask& t = *ref_->task;
  out.clear();
  if (t.buffered() > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>({len, t.buffered(), kMaxRead}));
    out.assign(t.rbuf.begin() + static_cast<ptrdiff_t>(t.rpos), t.rbuf.begin() + static_cast<ptrdiff_t>(t.rpos + n));
    t.rpos += n;
    if (t.buffered() == 0) {
      t.rbuf.clear();
      t.rpos = 0;
      if (!t.rdone && !t.rerror) t.rdata->reset();
    }
    t.rspace->notify();
    return disp::StreamOutcome::done(n);
  }
  if (t.rerror) return http_failed(*t.rerror);
  if (t.rdone) return disp::StreamOutcome::closed();
  return disp::StreamOutcome::done();
}

disp::Pollable ResponseBodyStream::subscribe() { return disp::Pollable::on(ref_->task->rdata); }

// ---- the request body, written by the guest ----

Result<disp::StreamOutcome> RequestBodyStream::check_write() {
  RequestBody& b = *body_;
  if (b.failed) return http_failed(*b.failed);
  if (b.finished || b.abandoned) return disp::StreamOutcome::closed();
  const size_t cap = b.pumping ? kBodyBuffer : kPreBuffer;
  return disp::StreamOutcome::done(b.buf.size() < cap ? std::min(cap - b.buf.size(), kWriteBudget) : 0);
}

Result<disp::StreamOutcome> RequestBodyStream::write(std::span<const uint8_t> bytes) {
  RequestBody& b = *body_;
  if (b.failed) return http_failed(*b.failed);
  if (b.finished || b.abandoned) return disp::StreamOutcome::closed();
  const uint64_t total = b.written + bytes.size();
  const bool over_declared = b.declared && total > *b.declared;
  if (over_declared || (b.max_bytes != 0 && total > b.max_bytes)) {
    net::HttpError e = net::http_error(
        net::HttpErrc::http_request_body_size,
        over_declared ? "the body is longer than its content-length" : "the body exceeds the grant's http_max_body_bytes");
    e.size = total;
    b.failed = e;
    b.update_space();
    b.wake_fiber();
    return http_failed(e);
  }
  b.buf.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  b.written = total;
  b.update_space();
  b.wake_fiber();
  return disp::StreamOutcome::done(bytes.size());
}

// Waits until the task's fiber has taken everything written (it is then
// being sent); before handle() there is no fiber and nothing to wait for.
Result<disp::StreamOutcome> RequestBodyStream::blocking_flush() {
  RequestBody& b = *body_;
  while (!b.buf.empty() && b.pumping && !b.failed) {
    b.drained->reset();
    disp::Pollable p = disp::Pollable::on(b.drained);
    disp::Pollable* one[1] = {&p};
    if (auto w = disp::wait_any(one); !w) return w.error();
  }
  if (b.failed) return http_failed(*b.failed);
  return disp::StreamOutcome::done();
}

disp::Pollable RequestBodyStream::subscribe() { return disp::Pollable::on(body_->space); }

}  // namespace wippy::hostfns
