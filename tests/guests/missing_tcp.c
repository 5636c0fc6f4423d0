/* missing_tcp.c — imports wasi:sockets/tcp (its world is in
   wit/missing_tcp.wit), which wippy does not offer: instantiation must fail
   naming it, so the line below is never printed under wippy. The import is
   called only when an argument is given (never, in the tests). */
#include "cabi_realloc.h"
#include "guest_io.h"

__attribute__((import_module("wasi:sockets/tcp@0.2.12"), import_name("[method]tcp-socket.is-listening")))
extern int tcp_socket_is_listening(int socket);

int main(int argc, char **argv) {
  (void)argv;
  say(1, "missing_tcp started\n");
  if (argc > 1) return tcp_socket_is_listening(argc);
  return 0;
}
