/* trap.c — prints a line, then traps the way argv[1] names:
     unreachable  an `unreachable` instruction (__builtin_trap)
     recurse      unbounded recursion until the wasm call stack is exhausted
     memory       grows memory until memory.grow fails, then stores past
                  the end (an out-of-bounds trap), never returning normally
   The host must end the run with status 1 and one line on stderr; nothing
   after the trap may print. */
#include <stdint.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

static volatile int sink;

static volatile int keep_going = 1;

// No locals in linear memory (no shadow-stack frame): only the wasm call
// stack grows, so this ends in call-stack exhaustion, not a memory trap.
__attribute__((noinline)) static int recurse(int depth) {
  if (!keep_going) return depth;
  return recurse(depth + 1) * 3 + depth;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "unreachable";
  say(1, "before trap (%s)\n", mode);
  if (!strcmp(mode, "recurse")) {
    sink = recurse(0);
  } else if (!strcmp(mode, "memory")) {
    while (__builtin_wasm_memory_grow(0, 256) != (size_t)-1) {
    }
    size_t end = __builtin_wasm_memory_size(0) * 65536;
    *(volatile char *)(uintptr_t)end = 1;
  } else {
    __builtin_trap();
  }
  say(1, "after trap: the host returned\n");
  return 0;
}
