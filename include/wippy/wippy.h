/* wippy/wippy.h — the C API of wippy: engine, components and core modules
   from bytes, a linker with host functions, instances with a WASI
   configuration and limits, typed and JSON calls, and an interrupt handle
   another thread can trigger. C11 (and C++) clean; for C, cgo, ctypes and
   bindgen. Link with `pkg-config --static --libs wippy` (libwippy is C++:
   link with a C++ driver or add -lstdc++).

   Conventions:
   * Ownership is explicit: every *_new returns an object the caller
     deletes with the matching *_delete (NULL is accepted by every
     *_delete). An object may be deleted while objects made from it live:
     they keep what they need (an instance outlives its linker, component
     and engine).
   * Errors are values: a function that can fail returns wippy_error_t*,
     NULL on success; the caller owns a returned error (wippy_error_delete).
     Out-parameters are written only on success.
   * Strings given to wippy are UTF-8, borrowed for the call; pointer +
     length where they may hold NUL bytes, NUL-terminated elsewhere.
     Strings wippy returns (char*) are NUL-terminated, owned by the caller,
     freed with wippy_string_delete.
   * No C++ exception crosses this API; out of memory is an error value.
   Threads: an engine, component, module and a linker no one modifies may
   be shared by threads. An instance is used by one thread at a time (it may
   change threads between calls); wippy_interrupt_trigger() may be called from any
   thread, at any time, also after the instance is gone. Host functions run
   on the thread making the call. Errors and values are plain data.
   The semantics are those of the C++ API (wippy/engine.h, linker.h,
   instance.h); this header states the C details. */
#ifndef WIPPY_WIPPY_H
#define WIPPY_WIPPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wippy/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wippy_engine wippy_engine_t;
typedef struct wippy_component wippy_component_t;
typedef struct wippy_module wippy_module_t;
typedef struct wippy_linker wippy_linker_t;
typedef struct wippy_wasi_config wippy_wasi_config_t;
typedef struct wippy_instance wippy_instance_t;
typedef struct wippy_interrupt wippy_interrupt_t;
typedef struct wippy_error wippy_error_t;

/* ---- errors ------------------------------------------------------------ */

typedef enum wippy_error_kind {
  WIPPY_ERROR_MALFORMED = 1,  /* bytes or text that do not decode */
  WIPPY_ERROR_INVALID,        /* fails validation; or arguments that do not fit */
  WIPPY_ERROR_LINK,           /* an import nothing provides, or of the wrong type */
  WIPPY_ERROR_INSTANTIATE,    /* instantiation failed */
  WIPPY_ERROR_TRAP,           /* the guest trapped */
  WIPPY_ERROR_EXHAUSTION,     /* stack or memory exhausted */
  WIPPY_ERROR_IO,             /* host I/O failed (files, event loop) */
  WIPPY_ERROR_OTHER,          /* anything else (e.g. no such export) */
  WIPPY_ERROR_INTERRUPTED,    /* deadline passed or wippy_interrupt_trigger() */
  WIPPY_ERROR_EXIT            /* the guest called wasi:cli/exit */
} wippy_error_kind_t;

/* An error to return from a host function (the guest call ends with it). */
wippy_error_t* wippy_error_new(wippy_error_kind_t kind, const char* message);
wippy_error_kind_t wippy_error_kind(const wippy_error_t* err);
/* Valid until the error is deleted. */
const char* wippy_error_message(const wippy_error_t* err);
void wippy_error_delete(wippy_error_t* err);

/* ---- values ------------------------------------------------------------ */

/* A small value: scalars, strings, and any other component value (records,
   lists, variants, options, results, ...) as JSON text, converted by the
   function's declared type (the mapping of wippy/component/val_json.h). */
typedef enum wippy_val_kind {
  WIPPY_VAL_BOOL = 1,
  WIPPY_VAL_S32,  /* also s8, s16; core i32 */
  WIPPY_VAL_U32,  /* also u8, u16 */
  WIPPY_VAL_S64,  /* core i64 */
  WIPPY_VAL_U64,
  WIPPY_VAL_F32,
  WIPPY_VAL_F64,
  WIPPY_VAL_CHAR, /* a Unicode scalar value */
  WIPPY_VAL_STRING,
  WIPPY_VAL_JSON
} wippy_val_kind_t;

typedef struct wippy_val {
  wippy_val_kind_t kind;
  union {
    bool b;
    int32_t s32;
    uint32_t u32;
    int64_t s64;
    uint64_t u64;
    float f32;
    double f64;
    uint32_t ch;
    struct {
      const char* ptr; /* STRING, JSON */
      size_t len;
    } str;
  } of;
} wippy_val_t;

/* A STRING (or JSON) value holding a copy of ptr[0..len): what a host
   function returns; wippy takes ownership of returned values. */
wippy_val_t wippy_val_string(const char* ptr, size_t len);
wippy_val_t wippy_val_json(const char* ptr, size_t len);
/* Frees the storage of a STRING or JSON value wippy returned (call
   results); does nothing for other kinds. */
void wippy_val_delete(wippy_val_t* val);
void wippy_string_delete(char* s);

/* ---- engine, components, modules -------------------------------------- */

wippy_engine_t* wippy_engine_new(void);
void wippy_engine_delete(wippy_engine_t* engine);

wippy_error_t* wippy_component_new(wippy_engine_t* engine, const uint8_t* bytes, size_t len,
                                   wippy_component_t** out);
void wippy_component_delete(wippy_component_t* component);

