/* capi_test.c — the C API (wippy/wippy.h) from plain C (built as C11 with
   -Wall -Wextra -Werror -pedantic):
     capi_test APP.component.wasm HELLO_CMD.component.wasm SCRATCH_DIR
               EXIT_CODES.component.wasm FS_SLEEP_READ.component.wasm
   core modules from text with core host functions (link errors, typed
   calls, traps, host errors, invalid arguments, deadline, interrupt before
   a call, memory limit, finalizers); a WASI command with args, env, a
   preopened directory and captured stdout; component host functions with
   signature checks; a guest's exit code (run) and Exit error (call); an
   interrupt from another thread ending a guest parked in a WASI sleep.
   Prints "ok: ..." per check, "FAIL: ..." otherwise. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <wippy/wippy.h>

static int failures = 0;
#define CHECK(cond, ...)                         \
  do {                                           \
    if (cond) {                                  \
      printf("ok: " __VA_ARGS__);                \
    } else {                                     \
      printf("FAIL (line %d): ", __LINE__);      \
      printf(__VA_ARGS__);                       \
      ++failures;                                \
    }                                            \
    printf("\n");                                \
  } while (0)

/* Checks that err is an error of `kind` whose message contains `part`; frees it. */
static void expect_error(wippy_error_t *err, wippy_error_kind_t kind, const char *part, const char *what) {
  if (!err) {
    CHECK(0, "%s: expected an error, got success", what);
    return;
  }
  CHECK(wippy_error_kind(err) == kind && strstr(wippy_error_message(err), part) != NULL,
        "%s: kind %d (want %d): %s", what, (int)wippy_error_kind(err), (int)kind, wippy_error_message(err));
  wippy_error_delete(err);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  return buf;
}

/* env.log(i32): records the values it is given. */
struct log { int count; int32_t last; int finalized; };
static wippy_error_t *host_log(void *env, const wippy_val_t *args, size_t nargs, wippy_val_t *results, size_t nres) {
  struct log *l = env;
  (void)results;
  if (nargs != 1 || nres != 0 || args[0].kind != WIPPY_VAL_S32) return wippy_error_new(WIPPY_ERROR_TRAP, "log: bad call");
  l->count++;
  l->last = args[0].of.s32;
  if (l->last == 13) return wippy_error_new(WIPPY_ERROR_TRAP, "log refuses 13");
  return NULL;
}
static void finalize_log(void *env) { ((struct log *)env)->finalized++; }

/* env.twice(i64) -> i64 */
static wippy_error_t *host_twice(void *env, const wippy_val_t *args, size_t nargs, wippy_val_t *results, size_t nres) {
  (void)env, (void)nargs, (void)nres;
  results[0].kind = WIPPY_VAL_S64;
  results[0].of.s64 = args[0].of.s64 * 2;
  return NULL;
}

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"log\" (func $log (param i32)))\n"
    "  (import \"env\" \"twice\" (func $twice (param i64) (result i64)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"add\") (param i32 i32) (result i32)\n"
    "    (call $log (local.get 0)) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"quad\") (param i64) (result i64) (call $twice (call $twice (local.get 0))))\n"
    "  (func (export \"boom\") unreachable)\n"
    "  (func (export \"forever\") (loop $l (br $l)))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))\n";

