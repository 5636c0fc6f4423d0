/* stderr_out.c — writes one line to stdout and one to stderr; the spec
   checks each lands on its own stream. */
#include "cabi_realloc.h"
#include "guest_io.h"

int main(void) {
  say(1, "this line goes to stdout\n");
  say(2, "this line goes to stderr\n");
  return 0;
}
