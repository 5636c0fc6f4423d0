/* host_c.c — the C API (wippy/wippy.h) in one program:
     app-host-c APP.component.wasm
   loads the component from bytes, provides the host interface my:app/host
   (greet: string -> string), calls my:app/api#handle with a record (as a
   typed call whose record argument is JSON, and as a JSON call), then
   starts the runaway my:app/api#spin and interrupts it from another
   thread. Prints the same lines as host.cpp. Compiles as C11 with
   -Wall -Werror. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, pthreads */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wippy/wippy.h>

static int fail(const char *what, wippy_error_t *err) {
  fprintf(stderr, "%s: %s\n", what, wippy_error_message(err));
  wippy_error_delete(err);
  return 1;
}

/* my:app/host#greet: "hello, " + name. */
static wippy_error_t *greet(void *env, const wippy_val_t *args, size_t nargs, wippy_val_t *results,
                            size_t nresults) {
  const char *prefix = env;
  if (nargs != 1 || nresults != 1) return wippy_error_new(WIPPY_ERROR_TRAP, "greet: bad arity");
  size_t n = strlen(prefix) + args[0].of.str.len;
  char *buf = malloc(n);
  if (!buf) return wippy_error_new(WIPPY_ERROR_TRAP, "greet: out of memory");
  memcpy(buf, prefix, strlen(prefix));
  memcpy(buf + strlen(prefix), args[0].of.str.ptr, args[0].of.str.len);
  results[0] = wippy_val_string(buf, n);
  free(buf);
  return NULL;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      unsigned char *grown = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!grown) break;
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  fclose(f);
  *len = n;
  return buf;
}

static void *stopper(void *handle) {
  struct timespec ts = {0, 200 * 1000 * 1000};
  nanosleep(&ts, NULL);
  wippy_interrupt_trigger(handle);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: app-host-c APP.component.wasm\n");
    return 2;
  }
  size_t len = 0;
  unsigned char *bytes = read_file(argv[1], &len);
  if (!bytes) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }

  wippy_engine_t *engine = wippy_engine_new();
  wippy_component_t *component = NULL;
  wippy_error_t *err = wippy_component_new(engine, bytes, len, &component);
  free(bytes);
  if (err) return fail("load", err);

  wippy_linker_t *linker = wippy_linker_new(engine);
  const wippy_val_kind_t params[] = {WIPPY_VAL_STRING};
  const wippy_val_kind_t result = WIPPY_VAL_STRING;
  err = wippy_linker_define_func(linker, "my:app/host", "greet", params, 1, &result, greet, "hello, ", NULL);
  if (err) return fail("define", err);

  wippy_wasi_config_t *wasi = wippy_wasi_config_new();
  wippy_wasi_config_push_arg(wasi, "app");
  wippy_limits_t limits = {.memory_bytes = 64u << 20};
  wippy_instance_t *inst = NULL;
  err = wippy_linker_instantiate(linker, component, wasi, &limits, &inst);
  wippy_wasi_config_delete(wasi);
  if (err) return fail("instantiate", err);

  /* A typed call: the record argument as JSON, the string result as STRING. */
  static const char req[] = "{\"name\":\"wippy\",\"times\":2}";
  wippy_val_t arg = {.kind = WIPPY_VAL_JSON, .of.str = {req, sizeof req - 1}};
  wippy_val_t out;
  size_t nout = 0;
  err = wippy_instance_call(inst, "my:app/api#handle", &arg, 1, &out, 1, &nout);
  if (err) return fail("handle", err);
  if (nout != 1 || out.kind != WIPPY_VAL_STRING) {
    fprintf(stderr, "handle: unexpected result\n");
    return 1;
  }
  printf("handle: %.*s\n", (int)out.of.str.len, out.of.str.ptr);
  wippy_val_delete(&out);

  /* The same call with JSON in and out. */
  const char *json_args[] = {"{\"name\":\"json\",\"times\":1}"};
  char *json = NULL;
  err = wippy_instance_call_json(inst, "my:app/api#handle", json_args, 1, &json);
  if (err) return fail("handle (json)", err);
  printf("handle json: %s\n", json);
  wippy_string_delete(json);

  /* A runaway call, interrupted from another thread. */
  wippy_interrupt_t *stop = wippy_instance_interrupt_handle(inst);
  pthread_t thread;
  if (pthread_create(&thread, NULL, stopper, stop) != 0) return 1;
  wippy_val_t forever = {.kind = WIPPY_VAL_U64, .of.u64 = 0};
  err = wippy_instance_call(inst, "my:app/api#spin", &forever, 1, &out, 1, &nout);
  pthread_join(thread, NULL);
  if (!err) {
    fprintf(stderr, "spin returned: it was not interrupted\n");
    return 1;
  }
  printf("spin: %s: %s\n", wippy_error_kind(err) == WIPPY_ERROR_INTERRUPTED ? "interrupted" : "other",
         wippy_error_message(err));
  wippy_error_delete(err);

  wippy_interrupt_delete(stop);
  wippy_instance_delete(inst);
  wippy_linker_delete(linker);
  wippy_component_delete(component);
  wippy_engine_delete(engine);
  return 0;
}