static void core_tests(wippy_engine_t *engine) {
  wippy_module_t *module = NULL;
  const uint8_t junk[] = {0, 'a', 's', 'm', 9, 0, 0, 0};
  expect_error(wippy_module_new(engine, junk, sizeof junk, &module), WIPPY_ERROR_MALFORMED, "", "module from bad bytes");
  expect_error(wippy_module_new_wat(engine, "(module (func (result i32)))", 28, &module), WIPPY_ERROR_INVALID, "",
               "module failing validation");
  wippy_error_t *err = wippy_module_new_wat(engine, kWat, sizeof kWat - 1, &module);
  CHECK(err == NULL, "module from text");
  if (err) { wippy_error_delete(err); return; }

  struct log log = {0, 0, 0};
  wippy_linker_t *linker = wippy_linker_new(engine);
  wippy_instance_t *inst = NULL;
  expect_error(wippy_linker_instantiate_module(linker, module, NULL, &inst), WIPPY_ERROR_LINK, "env.log",
               "missing core import");
  const wippy_val_kind_t i32[] = {WIPPY_VAL_S32}, i64[] = {WIPPY_VAL_S64};
  err = wippy_linker_define_core_func(linker, "env", "log", i64, 1, NULL, 0, host_log, &log, NULL);
  CHECK(err == NULL, "define env.log with a wrong type");
  err = wippy_linker_define_core_func(linker, "env", "twice", i64, 1, i64, 1, host_twice, NULL, NULL);
  CHECK(err == NULL, "define env.twice");
  expect_error(wippy_linker_instantiate_module(linker, module, NULL, &inst), WIPPY_ERROR_LINK, "env.log",
               "mistyped core import");
  expect_error(wippy_linker_define_core_func(linker, "env", "log", (const wippy_val_kind_t[]){WIPPY_VAL_STRING}, 1,
                                             NULL, 0, host_log, &log, NULL),
               WIPPY_ERROR_INVALID, "S32", "core function with a string parameter");
  err = wippy_linker_define_core_func(linker, "env", "log", i32, 1, NULL, 0, host_log, &log, finalize_log);
  CHECK(err == NULL, "define env.log");

  wippy_limits_t limits = {.memory_bytes = 1u << 20, .timeout_ms = 100};
  err = wippy_linker_instantiate_module(linker, module, &limits, &inst);
  CHECK(err == NULL, "instantiate the module");
  if (err) { wippy_error_delete(err); return; }

  wippy_val_t args[2] = {{.kind = WIPPY_VAL_S32, .of.s32 = 40}, {.kind = WIPPY_VAL_S32, .of.s32 = 2}};
  wippy_val_t out[2];
  size_t n = 0;
  err = wippy_instance_call(inst, "add", args, 2, out, 2, &n);
  CHECK(err == NULL && n == 1 && out[0].kind == WIPPY_VAL_S32 && out[0].of.s32 == 42 && log.count == 1 &&
            log.last == 40, "add(40, 2) = 42 through env.log (n=%zu)", n);
  wippy_val_t big = {.kind = WIPPY_VAL_S64, .of.s64 = 5000000000LL};
  err = wippy_instance_call(inst, "quad", &big, 1, out, 2, &n);
  CHECK(err == NULL && n == 1 && out[0].kind == WIPPY_VAL_S64 && out[0].of.s64 == 20000000000LL,
        "quad(5e9) through env.twice twice");
  char *json = NULL;
  const char *jargs[] = {"7", "8"};
  err = wippy_instance_call_json(inst, "add", jargs, 2, &json);
  CHECK(err == NULL && json && strcmp(json, "15") == 0, "add as JSON: %s", json ? json : "(none)");
  wippy_string_delete(json);

  args[0].of.s32 = 13;
  expect_error(wippy_instance_call(inst, "add", args, 2, out, 2, &n), WIPPY_ERROR_TRAP, "log refuses 13",
               "a host function's error ends the call");
  expect_error(wippy_instance_call(inst, "boom", NULL, 0, out, 2, &n), WIPPY_ERROR_TRAP, "unreachable",
               "a guest trap");
  expect_error(wippy_instance_call(inst, "add", args, 1, out, 2, &n), WIPPY_ERROR_INVALID, "2 arguments",
               "too few arguments");
  wippy_val_t str = wippy_val_string("x", 1);
  args[1] = str;
  expect_error(wippy_instance_call(inst, "add", args, 2, out, 2, &n), WIPPY_ERROR_INVALID, "argument 2",
               "a string for an i32");
  wippy_val_delete(&str);
  expect_error(wippy_instance_call(inst, "nope", NULL, 0, out, 2, &n), WIPPY_ERROR_OTHER, "nope", "no such export");

  double t0 = now_ms();
  expect_error(wippy_instance_call(inst, "forever", NULL, 0, out, 2, &n), WIPPY_ERROR_INTERRUPTED,
               "deadline exceeded", "an endless loop ends at timeout_ms");
  CHECK(now_ms() - t0 >= 100, "the deadline came no earlier than 100 ms (%.0f ms)", now_ms() - t0);

  wippy_interrupt_t *stop = wippy_instance_interrupt_handle(inst);
  wippy_interrupt_trigger(stop);
  args[0].of.s32 = 1, args[1] = (wippy_val_t){.kind = WIPPY_VAL_S32, .of.s32 = 1};
  expect_error(wippy_instance_call(inst, "add", args, 2, out, 2, &n), WIPPY_ERROR_INTERRUPTED, "interrupted",
               "an interrupt requested before the call ends it");
  err = wippy_instance_call(inst, "add", args, 2, out, 2, &n);
  CHECK(err == NULL && n == 1 && out[0].of.s32 == 2, "the next call runs (the request was cleared)");

  wippy_val_t pages = {.kind = WIPPY_VAL_S32, .of.s32 = 1};
  err = wippy_instance_call(inst, "grow", &pages, 1, out, 2, &n);
  CHECK(err == NULL && n == 1 && out[0].of.s32 == 1, "memory.grow(1) within the 1 MiB limit");
  pages.of.s32 = 100;
  err = wippy_instance_call(inst, "grow", &pages, 1, out, 2, &n);
  CHECK(err == NULL && n == 1 && out[0].of.s32 == -1, "memory.grow(100) beyond the limit returns -1");

  wippy_instance_delete(inst);
  wippy_interrupt_trigger(stop);  /* the instance is gone: nothing happens */
  wippy_interrupt_delete(stop);
  CHECK(log.finalized == 0, "the finalizer waits for the linker");
  wippy_linker_delete(linker);
  CHECK(log.finalized == 1, "the finalizer ran once the linker and instances were gone");
  wippy_module_delete(module);
}

