#!/usr/bin/env python3
"""http_server_raw.py - the loopback HTTP/1.1 server the http_raw guest talks to.

Started by run_guests.sh for a spec with an `http-server` line. It listens on
127.0.0.1 (a free port), also finds a port nobody listens on (bound, then
closed), prints "PORT CLOSED_PORT" as its first stdout line and serves until
killed. Routes:
  GET  /hello        200, content-length body "hello from the test server\n",
                     header x-wippy-test: hello
  POST|PUT|... /echo 200, the request body echoed back (content-length or
                     chunked request, whose trailers are read too); headers
                     x-request-method, x-request-chunked (yes/no),
                     x-request-echo (the request's x-echo values, joined by
                     ", "), x-request-trailer (its x-trailer trailer value,
                     or "none")
  GET  /trailers     200, chunked body "part one\n" + "part two\n", trailers
                     x-trailer-one: 1 and x-checksum: abc
  GET  /short        200 with content-length 100, then 10 bytes and the
                     connection closed (a body cut short)
  GET  /slow         200 "slow\n" after a 1 s pause
  anything else      404, body "not found\n"
Only the standard library; one thread per connection.
"""
import http.server
import socket
import socketserver
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the guest's transcript is the output
        pass

    def read_body(self):
        """The request body and its trailers (a dict, lower-case names)."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            trailers = {}
            while True:
                line = self.rfile.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                trailers[name.strip().lower()] = value.strip()
            return body, trailers, True
        length = int(self.headers.get("content-length", "0"))
        return self.rfile.read(length), {}, False

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        if self.path == "/hello" and self.command in ("GET", "HEAD"):
            self.reply(200, b"hello from the test server\n", [("x-wippy-test", "hello")])
        elif self.path == "/echo":
            body, trailers, chunked = self.read_body()
            echo = ", ".join(self.headers.get_all("x-echo") or ["none"])
            self.reply(200, body, [
                ("x-request-method", self.command),
                ("x-request-chunked", "yes" if chunked else "no"),
                ("x-request-echo", echo),
                ("x-request-trailer", trailers.get("x-trailer", "none")),
            ])
        elif self.path == "/trailers" and self.command == "GET":
            self.send_response(200)
            self.send_header("transfer-encoding", "chunked")
            self.send_header("trailer", "x-trailer-one, x-checksum")
            self.end_headers()
            for part in (b"part one\n", b"part two\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nx-trailer-one: 1\r\nx-checksum: abc\r\n\r\n")
        elif self.path == "/short" and self.command == "GET":
            self.send_response(200)
            self.send_header("content-length", "100")
            self.end_headers()
            self.wfile.write(b"ten bytes!")
            self.close_connection = True
        elif self.path == "/slow" and self.command == "GET":
            time.sleep(1.0)
            self.reply(200, b"slow\n")
        else:
            self.read_body()
            self.reply(404, b"not found\n")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = route

    def handle_one_request(self):
        # Methods without a do_X (PURGE and the like) are routed too.
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        self.route()
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gives up mid-request (the guest abandons one on
        # purpose) is one line in the log, not a traceback.
        print("request from %s:%d ended: %s" % (client_address[0], client_address[1], sys.exc_info()[1]),
              file=sys.stderr, flush=True)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], closed_port(), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