/* A core module from its binary, or (wippy_module_new_wat) its text. */
wippy_error_t* wippy_module_new(wippy_engine_t* engine, const uint8_t* bytes, size_t len, wippy_module_t** out);
wippy_error_t* wippy_module_new_wat(wippy_engine_t* engine, const char* text, size_t len, wippy_module_t** out);
void wippy_module_delete(wippy_module_t* module);

/* ---- linker and host functions ---------------------------------------- */

/* A host function. args[0..nargs) are borrowed for the call; the function
   writes results[0..nresults) (values it makes with wippy_val_string or
   wippy_val_json become wippy's) and returns NULL, or returns an error
   (wippy takes it) that ends the guest call. */
typedef wippy_error_t* (*wippy_host_func_t)(void* env, const wippy_val_t* args, size_t nargs,
                                            wippy_val_t* results, size_t nresults);
typedef void (*wippy_finalizer_t)(void* env);

wippy_linker_t* wippy_linker_new(wippy_engine_t* engine);
void wippy_linker_delete(wippy_linker_t* linker);

/* Function `name` of component host interface `interface` ("my:app/host").
   params/result use the kinds BOOL .. STRING (result NULL: none); checked
   against the component's declaration at instantiation (WIPPY_ERROR_LINK).
   `finalizer(env)` runs when no linker or instance uses the function any
   more (may be NULL). */
wippy_error_t* wippy_linker_define_func(wippy_linker_t* linker, const char* interface, const char* name,
                                        const wippy_val_kind_t* params, size_t nparams,
                                        const wippy_val_kind_t* result, wippy_host_func_t fn, void* env,
                                        wippy_finalizer_t finalizer);
/* Core import module.name; kinds S32 (i32), S64 (i64), F32, F64. */
wippy_error_t* wippy_linker_define_core_func(wippy_linker_t* linker, const char* module, const char* name,
                                             const wippy_val_kind_t* params, size_t nparams,
                                             const wippy_val_kind_t* results, size_t nresults,
                                             wippy_host_func_t fn, void* env, wippy_finalizer_t finalizer);

/* ---- WASI configuration and limits ------------------------------------ */

/* Default: no args, no env, no preopens, cwd "/", empty stdin, stdout and
   stderr captured (wippy_instance_take_stdout). */
wippy_wasi_config_t* wippy_wasi_config_new(void);
void wippy_wasi_config_delete(wippy_wasi_config_t* config);
void wippy_wasi_config_push_arg(wippy_wasi_config_t* config, const char* arg);
void wippy_wasi_config_push_env(wippy_wasi_config_t* config, const char* name, const char* value);
void wippy_wasi_config_preopen_dir(wippy_wasi_config_t* config, const char* host_path, const char* guest_path,
                                   bool read_only);
void wippy_wasi_config_set_cwd(wippy_wasi_config_t* config, const char* cwd);
void wippy_wasi_config_inherit_stdio(wippy_wasi_config_t* config, bool inherit);
void wippy_wasi_config_set_stdin(wippy_wasi_config_t* config, const char* data, size_t len);

/* 0 means no limit. */
typedef struct wippy_limits {
  uint64_t memory_bytes; /* memories and tables of the instance */
  uint64_t timeout_ms;   /* per call: then WIPPY_ERROR_INTERRUPTED */
  uint32_t max_call_depth;
} wippy_limits_t;

/* ---- instances and calls ---------------------------------------------- */

/* wasi and limits may be NULL (defaults); both are copied. */
wippy_error_t* wippy_linker_instantiate(const wippy_linker_t* linker, const wippy_component_t* component,
                                        const wippy_wasi_config_t* wasi, const wippy_limits_t* limits,
                                        wippy_instance_t** out);
wippy_error_t* wippy_linker_instantiate_module(const wippy_linker_t* linker, const wippy_module_t* module,
                                               const wippy_limits_t* limits, wippy_instance_t** out);
void wippy_instance_delete(wippy_instance_t* instance);

/* Calls export `func` ("my:app/api#handle", or a core export name). Each
   argument is converted by its parameter's type (JSON text for compound
   types). Up to `cap` results are written to results (scalars as their
   kind, strings as STRING, anything else as JSON; free each with
   wippy_val_delete) and their number to *nresults. */
wippy_error_t* wippy_instance_call(wippy_instance_t* instance, const char* func, const wippy_val_t* args,
                                   size_t nargs, wippy_val_t* results, size_t cap, size_t* nresults);
/* Arguments as JSON texts; *result is the result as JSON ("" when none). */
wippy_error_t* wippy_instance_call_json(wippy_instance_t* instance, const char* func, const char* const* args,
                                        size_t nargs, char** result);
/* Runs a command (wasi:cli/run, or a core _start) and gives its exit code. */
wippy_error_t* wippy_instance_run(wippy_instance_t* instance, int* exit_code);
/* What the guest wrote since the last take (when stdio is captured);
   *len (may be NULL) gets the length. */
char* wippy_instance_take_stdout(wippy_instance_t* instance, size_t* len);
char* wippy_instance_take_stderr(wippy_instance_t* instance, size_t* len);

/* A handle that ends the instance's call in progress (or its next call)
   with WIPPY_ERROR_INTERRUPTED. wippy_interrupt_trigger is thread-safe. */
wippy_interrupt_t* wippy_instance_interrupt_handle(const wippy_instance_t* instance);
void wippy_interrupt_trigger(const wippy_interrupt_t* handle);
void wippy_interrupt_delete(wippy_interrupt_t* handle);

/* WIPPY_VERSION_STRING of the library linked. */
const char* wippy_version(void);

#ifdef __cplusplus
}
#endif

#endif /* WIPPY_WIPPY_H */
