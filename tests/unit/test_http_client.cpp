// Unit tests for net/http1 against loopback HTTP servers on threads: bodies
// both ways (content-length, chunked, trailers), keep-alive reuse and its
// limits, HEAD, 100-continue, timeouts and refused connections; the
// wasi:http connector sets TCP_NODELAY.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "net/http1_client.h"
#include "net/http_connector.h"
#include "net/transport_fd.h"
#include "test_http_server.h"

using namespace wippy::net;
using namespace wippy::testing;
namespace tf = wippy::disp::this_fiber;

namespace {

constexpr uint64_t kMs = 1000000;

Http1Options loopback_options() {
  Http1Options o;
  o.connector = loopback_connect;
  return o;
}

Request get(uint16_t port, const std::string& target = "/") {
  Request r;
  r.authority = "127.0.0.1:" + std::to_string(port);
  r.target = target;
  return r;
}

// Reads the whole response body (empty optional on error, with *err set).
std::optional<std::string> read_all(Exchange& ex, HttpError* err = nullptr, size_t piece = 4096) {
  std::string out;
  std::vector<uint8_t> buf(piece);
  for (;;) {
    auto n = ex.read_body(buf);
    if (!n) {
      if (err != nullptr) *err = n.error();
      return std::nullopt;
    }
    if (*n == 0) return out;
    out.append(reinterpret_cast<char*>(buf.data()), *n);
  }
}

// Answers every request on the connection with 200 and "reply <n>".
void numbered_replies(ServerConn& c) {
  for (int n = 1;; ++n) {
    const std::string head = c.read_head();
    if (head.empty()) return;
    c.read_exact(head_content_length(head));
    const std::string body = "reply " + std::to_string(n);
    if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body)) return;
  }
}

}  // namespace

TEST_CASE("http client: sequential GETs reuse one kept-alive connection") {
  TestServer srv(numbered_replies);
  std::vector<std::string> bodies;
  std::vector<bool> reused;
  uint64_t opened = 0;
  run_fiber([&] {
    Http1Client client(loopback_options());
    for (int i = 0; i < 3; ++i) {
      auto ex = client.send(get(srv.port()));
      if (!ex) break;
      auto head = (*ex)->response();
      if (!head || head->status != 200) break;
      bodies.push_back(read_all(**ex).value_or("<error>"));
      reused.push_back((*ex)->reused_connection());
    }
    opened = client.connections_opened();
  });
  CHECK(bodies == std::vector<std::string>{"reply 1", "reply 2", "reply 3"});
  CHECK(reused == std::vector<bool>{false, true, true});
  CHECK(opened == 1);
  CHECK(srv.accepts() == 1);
}