static void command_tests(wippy_engine_t *engine, const char *cmd_path, const char *scratch) {
  size_t len = 0;
  unsigned char *bytes = read_file(cmd_path, &len);
  wippy_component_t *cmd = NULL;
  wippy_error_t *err = wippy_component_new(engine, bytes, len, &cmd);
  free(bytes);
  CHECK(err == NULL, "command component from bytes");
  if (err) { wippy_error_delete(err); return; }
  char dir[4096], file[4200];
  snprintf(dir, sizeof dir, "%s/files", scratch);
  mkdir(scratch, 0755);
  mkdir(dir, 0755);
  snprintf(file, sizeof file, "%s/data.txt", dir);
  FILE *f = fopen(file, "w");
  if (f) fputs("x", f), fclose(f);

  wippy_wasi_config_t *wasi = wippy_wasi_config_new();
  wippy_wasi_config_push_arg(wasi, "hello");
  wippy_wasi_config_push_arg(wasi, "api");
  wippy_wasi_config_push_env(wasi, "USER", "nobody");
  wippy_wasi_config_preopen_dir(wasi, dir, "/files", true);
  wippy_linker_t *linker = wippy_linker_new(engine);
  wippy_instance_t *inst = NULL;
  err = wippy_linker_instantiate(linker, cmd, wasi, NULL, &inst);
  CHECK(err == NULL, "instantiate the command");
  if (err) { wippy_error_delete(err); return; }
  int code = -1;
  err = wippy_instance_run(inst, &code);
  CHECK(err == NULL && code == 0, "run: exit code %d", code);
  size_t out_len = 0;
  char *out = wippy_instance_take_stdout(inst, &out_len);
  CHECK(out && strstr(out, "Hello, api! (from hello)") && strstr(out, "/files has data.txt") && strlen(out) == out_len,
        "stdout captured with args and the preopen: %s", out ? out : "(null)");
  wippy_string_delete(out);
  out = wippy_instance_take_stdout(inst, &out_len);
  CHECK(out && out_len == 0, "take_stdout empties the buffer");
  wippy_string_delete(out);
  wippy_instance_delete(inst);

  /* No args: the guest greets $USER from the configured env. */
  wippy_wasi_config_t *bare = wippy_wasi_config_new();
  wippy_wasi_config_push_arg(bare, "hi");
  wippy_wasi_config_push_env(bare, "USER", "env-user");
  err = wippy_linker_instantiate(linker, cmd, bare, NULL, &inst);
  if (!err) err = wippy_instance_run(inst, &code);
  out = err ? NULL : wippy_instance_take_stdout(inst, NULL);
  CHECK(err == NULL && out && strstr(out, "Hello, env-user! (from hi)"), "env reaches the guest: %s",
        out ? out : (err ? wippy_error_message(err) : "(null)"));
  if (err) wippy_error_delete(err);
  wippy_string_delete(out);
  wippy_instance_delete(inst);
  wippy_wasi_config_delete(bare);
  wippy_wasi_config_delete(wasi);
  wippy_linker_delete(linker);
  wippy_component_delete(cmd);
}

static wippy_error_t *greet(void *env, const wippy_val_t *args, size_t nargs, wippy_val_t *results, size_t nres) {
  (void)env, (void)nargs, (void)nres;
  if (args[0].of.str.len == 4 && memcmp(args[0].of.str.ptr, "fail", 4) == 0)
    return wippy_error_new(WIPPY_ERROR_TRAP, "greet does not greet fail");
  results[0] = wippy_val_string(args[0].of.str.ptr, args[0].of.str.len);
  return NULL;
}

