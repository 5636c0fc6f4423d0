#!/usr/bin/env python3
"""http_server.py: the loopback HTTP/HTTPS server of the wasi:http tests.

    http_server.py CERT_DIR

CERT_DIR is what http_certs.sh made. One process, four listeners on
127.0.0.1 port 0, all with the same endpoints and shared counters:
  http            plain HTTP/1.1
  https           TLS, certificate for 127.0.0.1/localhost from the test CA
  https_untrusted TLS, same names, signed by a CA nobody trusts
  https_wrongname TLS, signed by the test CA for wrong.example only
plus `closed`, a port that was bound and closed again (nothing listens).
The first stdout line is one JSON object of those ports; then the server
runs until killed or stdin closes (so a dying test script takes it along).

Endpoints (HTTP/1.1 keep-alive; HEAD works wherever GET does):
  GET  /hello           "hello from wippy test server\n"
  POST /echo            body of any framing (content-length or chunked);
                        answers JSON {"framing", "length", "sha256"}
  GET  /chunked         a chunked response of several chunks
  GET  /trailers        chunked with trailers x-checksum and x-count
  GET  /big?mb=N        N MiB of the pattern byte i = i mod 251
  GET  /status/CODE     that status with a short body
  GET  /headers         JSON list of the request's x-* headers [name, value]
                        in order; the response has X-Multi twice
  GET  /redirect        302 to /hello
  GET  /delay?ms=N      answers "delayed N\n" after N ms (threads, so other
                        connections go on); in_flight/max_in_flight count
                        these requests
  GET  /stall           reads the request, never answers
  GET  /dribble         the response head one byte per ~500 ms, forever
  GET  /stats           JSON: connections (accepted, all listeners),
                        by_listener (accepted, per listener name),
                        requests (served), requests_by_listener,
                        tls_failures, tls_last_error,
                        in_flight, max_in_flight
  GET  /reset-max       sets max_in_flight to in_flight
Python 3 standard library only.
"""
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HELLO = b"hello from wippy test server\n"
PATTERN = bytes(i % 251 for i in range(251 * 261))  # whole periods, ~64 KiB


