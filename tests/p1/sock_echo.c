// sock_echo.c — a preview1 TCP server on the listening socket the host
// preopened (`wippy-run run --tcplisten`), through wasi-libc's accept,
// recv, send, shutdown, poll, read, write and fstat.
//   sock_echo FD
// FD is the listener (3 with no --dir). A non-blocking accept with no
// client must fail with EAGAIN; then it prints "ready" and serves one
// client: a peek and a read of its line, "echo: LINE" back by send and
// write, shutdown of the sending side, and the end of the client's stream.
// Each check prints "ok"/"FAIL"; exits 0 when all passed, 1 otherwise.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed = 0;

static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) failed++;
}

int main(int argc, char** argv) {
  int lfd = argc > 1 ? atoi(argv[1]) : 3;
  struct stat st;
  check(fstat(lfd, &st) == 0 && S_ISSOCK(st.st_mode), "the listener is a socket");

  int flags = fcntl(lfd, F_GETFL);
  check(fcntl(lfd, F_SETFL, flags | O_NONBLOCK) == 0, "set O_NONBLOCK");
  errno = 0;
  int c = accept(lfd, NULL, NULL);
  check(c < 0 && errno == EAGAIN, "non-blocking accept with no client: EAGAIN");
  check(fcntl(lfd, F_SETFL, flags & ~O_NONBLOCK) == 0, "clear O_NONBLOCK");
  printf("ready\n");
  fflush(stdout);

  c = accept(lfd, NULL, NULL);  // blocks (parks the fiber) until the client comes
  check(c >= 0, "blocking accept");
  if (c < 0) return 1;
  check(fstat(c, &st) == 0 && S_ISSOCK(st.st_mode), "the connection is a socket");
  check(recv(lfd, (char[4]){0}, 4, 0) < 0 && errno == ENOTCONN, "recv on the listener: ENOTCONN");

  struct pollfd p = {.fd = c, .events = POLLIN};
  check(poll(&p, 1, -1) == 1 && (p.revents & POLLIN), "poll: the client's line is readable");

  char peek[4] = {0};
  check(recv(c, peek, 3, MSG_PEEK) == 3, "recv MSG_PEEK 3 bytes");
  char line[256];
  size_t n = 0;
  while (n < sizeof line - 1 && (n == 0 || line[n - 1] != '\n')) {
    ssize_t got = recv(c, line + n, sizeof line - 1 - n, 0);
    if (got <= 0) break;
    n += (size_t)got;
  }
  line[n] = 0;
  check(n > 3 && memcmp(peek, line, 3) == 0, "the peeked bytes are still there");
  printf("got: %s", line);

  const char* head = "echo: ";
  check(send(c, head, strlen(head), 0) == (ssize_t)strlen(head), "send");
  check(write(c, line, n) == (ssize_t)n, "write");
  check(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
  char rest[16];
  check(recv(c, rest, sizeof rest, 0) == 0, "recv after the client closed: 0 (end)");
  check(close(c) == 0, "close");
  check(send(c, "x", 1, 0) < 0 && errno == EBADF, "send on a closed fd: EBADF");
  check(accept(1, NULL, NULL) < 0 && errno == ENOTSOCK, "accept on stdout: ENOTSOCK");
  printf("sock_echo: %d failed\n", failed);
  return failed ? 1 : 0;
}