static void component_tests(wippy_engine_t *engine, const char *app_path) {
  size_t len = 0;
  unsigned char *bytes = read_file(app_path, &len);
  wippy_component_t *app = NULL;
  expect_error(wippy_component_new(engine, bytes, len / 2, &app), WIPPY_ERROR_MALFORMED, "",
               "a truncated component");
  wippy_error_t *err = wippy_component_new(engine, bytes, len, &app);
  free(bytes);
  CHECK(err == NULL, "app component from bytes");
  if (err) { wippy_error_delete(err); return; }

  wippy_linker_t *linker = wippy_linker_new(engine);
  wippy_instance_t *inst = NULL;
  expect_error(wippy_linker_instantiate(linker, app, NULL, NULL, &inst), WIPPY_ERROR_LINK, "my:app/host",
               "missing host interface");
  const wippy_val_kind_t s32 = WIPPY_VAL_S32, str = WIPPY_VAL_STRING;
  err = wippy_linker_define_func(linker, "my:app/host", "greet", &s32, 1, &str, greet, NULL, NULL);
  CHECK(err == NULL, "define greet with a wrong parameter kind");
  expect_error(wippy_linker_instantiate(linker, app, NULL, NULL, &inst), WIPPY_ERROR_LINK, "parameter 1",
               "mistyped host function");
  err = wippy_linker_define_func(linker, "my:app/host", "greet", &str, 1, &str, greet, NULL, NULL);
  CHECK(err == NULL, "define greet");
  err = wippy_linker_instantiate(linker, app, NULL, NULL, &inst);
  CHECK(err == NULL, "instantiate app");
  if (err) { wippy_error_delete(err); return; }

  static const char req[] = "{\"name\":\"ab\",\"times\":3}";
  wippy_val_t arg = {.kind = WIPPY_VAL_JSON, .of.str = {req, sizeof req - 1}};
  wippy_val_t out;
  size_t n = 0;
  err = wippy_instance_call(inst, "my:app/api#handle", &arg, 1, &out, 1, &n);
  CHECK(err == NULL && n == 1 && out.kind == WIPPY_VAL_STRING && out.of.str.len == 12 &&
            memcmp(out.of.str.ptr, "ab | ab | ab", 12) == 0, "handle with a record argument");
  if (!err) wippy_val_delete(&out);
  static const char bad[] = "{\"name\":\"ab\"}";
  arg.of.str.ptr = bad, arg.of.str.len = sizeof bad - 1;
  expect_error(wippy_instance_call(inst, "my:app/api#handle", &arg, 1, &out, 1, &n), WIPPY_ERROR_INVALID, "times",
               "a record missing a field");
  wippy_val_t name = wippy_val_string("ab", 2);
  expect_error(wippy_instance_call(inst, "my:app/api#handle", &name, 1, &out, 1, &n), WIPPY_ERROR_INVALID,
               "argument 1", "a string for a record");
  wippy_val_delete(&name);
  wippy_val_t cnt = {.kind = WIPPY_VAL_U64, .of.u64 = 1000};
  err = wippy_instance_call(inst, "my:app/api#spin", &cnt, 1, &out, 1, &n);
  CHECK(err == NULL && n == 1 && out.kind == WIPPY_VAL_U64 && out.of.u64 == 1000, "spin(1000) = 1000");
  cnt.kind = WIPPY_VAL_S32, cnt.of.s32 = -1;
  expect_error(wippy_instance_call(inst, "my:app/api#spin", &cnt, 1, &out, 1, &n), WIPPY_ERROR_INVALID, "u64",
               "a negative number for a u64");
  const char *fail_args[] = {"{\"name\":\"fail\",\"times\":1}"};
  char *json = NULL;
  expect_error(wippy_instance_call_json(inst, "my:app/api#handle", fail_args, 1, &json), WIPPY_ERROR_TRAP,
               "greet does not greet fail", "a host function's error ends the component call");
  wippy_instance_delete(inst);
  wippy_linker_delete(linker);
  wippy_component_delete(app);
}

static wippy_component_t *load_component(wippy_engine_t *engine, const char *path) {
  size_t len = 0;
  unsigned char *bytes = read_file(path, &len);
  wippy_component_t *c = NULL;
  wippy_error_t *err = wippy_component_new(engine, bytes, len, &c);
  free(bytes);
  CHECK(err == NULL, "load %s", path);
  if (err) wippy_error_delete(err);
  return c;
}