TEST_CASE("http client: request bodies stream with content-length and chunked, with trailers") {
  std::mutex mu;
  std::vector<std::string> seen_bodies, seen_heads, seen_trailers;
  TestServer srv([&](ServerConn& c) {
    for (;;) {
      const std::string head = c.read_head();
      if (head.empty()) return;
      std::string trailers, body;
      if (head.find("Transfer-Encoding: chunked\r\n") != std::string::npos)
        body = c.read_chunked(&trailers);
      else
        body = c.read_exact(head_content_length(head));
      {
        std::lock_guard<std::mutex> lk(mu);
        seen_heads.push_back(head);
        seen_bodies.push_back(body);
        seen_trailers.push_back(trailers);
      }
      // Echo the body back chunked, 3 bytes a chunk, with a trailer.
      std::string resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Len\r\n\r\n";
      for (size_t i = 0; i < body.size(); i += 3) {
        const std::string part = body.substr(i, 3);
        char line[16];
        std::snprintf(line, sizeof line, "%zx\r\n", part.size());
        resp += line + part + "\r\n";
      }
      resp += "0\r\nX-Len: " + std::to_string(body.size()) + "\r\n\r\n";
      if (!c.write(resp)) return;
    }
  });
  std::vector<std::string> echoed, lens;
  HttpErrc short_body = HttpErrc::internal_error, long_body = HttpErrc::internal_error;
  run_fiber([&] {
    Http1Client client(loopback_options());
    auto send_body = [&](Request r, std::vector<std::string> pieces, HeaderList trailers) {
      auto ex = client.send(r);
      if (!ex) return;
      for (auto& p : pieces)
        if (!(*ex)->write_body(std::span(reinterpret_cast<const uint8_t*>(p.data()), p.size()))) return;
      if (!(*ex)->finish(trailers)) return;
      auto head = (*ex)->response();
      if (!head) return;
      echoed.push_back(read_all(**ex, nullptr, 5).value_or("<error>"));
      for (auto& [k, v] : (*ex)->trailers())
        if (k == "X-Len") lens.push_back(v);
    };
    Request post = get(srv.port(), "/upload?x=1");
    post.method = "POST";
    post.headers = {{"Content-Length", "11"}, {"Content-Type", "text/plain"}};
    send_body(post, {"hello", " ", "world"}, {});
    Request chunked = get(srv.port(), "/chunked");
    chunked.method = "PUT";
    chunked.has_body = true;
    send_body(chunked, {"stream", "", "ed body"}, {{"X-Digest", "abc"}});

    // Content-length mismatches are refused on our side.
    auto ex = client.send(post);
    if (ex) {
      const std::string s = "short";
      (void)(*ex)->write_body(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
      auto f = (*ex)->finish();
      if (!f) short_body = f.error().code;
    }
    ex = client.send(post);
    if (ex) {
      const std::string s = "much too long body";
      auto w = (*ex)->write_body(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
      if (!w) long_body = w.error().code;
    }
  });
  CHECK(echoed == std::vector<std::string>{"hello world", "streamed body"});
  CHECK(lens == std::vector<std::string>{"11", "13"});
  std::lock_guard<std::mutex> lk(mu);
  REQUIRE(seen_heads.size() >= 2);
  CHECK(seen_heads[0].rfind("POST /upload?x=1 HTTP/1.1\r\nHost: 127.0.0.1:", 0) == 0);
  CHECK(seen_heads[0].find("Content-Type: text/plain\r\n") != std::string::npos);
  CHECK(seen_heads[1].rfind("PUT /chunked HTTP/1.1\r\n", 0) == 0);
  CHECK(seen_bodies[0] == "hello world");
  CHECK(seen_bodies[1] == "streamed body");
  CHECK(seen_trailers[1] == "X-Digest: abc\n");
  CHECK(short_body == HttpErrc::http_request_body_size);
  CHECK(long_body == HttpErrc::http_request_body_size);
}

TEST_CASE("http client: a large response body streams in pieces") {
  const size_t size = 1 << 20;
  std::string payload(size, '\0');
  for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + (i * 7) % 26);
  TestServer srv([&](ServerConn& c) {
    if (c.read_head().empty()) return;
    c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n");
    c.write(payload);
    c.wait_close();
  });
  std::optional<std::string> got;
  run_fiber([&] {
    Http1Client client(loopback_options());
    auto ex = client.send(get(srv.port()));
    if (ex && (*ex)->response()) got = read_all(**ex, nullptr, 3000);
  });
  REQUIRE(got.has_value());
  CHECK(got->size() == size);
  CHECK(*got == payload);
}

TEST_CASE("http client: HEAD has no body and keeps the connection") {
  TestServer srv([](ServerConn& c) {
    for (;;) {
      const std::string head = c.read_head();
      if (head.empty()) return;
      if (head.rfind("HEAD ", 0) == 0)
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
      else
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget");
    }
  });
  std::string head_body = "<unset>", get_body;
  uint16_t status = 0;
  run_fiber([&] {
    Http1Client client(loopback_options());
    Request h = get(srv.port());
    h.method = "HEAD";
    auto ex = client.send(h);
    if (!ex) return;
    auto head = (*ex)->response();
    if (!head) return;
    status = head->status;
    head_body = read_all(**ex).value_or("<error>");
    ex->reset();
    auto ex2 = client.send(get(srv.port()));
    if (ex2 && (*ex2)->response()) get_body = read_all(**ex2).value_or("<error>");
  });
  CHECK(status == 200);
  CHECK(head_body.empty());
  CHECK(get_body == "get");
  CHECK(srv.accepts() == 1);
}

TEST_CASE("http client: expect 100-continue") {
  TestServer srv([](ServerConn& c) {
    for (;;) {
      const std::string head = c.read_head();
      if (head.empty()) return;
      if (head.find("/refuse") != std::string::npos) {
        c.write("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 7\r\n\r\nno body");
        continue;
      }
      c.write("HTTP/1.1 100 Continue\r\n\r\n");
      const std::string body = c.read_exact(head_content_length(head));
      c.write("HTTP/1.1 201 Created\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
  });
  std::optional<bool> go, refused;
  uint16_t status = 0, refused_status = 0;
  std::string body, refused_body;
  size_t idle_after_refusal = 99;
  run_fiber([&] {
    Http1Client client(loopback_options());
    Request r = get(srv.port(), "/upload");
    r.method = "POST";
    r.headers = {{"Content-Length", "4"}, {"Expect", "100-continue"}};
    auto ex = client.send(r);
    if (!ex) return;
    auto c = (*ex)->await_continue(5000 * kMs);
    if (!c) return;
    go = *c;
    const std::string data = "data";
    if (!(*ex)->write_body(std::span(reinterpret_cast<const uint8_t*>(data.data()), 4))) return;
    auto head = (*ex)->response();
    if (!head) return;
    status = head->status;
    body = read_all(**ex).value_or("<error>");
    ex->reset();

    r.target = "/refuse";
    auto ex2 = client.send(r);
    if (!ex2) return;
    auto c2 = (*ex2)->await_continue(5000 * kMs);
    if (!c2) return;
    refused = *c2;
    auto head2 = (*ex2)->response();
    if (head2) refused_status = head2->status;
    if (head2) refused_body = read_all(**ex2).value_or("<error>");
    ex2->reset();
    idle_after_refusal = client.idle_count();
  });
  CHECK(go == std::optional<bool>(true));
  CHECK(status == 201);
  CHECK(body == "data");
  CHECK(refused == std::optional<bool>(false));
  CHECK(refused_status == 417);
  CHECK(refused_body == "no body");
  CHECK(idle_after_refusal == 0);  // the unsent body leaves the connection unusable
}

TEST_CASE("http client: idle timeout and idle limit") {
  TestServer srv(numbered_replies);
  size_t idle_before = 0, idle_after_two = 0, idle_after_prune = 99;
  bool ok = false, expiry_ok = false;
  run_fiber([&] {
    Http1Options o = loopback_options();
    o.idle_timeout_ns = 50 * kMs;
    o.max_idle_per_authority = 1;
    Http1Client client(o);
    auto once = [&] {
      auto ex = client.send(get(srv.port()));
      return ex && (*ex)->response() && read_all(**ex).has_value();
    };
    if (client.next_idle_expiry() != wippy::disp::kNever) return;
    const uint64_t t0 = wippy::disp::now_ns();
    if (!once()) return;
    idle_before = client.idle_count();
    expiry_ok = client.next_idle_expiry() >= t0 + 50 * kMs && client.next_idle_expiry() != wippy::disp::kNever;
    tf::sleep_for(150 * kMs);  // past the idle timeout
    client.prune_idle();
    idle_after_prune = client.idle_count();
    if (!once()) return;       // a new connection (2 accepts)
    // Two exchanges at once need two connections; only one may stay idle.
    auto a = client.send(get(srv.port()));
    auto b = client.send(get(srv.port()));
    if (!a || !b || !(*a)->response() || !(*b)->response()) return;
    if (!read_all(**a) || !read_all(**b)) return;
    a->reset();
    b->reset();
    idle_after_two = client.idle_count();
    ok = true;
  });
  CHECK(ok);
  CHECK(idle_before == 1);
  CHECK(expiry_ok);
  CHECK(idle_after_prune == 0);
  CHECK(idle_after_two == 1);
  CHECK(srv.accepts() == 3);
}

TEST_CASE("http client: connection close and a peer that closes idle connections") {
  TestServer srv([](ServerConn& c) {
    const std::string head = c.read_head();
    if (head.empty()) return;
    // Says keep-alive by omission, then closes right after the response.
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::vector<std::string> bodies;
  run_fiber([&] {
    Http1Client client(loopback_options());
    for (int i = 0; i < 3; ++i) {
      auto ex = client.send(get(srv.port()));
      if (!ex || !(*ex)->response()) break;
      bodies.push_back(read_all(**ex).value_or("<error>"));
      ex->reset();
      tf::sleep_for(20 * kMs);  // let the peer's FIN arrive before the next take
    }
    Request closing = get(srv.port());
    closing.headers = {{"Connection", "close"}};
    auto ex = client.send(closing);
    if (ex && (*ex)->response()) bodies.push_back(read_all(**ex).value_or("<error>"));
    if (ex) ex->reset();
    if (client.idle_count() != 0) bodies.push_back("<kept a closed connection>");
  });
  CHECK(bodies == std::vector<std::string>{"ok", "ok", "ok", "ok"});
  CHECK(srv.accepts() == 4);
}

TEST_CASE("http client: refused connections and stalled servers") {
  // A port with nothing listening: bind, note the port, close.
  uint16_t dead_port = 0;
  {
    TestServer tmp([](ServerConn&) {});
    dead_port = tmp.port();
  }
  std::atomic<bool> release{false};
  TestServer stall([&](ServerConn& c) {
    const std::string head = c.read_head();
    if (head.find("/partial") != std::string::npos) c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    if (head.find("/endless") != std::string::npos) {
      c.write("HTTP/1.1 200 OK\r\n");
      for (int i = 0; !release && c.write("X-Filler-" + std::to_string(i) + ": 0123456789abcdef\r\n"); ++i) {
      }
    }
    if (head.find("/dribble") != std::string::npos) {
      const std::string start = "HTTP/1.1 200 OK\r\nX-Slow: ";
      if (!c.write(start)) return;
      while (!release && c.write("a")) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    c.wait_close();
  });
  HttpErrc dribble = HttpErrc::internal_error;
  uint64_t dribble_waited = 0;
  HttpErrc refused = HttpErrc::internal_error, first_byte = HttpErrc::internal_error,
           between = HttpErrc::internal_error, endless = HttpErrc::internal_error;
  uint64_t waited = 0;
  // The error reading the response head of a sent exchange ended with;
  // internal_error (the initial value above) when not sent or no error.
  auto head_error = [](auto& ex) {
    if (ex) {
      auto h = (*ex)->response();
      if (!h) return h.error().code;
    }
    return HttpErrc::internal_error;
  };
  run_fiber([&] {
    Http1Client client(loopback_options());
    auto ex = client.send(get(dead_port));
    if (!ex) refused = ex.error().code;

    RequestTimeouts t;
    t.first_byte_ns = 100 * kMs;
    t.between_bytes_ns = 100 * kMs;
    const uint64_t start = wippy::disp::now_ns();
    auto ex2 = client.send(get(stall.port(), "/silent"), t);
    first_byte = head_error(ex2);
    waited = wippy::disp::now_ns() - start;

    auto ex3 = client.send(get(stall.port(), "/partial"), t);
    if (ex3 && (*ex3)->response()) {
      HttpError err;
      if (!read_all(**ex3, &err)) between = err.code;
    }

    Http1Options small = loopback_options();
    small.limits.max_header_section = 4096;
    Http1Client bounded(small);
    auto ex4 = bounded.send(get(stall.port(), "/endless"));
    endless = head_error(ex4);

    // Bytes keep coming, so only the head's overall deadline ends this.
    RequestTimeouts head_limit;
    head_limit.first_byte_ns = 200 * kMs;
    head_limit.between_bytes_ns = wippy::disp::kNever;  // bytes keep coming anyway
    const uint64_t t0 = wippy::disp::now_ns();
    auto ex5 = client.send(get(stall.port(), "/dribble"), head_limit);
    dribble = head_error(ex5);
    dribble_waited = wippy::disp::now_ns() - t0;
    release = true;
  });
  CHECK(dribble == HttpErrc::connection_read_timeout);
  CHECK(dribble_waited >= 200 * kMs);
  CHECK(refused == HttpErrc::connection_refused);
  CHECK(first_byte == HttpErrc::connection_read_timeout);
  CHECK(waited >= 100 * kMs);
  CHECK(between == HttpErrc::connection_read_timeout);
  CHECK(endless == HttpErrc::http_response_header_section_size);
}

TEST_CASE("http client: a 5 MiB request body, and a peer that stops reading") {
  std::atomic<size_t> received{0};
  std::atomic<bool> release{false};
  TestServer srv([&](ServerConn& c) {
    const std::string head = c.read_head();
    if (head.empty()) return;
    if (head.find("/sink") != std::string::npos) {
      const std::string body = c.read_exact(head_content_length(head));
      received = body.size();
      size_t sum = 0;
      for (unsigned char ch : body) sum += ch;
      c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(std::to_string(sum).size()) + "\r\n\r\n" +
              std::to_string(sum));
    }
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // reads nothing more
  });
  const size_t big = 5 << 20;
  std::string payload(big, '\0');
  size_t expect_sum = 0;
  for (size_t i = 0; i < big; ++i) {
    payload[i] = static_cast<char>(i % 251);
    expect_sum += static_cast<unsigned char>(payload[i]);
  }
  std::string echoed_sum;
  HttpErrc stuck = HttpErrc::internal_error;
  run_fiber([&] {
    Http1Client client(loopback_options());
    Request r = get(srv.port(), "/sink");
    r.method = "POST";
    r.headers = {{"Content-Length", std::to_string(big)}};
    auto ex = client.send(r);
    if (!ex) return;
    for (size_t at = 0; at < big; at += 1 << 20)
      if (!(*ex)->write_body(std::span(reinterpret_cast<const uint8_t*>(payload.data()) + at, 1 << 20))) return;
    if ((*ex)->response()) echoed_sum = read_all(**ex).value_or("<error>");

    // 64 MiB into a peer that reads nothing: more than the socket buffers hold.
    RequestTimeouts t;
    t.between_bytes_ns = 100 * kMs;
    Request stall = get(srv.port(), "/stall");
    stall.method = "PUT";
    stall.has_body = true;
    auto ex2 = client.send(stall, t);
    if (!ex2) return;
    for (int i = 0; i < 64; ++i) {
      auto w = (*ex2)->write_body(std::span(reinterpret_cast<const uint8_t*>(payload.data()), 1 << 20));
      if (!w) {
        stuck = w.error().code;
        break;
      }
    }
  });
  release = true;
  CHECK(received == big);
  CHECK(echoed_sum == std::to_string(expect_sum));
  CHECK(stuck == HttpErrc::connection_write_timeout);
}

TEST_CASE("http connector: a connected socket has TCP_NODELAY (no delayed-ACK stall between request pieces)") {
  TestServer srv([](ServerConn& c) { c.wait_close(); });
  REQUIRE(srv.port() != 0);
  Connector connect = grant_connector(Policy{}, ResolverOptions{});
  int nodelay = -1;
  run_fiber([&] {
    auto t = connect("http", "127.0.0.1", srv.port(), wippy::disp::deadline_after(10'000'000'000ull));
    REQUIRE_MESSAGE(t, (t ? "" : t.error().message));
    auto* fd = dynamic_cast<FdTransport*>(t->get());
    REQUIRE(fd != nullptr);
    socklen_t len = sizeof nodelay;
    REQUIRE(::getsockopt(fd->fd(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len) == 0);
  });
  CHECK(nodelay == 1);
}
