/* http_abi.h — wasi:http 0.2.12 (types, outgoing-handler) declared by hand
   for the raw-ABI C guest http_raw.c: the canonical ABI shapes of the
   variants (method, scheme, header-error, error-code) and of the option /
   result return areas, laid out as CanonicalABI.md says (on wasm32 that is
   C's natural layout: a discriminant, then the payload at the alignment of
   its widest case; error-code's payload sits at 8 because of option<u64>),
   checked by _Static_assert; the imports; and name tables for printing.
   Parameters are the flattened values; results of more than one flat value
   come back through a return area the guest passes last. */
#ifndef WIPPY_GUESTS_HTTP_ABI_H
#define WIPPY_GUESTS_HTTP_ABI_H
#include <stddef.h>
#include <stdint.h>

#include "io_abi.h"

#define HTTP(i) "wasi:http/" i "@0.2.12"

/* ---- plain shapes -------------------------------------------------------- */
typedef struct { const char *ptr; uint32_t len; } str;                    /* string */
typedef struct { const uint8_t *ptr; uint32_t len; } bytes;               /* list<u8> */
typedef struct { bytes *ptr; uint32_t len; } bytes_list;                  /* list<list<u8>> */
typedef struct { str name; bytes value; } field;                          /* tuple<field-name, field-value> */
typedef struct { field *ptr; uint32_t len; } field_list;
typedef struct { uint8_t some; str s; } opt_str;                          /* size 12 */
typedef struct { uint8_t some; uint16_t v; } opt_u16;
typedef struct { uint8_t some; uint8_t v; } opt_u8;
typedef struct { uint8_t some; uint32_t v; } opt_u32;
typedef struct { uint8_t some; uint64_t v; } opt_u64;                     /* size 16, align 8 */

/* ---- variants ------------------------------------------------------------ */
enum { M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_CONNECT, M_OPTIONS, M_TRACE, M_PATCH, M_OTHER };
typedef struct { uint8_t tag; str other; } method;                        /* size 12 */
enum { S_HTTP, S_HTTPS, S_OTHER };
typedef struct { uint8_t tag; str other; } scheme;
typedef struct { uint8_t some; scheme s; } opt_scheme;                    /* size 16 */

static const char *const kHeaderErr[] = {"invalid-syntax", "forbidden", "immutable"};

typedef struct { opt_str name; opt_u32 size; } field_size;                /* size 20 */
typedef struct {
  uint8_t tag;
  union {
    struct { opt_str rcode; opt_u16 info_code; } dns;                     /* DNS-error */
    struct { opt_u8 id; opt_str message; } tls_alert;                     /* TLS-alert-received */
    opt_u64 size64;                                                       /* *-body-size */
    opt_u32 size32;                                                       /* *-section-size */
    struct { uint8_t some; field_size f; } opt_field;                     /* HTTP-request-header-size */
    field_size field;                                                     /* *-trailer-size and the like */
    opt_str text;                                                         /* transfer/content-coding, internal-error */
  } u;
} error_code;
_Static_assert(offsetof(error_code, u) == 8 && sizeof(error_code) == 32, "error-code");

static const char *const kErrorCode[] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout",
    "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
    "HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
    "HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
    "HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
    "HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
    "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
    "internal-error"};
enum { E_DNS_ERROR = 1, E_REQUEST_BODY_SIZE = 17, E_INTERNAL_ERROR = 38 };
_Static_assert(sizeof kErrorCode / sizeof kErrorCode[0] == E_INTERNAL_ERROR + 1, "error-code cases");

static inline const char *error_code_name(const error_code *e) {
  return e->tag < sizeof kErrorCode / sizeof kErrorCode[0] ? kErrorCode[e->tag] : "?";
}
static inline const char *header_error_name(uint8_t e) {
  return e < sizeof kHeaderErr / sizeof kHeaderErr[0] ? kHeaderErr[e] : "?";
}

/* ---- results ------------------------------------------------------------- */
typedef struct { uint8_t is_err; uint8_t err; } res_unit_he;              /* result<_, header-error> */
typedef struct { uint8_t is_err; int32_t handle; } res_own;               /* result<own<T>> / result<own<T>, header-error> */
typedef struct { uint8_t is_err; error_code e; } res_unit_ec;             /* result<_, error-code> */
typedef struct { uint8_t is_err; union { int32_t handle; error_code e; } u; } res_own_ec;
typedef struct { uint8_t some; error_code e; } opt_ec;                    /* option<error-code> */
/* option<result<result<own<incoming-response>, error-code>>> */
typedef struct { uint8_t some; struct { uint8_t is_err; res_own_ec inner; } r; } future_response;
/* option<result<result<option<trailers>, error-code>>> */
typedef struct {
  uint8_t some;
  struct {
    uint8_t is_err;
    struct { uint8_t is_err; union { struct { uint8_t some; int32_t handle; } trailers; error_code e; } u; } inner;
  } r;
} future_trailers;

_Static_assert(sizeof(res_unit_he) == 2, "result<_, header-error>");
_Static_assert(sizeof(res_own) == 8, "result<own>");
_Static_assert(offsetof(res_own_ec, u) == 8 && sizeof(res_own_ec) == 40, "result<own, error-code>");
_Static_assert(offsetof(res_unit_ec, e) == 8 && sizeof(res_unit_ec) == 40, "result<_, error-code>");
_Static_assert(offsetof(future_response, r) == 8 && offsetof(future_response, r.inner) == 16 &&
               offsetof(future_response, r.inner.u) == 24 && sizeof(future_response) == 56,
               "option<result<result<incoming-response, error-code>>>");