static void exit_tests(wippy_engine_t *engine, const char *path) {
  wippy_component_t *comp = load_component(engine, path);
  if (!comp) return;
  wippy_wasi_config_t *wasi = wippy_wasi_config_new();
  wippy_wasi_config_push_arg(wasi, "exit_codes");
  wippy_wasi_config_push_arg(wasi, "code");
  wippy_wasi_config_push_arg(wasi, "3");
  wippy_linker_t *linker = wippy_linker_new(engine);
  wippy_instance_t *inst = NULL;
  wippy_error_t *err = wippy_linker_instantiate(linker, comp, wasi, NULL, &inst);
  int code = -1;
  if (!err) err = wippy_instance_run(inst, &code);
  CHECK(err == NULL && code == 3, "run gives the guest's exit code 3 (%d)", code);
  if (err) wippy_error_delete(err);
  wippy_instance_delete(inst);
  inst = NULL;
  err = wippy_linker_instantiate(linker, comp, wasi, NULL, &inst);
  wippy_val_t out;
  size_t n = 0;
  if (!err)
    expect_error(wippy_instance_call(inst, "wasi:cli/run@0.2.0#run", NULL, 0, &out, 1, &n), WIPPY_ERROR_EXIT,
                 "code 3", "wasi:cli/exit in a call is an Exit error");
  else
    wippy_error_delete(err);
  wippy_instance_delete(inst);
  wippy_linker_delete(linker);
  wippy_wasi_config_delete(wasi);
  wippy_component_delete(comp);
}

static void *interrupt_later(void *handle) {
  struct timespec ts = {0, 200 * 1000 * 1000};
  nanosleep(&ts, NULL);
  wippy_interrupt_trigger(handle);
  return NULL;
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[4300];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) fputs(text, f), fclose(f);
}

static void sleep_interrupt_test(wippy_engine_t *engine, const char *path, const char *scratch) {
  wippy_component_t *comp = load_component(engine, path);
  if (!comp) return;
  char in[4096], outdir[4096];
  snprintf(in, sizeof in, "%s/in", scratch);
  snprintf(outdir, sizeof outdir, "%s/out", scratch);
  mkdir(scratch, 0755), mkdir(in, 0755), mkdir(outdir, 0755);
  write_file(in, "a.txt", "aaa");
  write_file(in, "b.txt", "bb");
  wippy_wasi_config_t *wasi = wippy_wasi_config_new();
  wippy_wasi_config_push_arg(wasi, "fs_sleep_read");
  wippy_wasi_config_push_arg(wasi, "napper");
  wippy_wasi_config_push_arg(wasi, "600000"); /* ten minutes */
  wippy_wasi_config_preopen_dir(wasi, in, "/in", true);
  wippy_wasi_config_preopen_dir(wasi, outdir, "/out", false);
  wippy_linker_t *linker = wippy_linker_new(engine);
  wippy_instance_t *inst = NULL;
  wippy_error_t *err = wippy_linker_instantiate(linker, comp, wasi, NULL, &inst);
  CHECK(err == NULL, "instantiate fs_sleep_read");
  if (!err) {
    wippy_interrupt_t *stop = wippy_instance_interrupt_handle(inst);
    pthread_t t;
    double t0 = now_ms();
    pthread_create(&t, NULL, interrupt_later, stop);
    int code = -1;
    expect_error(wippy_instance_run(inst, &code), WIPPY_ERROR_INTERRUPTED, "interrupted",
                 "an interrupt from another thread ends a guest parked in a sleep");
    pthread_join(t, NULL);
    CHECK(now_ms() - t0 >= 200, "not before the interrupt (%.0f ms)", now_ms() - t0);
    wippy_interrupt_delete(stop);
  } else {
    wippy_error_delete(err);
  }
  wippy_instance_delete(inst);
  wippy_linker_delete(linker);
  wippy_wasi_config_delete(wasi);
  wippy_component_delete(comp);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: capi_test APP.component.wasm HELLO_CMD.component.wasm SCRATCH_DIR "
                    "EXIT_CODES.component.wasm FS_SLEEP_READ.component.wasm\n");
    return 2;
  }
  CHECK(strcmp(wippy_version(), WIPPY_VERSION_STRING) == 0, "wippy_version() = %s", wippy_version());
  wippy_engine_t *engine = wippy_engine_new();
  core_tests(engine);
  command_tests(engine, argv[2], argv[3]);
  component_tests(engine, argv[1]);
  exit_tests(engine, argv[4]);
  sleep_interrupt_test(engine, argv[5], argv[3]);
  wippy_engine_delete(engine);
  printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
