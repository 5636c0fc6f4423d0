// http_seeds.cpp — built-in seeds of the http-response and http-chunked
// targets (seeds.h): what a server may send back, valid and hostile.
#include <string>

#include "tests/fuzz/seeds.h"

namespace wippy::fuzz {

void add_builtin_http(Seeds& s) {
  const std::string long_value(9000, 'a');
  const std::string many_fields = [] {
    std::string h;
    for (int i = 0; i < 3000; ++i) h += "X-F" + std::to_string(i) + ": some value here\r\n";
    return h;  // ~78 KiB: past the 64 KiB head limit
  }();
  const std::string many_trailers = [] {
    std::string h;
    for (int i = 0; i < 800; ++i) h += "T" + std::to_string(i) + ": trailer\r\n";
    return h;  // ~12 KiB under a 16 KiB limit; doubled by a mutation, past it
  }();
  s.http_response = {
      // Valid framings.
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
      "5;name=value;q=\"quoted ; str\"\r\nhello\r\n6 \r\n world\r\nA\t;ext\r\n0123456789\r\n"
      "0\r\nX-Sum: 21\r\nX-Other: t\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n",  // HEAD: no body follows
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nthe body runs to the end of the connection",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkeep",
      "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello",
      "HTTP/1.1 200 \xe2\x9c\x93 obs\x80text\r\nX:\t tab value\t\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
      // Malformed heads.
      "HTTP/1.1 200 OK\r\nX-Long: " + long_value + "\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n" + many_fields + "\r\n",
      "HTTP/1.1 200 OK\r\nX-Fold: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
      std::string("HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\nContent-Length: 0\r\n\r\n", 50),
      "HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
      "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
      "HTTP/1.1 200 OK\r\nName : v\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
      "HTTP/2.0 200 OK\r\n\r\n",
      "HTTP/1.1 99 Low\r\n\r\n",
      "HTTP/1.1 600 High\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      // Malformed bodies.
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello, this is longer than three bytes",
      "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\ntruncated",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"open\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 5\r\n fold\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: " + long_value + "\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + many_trailers + "\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + many_trailers + many_trailers +
          "\r\n",
  };
  s.http_chunked = {
      "5\r\nhello\r\n0\r\n\r\n",
      "1;a=b\r\nx\r\n2 ; c=\"d;e\"\r\nyz\r\n0\r\nT: 1\r\nU: 2\r\n\r\n",
      "0000000000000003\r\nabc\r\n0\r\n\r\n",
      "00000000000000003\r\nabc\r\n0\r\n\r\n",
      "FFFFFFFF\r\nshort\r\n",
      "5\r\nhello0\r\n\r\n",
      "5\r\nhello\n0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\nextra bytes after the end",
      "3;" + std::string(9000, 'e') + "\r\nabc\r\n0\r\n\r\n",
      "z\r\n\r\n",
      "",
  };
}

}  // namespace wippy::fuzz
