/* missing_http.c — imports wasi:http/outgoing-handler (its world is in
   wit/missing_http.wit), which wippy does not offer: instantiation must fail
   naming the wasi:http import, so the line below is never printed under
   wippy. The import is called only when an argument is given (never, in
   the tests). */
#include "cabi_realloc.h"
#include "guest_io.h"

__attribute__((import_module("wasi:http/outgoing-handler@0.2.12"), import_name("handle")))
extern void http_handle(int request, int has_options, int options, int ret_area);

int main(int argc, char **argv) {
  (void)argv;
  say(1, "missing_http started\n");
  if (argc > 1) {
    static int ret[4];
    http_handle(argc, 0, 0, (int)(long)ret);
  }
  return 0;
}