_Static_assert(sizeof(future_trailers) == 56 && offsetof(future_trailers, r.inner.u.trailers.handle) == 28,
               "option<result<result<option<trailers>, error-code>>>");
_Static_assert(sizeof(opt_scheme) == 16 && offsetof(opt_scheme, s.other) == 8, "option<scheme>");
_Static_assert(sizeof(opt_u64) == 16, "option<u64>");
_Static_assert(sizeof(field) == 16, "tuple<string, list<u8>>");

/* ---- wasi:http/types ----------------------------------------------------- */
#define T(name) IMPORT(HTTP("types"), name)
T("[constructor]fields") extern int32_t fields_new(void);
T("[static]fields.from-list") extern void fields_from_list(const field *, uint32_t, res_own *);
T("[method]fields.get") extern void fields_get(int32_t, const char *, uint32_t, bytes_list *);
T("[method]fields.has") extern int32_t fields_has(int32_t, const char *, uint32_t);
T("[method]fields.set") extern void fields_set(int32_t, const char *, uint32_t, const bytes *, uint32_t, res_unit_he *);
T("[method]fields.delete") extern void fields_delete(int32_t, const char *, uint32_t, res_unit_he *);
T("[method]fields.append")
extern void fields_append(int32_t, const char *, uint32_t, const uint8_t *, uint32_t, res_unit_he *);
T("[method]fields.entries") extern void fields_entries(int32_t, field_list *);
T("[method]fields.clone") extern int32_t fields_clone(int32_t);
T("[resource-drop]fields") extern void fields_drop(int32_t);

T("[constructor]outgoing-request") extern int32_t request_new(int32_t headers);
T("[method]outgoing-request.body") extern void request_body(int32_t, res_own *);
T("[method]outgoing-request.method") extern void request_method(int32_t, method *);
T("[method]outgoing-request.set-method") extern int32_t request_set_method(int32_t, int32_t, const char *, uint32_t);
T("[method]outgoing-request.path-with-query") extern void request_path(int32_t, opt_str *);
T("[method]outgoing-request.set-path-with-query")
extern int32_t request_set_path(int32_t, int32_t, const char *, uint32_t);
T("[method]outgoing-request.scheme") extern void request_scheme(int32_t, opt_scheme *);
T("[method]outgoing-request.set-scheme")
extern int32_t request_set_scheme(int32_t, int32_t, int32_t, const char *, uint32_t);
T("[method]outgoing-request.authority") extern void request_authority(int32_t, opt_str *);
T("[method]outgoing-request.set-authority")
extern int32_t request_set_authority(int32_t, int32_t, const char *, uint32_t);
T("[method]outgoing-request.headers") extern int32_t request_headers(int32_t);
T("[resource-drop]outgoing-request") extern void request_drop(int32_t);

T("[constructor]request-options") extern int32_t options_new(void);
T("[method]request-options.connect-timeout") extern void options_connect_timeout(int32_t, opt_u64 *);
T("[method]request-options.set-connect-timeout") extern int32_t options_set_connect_timeout(int32_t, int32_t, int64_t);
T("[method]request-options.first-byte-timeout") extern void options_first_byte_timeout(int32_t, opt_u64 *);
T("[method]request-options.set-first-byte-timeout")
extern int32_t options_set_first_byte_timeout(int32_t, int32_t, int64_t);
T("[method]request-options.between-bytes-timeout") extern void options_between_bytes_timeout(int32_t, opt_u64 *);
T("[method]request-options.set-between-bytes-timeout")
extern int32_t options_set_between_bytes_timeout(int32_t, int32_t, int64_t);
T("[resource-drop]request-options") extern void options_drop(int32_t);

T("[method]outgoing-body.write") extern void body_write(int32_t, res_own *);
T("[static]outgoing-body.finish") extern void body_finish(int32_t, int32_t, int32_t, res_unit_ec *);
T("[resource-drop]outgoing-body") extern void body_drop(int32_t);

/* A future resource's imports: future_<c>_subscribe, _get (into its return
   area `type`) and _drop for wasi:http's future-<kebab>. */
#define FUTURE(kebab, c, type)                                                            \
  T("[method]future-" kebab ".subscribe") extern int32_t future_##c##_subscribe(int32_t); \
  T("[method]future-" kebab ".get") extern void future_##c##_get(int32_t, type *);        \
  T("[resource-drop]future-" kebab) extern void future_##c##_drop(int32_t);
FUTURE("incoming-response", response, future_response)

T("[method]incoming-response.status") extern int32_t response_status(int32_t);
T("[method]incoming-response.headers") extern int32_t response_headers(int32_t);
T("[method]incoming-response.consume") extern void response_consume(int32_t, res_own *);
T("[resource-drop]incoming-response") extern void response_drop(int32_t);

T("[method]incoming-body.stream") extern void incoming_body_stream(int32_t, res_own *);
T("[static]incoming-body.finish") extern int32_t incoming_body_finish(int32_t);
T("[resource-drop]incoming-body") extern void incoming_body_drop(int32_t);

FUTURE("trailers", trailers, future_trailers)
#undef FUTURE

T("http-error-code") extern void http_error_code(int32_t io_error, opt_ec *);
#undef T

/* ---- wasi:http/outgoing-handler ------------------------------------------ */
IMPORT(HTTP("outgoing-handler"), "handle") extern void outgoing_handle(int32_t, int32_t, int32_t, res_own_ec *);

#endif