class Stats:
    """Counters shared by every listener and handler thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connections = 0
        self.by_listener = {}
        self.requests_by_listener = {}
        self.requests = 0
        self.tls_failures = 0
        self.tls_last_error = ""
        self.in_flight = 0
        self.max_in_flight = 0

    def accepted(self, listener):
        with self.lock:
            self.connections += 1
            self.by_listener[listener] = self.by_listener.get(listener, 0) + 1

    def served(self, listener):
        with self.lock:
            self.requests += 1
            self.requests_by_listener[listener] = self.requests_by_listener.get(listener, 0) + 1

    def add(self, name, n=1):
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def tls_failed(self, err):
        with self.lock:
            self.tls_failures += 1
            self.tls_last_error = getattr(err, "reason", None) or type(err).__name__

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def reset_max(self):
        with self.lock:
            self.max_in_flight = self.in_flight

    def snapshot(self):
        with self.lock:
            snap = {k: getattr(self, k) for k in (
                "connections", "requests", "tls_failures", "tls_last_error",
                "in_flight", "max_in_flight")}
            snap["by_listener"] = dict(self.by_listener)
            snap["requests_by_listener"] = dict(self.requests_by_listener)
            return snap


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, name, stats, tls_context):
        self.name = name
        self.stats = stats
        self.tls_context = tls_context
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        # Runs on the connection's own thread, so a slow TLS handshake
        # never holds up accept().
        self.stats.accepted(self.name)
        if self.tls_context is not None:
            try:
                request.settimeout(30)
                request = self.tls_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError) as err:
                self.stats.tls_failed(err)
                return
        try:
            super().finish_request(request, client_address)
        finally:
            if self.tls_context is not None:
                try:
                    request.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        pass  # a client that goes away mid-response is normal here


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wippy-test"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    # --- framing helpers -------------------------------------------------

    def send_body(self, status, body, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_chunked(self, chunks, trailers=None):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        if trailers:
            self.send_header("Trailer", ", ".join(k for k, _ in trailers))
        self.end_headers()
        if self.command == "HEAD":
            return
        for c in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            self.wfile.flush()
        self.wfile.write(b"0\r\n")
        for k, v in trailers or []:
            self.wfile.write(("%s: %s\r\n" % (k, v)).encode())
        self.wfile.write(b"\r\n")

    def read_body(self):
        """The request body, content-length or chunked (trailers dropped)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                if not line.endswith(b"\n"):
                    raise ValueError("bad chunk size line")
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    break
                out += self.rfile.read(size)
                if self.rfile.read(2) != b"\r\n":
                    raise ValueError("chunk not followed by CRLF")
            while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(out)
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    # --- methods ----------------------------------------------------------

    def do_GET(self):
        self.server.stats.served(self.server.name)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        if path == "/hello":
            self.send_body(200, HELLO)
        elif path == "/chunked":
            self.send_chunked([b"chunk one\n", b"chunk two, a bit longer\n", b"3\n",
                               b"x" * 5000 + b"\n", b"last chunk\n"])
        elif path == "/trailers":
            parts = [b"trailer body part %d\n" % i for i in range(4)]
            digest = hashlib.sha256(b"".join(parts)).hexdigest()
            self.send_chunked(parts, [("x-checksum", digest), ("x-count", str(len(parts)))])
        elif path == "/big":
            self.send_big(int(query.get("mb", ["1"])[0]))
        elif path.startswith("/status/"):
            code = int(path[len("/status/"):])
            self.send_body(code, b"status %d\n" % code)
        elif path == "/delay":
            ms = int(query.get("ms", ["0"])[0])
            self.server.stats.enter()
            try:
                time.sleep(ms / 1000.0)
            finally:
                self.server.stats.leave()
            self.send_body(200, b"delayed %d\n" % ms)
        elif path == "/stall":
            self.stall()
        elif path == "/dribble":
            self.dribble()
        elif path == "/headers":
            # The request's x-* headers back (names lower case, in order,
            # repeats kept), and a response header given twice.
            seen = [[k.lower(), v] for k, v in self.headers.items() if k.lower().startswith("x-")]
            body = json.dumps(seen).encode() + b"\n"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Multi", "first")
            self.send_header("X-Multi", "second")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/stats":
            self.send_body(200, json.dumps(self.server.stats.snapshot()).encode() + b"\n",
                           "application/json")
        elif path == "/reset-max":
            self.server.stats.reset_max()
            self.send_body(200, b"ok\n")
        else:
            self.send_body(404, b"no such path\n")

    do_HEAD = do_GET

    def do_POST(self):
        self.server.stats.served(self.server.name)
        if urlsplit(self.path).path != "/echo":
            self.read_body()
            self.send_body(404, b"no such path\n")
            return
        try:
            body = self.read_body()
        except ValueError as err:
            self.close_connection = True
            self.send_body(400, str(err).encode())
            return
        framing = ("chunked" if "chunked" in self.headers.get("Transfer-Encoding", "").lower()
                   else "content-length")
        answer = {"framing": framing, "length": len(body),
                  "sha256": hashlib.sha256(body).hexdigest()}
        self.send_body(200, json.dumps(answer).encode() + b"\n", "application/json")

    def send_big(self, mb):
        total = mb << 20
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        if self.command == "HEAD":
            return
        sent = 0
        while sent < total:
            # The pattern restarts at each block; block sizes are whole
            # periods of 251, so byte i of the body is i mod 251.
            piece = PATTERN[:min(len(PATTERN), total - sent)]
            self.wfile.write(piece)
            sent += len(piece)

    def stall(self):
        # Never answer; wait for the client to hang up.
        self.close_connection = True
        try:
            while self.connection.recv(4096):
                pass
        except OSError:
            pass

    def dribble(self):
        # A valid head that never ends: the status line, then header lines
        # without end, each byte sent on its own ~500 ms apart.
        self.close_connection = True
        def head_bytes():
            yield from b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            n = 0
            while True:
                yield from b"X-Dribble-%d: still coming\r\n" % n
                n += 1
        try:
            for b in head_bytes():
                self.connection.sendall(bytes((b,)))
                time.sleep(0.5)
        except OSError:
            pass


def tls_context(cert_dir, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(cert_dir, name + ".pem"), os.path.join(cert_dir, name + ".key"))
    return ctx


def closed_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: http_server.py CERT_DIR")
    cert_dir = sys.argv[1]
    stats = Stats()
    servers = {
        "http": Server("http", stats, None),
        "https": Server("https", stats, tls_context(cert_dir, "server")),
        "https_untrusted": Server("https_untrusted", stats, tls_context(cert_dir, "untrusted")),
        "https_wrongname": Server("https_wrongname", stats, tls_context(cert_dir, "wrongname")),
    }
    for s in servers.values():
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = {name: s.server_address[1] for name, s in servers.items()}
    ports["closed"] = closed_port()
    sys.stdout.write(json.dumps(ports) + "\n")
    sys.stdout.flush()
    # Live until stdin reaches its end (the test closes it or dies).
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
