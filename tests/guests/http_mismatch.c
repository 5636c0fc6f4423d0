/* http_mismatch.c — imports wasi:http/outgoing-handler.handle with a
   signature that differs from the real one (its world, wit/http_mismatch.wit,
   cuts error-code down to one case): wippy must refuse it at link time,
   naming the import and the difference, so the line below is never printed
   under wippy. The import is called only when an argument is given (never,
   in the tests). */
#include "cabi_realloc.h"
#include "guest_io.h"

__attribute__((import_module("wasi:http/outgoing-handler@0.2.12"), import_name("handle")))
extern void http_handle(int request, int has_options, int options, int ret_area);

int main(int argc, char **argv) {
  (void)argv;
  say(1, "http_mismatch started\n");
  if (argc > 1) {
    static int ret[4];
    http_handle(argc, 0, 0, (int)(long)ret);
  }
  return 0;
}
