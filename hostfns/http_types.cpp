// http_types.cpp — wasi:http/types: fields (with the syntax, forbidden-name
// and immutability rules), outgoing and incoming requests and responses,
// request-options, bodies as wasi:io streams (http_task.cpp), the two
// futures as pollables, response-outparam, and http-error-code.
// Children: headers() of a request or response is an immutable copy, a
// child of its owner's handle; a body's stream is a child of the body, so
// finish() traps while the stream lives (the WIT's rule); a pollable is a
// child of what it watches. The incoming-request and response-outparam
// types exist for the imports to link: this host has no incoming handler,
// so no guest ever holds one.
#include <algorithm>
#include <charconv>

#include "hostfns/bind_names.h"
#include "hostfns/host_util.h"
#include "hostfns/http.h"
#include "hostfns/wasi.h"
#include "net/http1_parse.h"

namespace wippy::hostfns {

using wasihttp::WitErrorCode;
using wasihttp::WitHeaderError;
using wasihttp::WitMethod;
using wasihttp::WitScheme;

namespace {

using Bytes = std::vector<uint8_t>;
using Entry = std::tuple<std::string, Bytes>;
using HeaderResult = WitResult<void, WitHeaderError>;
using Unit = WitResult<void, void>;

constexpr std::string_view kForbidden[] = {"connection",       "keep-alive", "proxy-authenticate",
                                           "proxy-authorization", "proxy-connection", "transfer-encoding",
                                           "upgrade",          "host",       "http2-settings"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view text_of(const Bytes& v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// invalid-syntax or forbidden, if the name or value may not be set.
std::optional<WitHeaderError> field_error(std::string_view name, const Bytes* value) {
  if (!net::is_token(name)) return WitCase<"invalid-syntax">{};
  if (value && !net::is_field_value(text_of(*value))) return WitCase<"invalid-syntax">{};
  if (is_forbidden_field(name)) return WitCase<"forbidden">{};
  return std::nullopt;
}

void erase_name(net::HeaderList& list, std::string_view name) {
  std::erase_if(list, [&](const auto& f) { return net::iequals(f.first, name); });
}

HeaderResult check_mutable(const HttpFields& f) {
  if (f.immutable) return wit_err(WitHeaderError(WitCase<"immutable">{}));
  return wit_ok();
}

std::vector<Entry> entries_of(const net::HeaderList& list) {
  std::vector<Entry> out;
  out.reserve(list.size());
  for (const auto& [n, v] : list) out.emplace_back(n, bytes_of(v));
  return out;
}

// An immutable copy of `list`, a child of handle `parent`.
Result<Own<HttpFields>> child_fields(const HostResource<HttpFields>& fields, const net::HeaderList& list,
                                     uint32_t parent) {
  auto f = std::make_shared<HttpFields>();
  f->list = list;
  f->immutable = true;
  return fields.add(std::move(f), parent);
}

// The object of an own handle the guest hands over; children (an
// immutable headers copy, say) may outlive it.
template <class R>
Result<std::shared_ptr<R>> consume(const HostResource<R>& res, const Own<R>& h) {
  auto obj = res.table()->template share<R>(h.rep());
  if (!obj) return component::bind_detail::unknown_handle(res.type(), h.rep());
  res.table()->drop(h.rep());
  return obj;
}

bool valid_method(const WitMethod& m) { return m.index() != 9 || net::is_token(std::get<9>(m).value); }

bool valid_scheme(const WitScheme& s) {
  if (s.index() != 2) return true;
  const std::string& t = std::get<2>(s).value;
  if (t.empty() || !std::isalpha(static_cast<unsigned char>(t[0]))) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

bool valid_path(const std::string& p) {
  if (p.empty() || p.size() > 16 * 1024) return false;
  return std::all_of(p.begin(), p.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool valid_authority(const std::string& a) { return a.size() <= 1024 && static_cast<bool>(net::parse_authority(a, 80)); }

// The content-length the headers declare, if one valid one does.
std::optional<uint64_t> declared_length(const net::HeaderList& h) {
  for (const auto& [n, v] : h) {
    if (!net::iequals(n, "content-length")) continue;
    uint64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec == std::errc() && end == v.data() + v.size()) return out;
  }
  return std::nullopt;
}

using BodyOut = WitResult<Own<OutgoingBody>, void>;

// outgoing-request.body / outgoing-response.body: the body, once.
Result<BodyOut> take_body(WasiCtx& ctx, const HostResource<OutgoingBody>& bodies, std::shared_ptr<RequestBody>& slot,
                          const net::HeaderList& headers) {
  if (slot) return BodyOut(wit_err());
  slot = std::make_shared<RequestBody>();
  slot->declared = declared_length(headers);
  slot->max_bytes = ctx.http.max_body_bytes;
  auto ob = std::make_shared<OutgoingBody>();
  ob->body = slot;
  auto h = bodies.add(std::move(ob));
  if (!h) return h.error();
  return BodyOut(wit_ok(*h));
}

}  // namespace

bool is_forbidden_field(std::string_view name) {
  return std::any_of(std::begin(kForbidden), std::end(kForbidden), [&](std::string_view f) { return net::iequals(f, name); });
}

HttpTypes add_http_types(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:http/types"));
  HttpTypes out;
  auto fields = out.fields = inst.context_resource<HttpFields, WasiCtx>("fields");
  auto in_req = inst.context_resource<IncomingRequest, WasiCtx>("incoming-request");
  auto out_req = out.outgoing_request = inst.context_resource<OutgoingRequest, WasiCtx>("outgoing-request");
  auto options = out.request_options = inst.context_resource<RequestOptions, WasiCtx>("request-options");
  auto outparam = inst.context_resource<ResponseOutparam, WasiCtx>("response-outparam");
  auto in_resp = inst.context_resource<IncomingResponse, WasiCtx>("incoming-response");
  auto in_body = inst.context_resource<IncomingBody, WasiCtx>("incoming-body");
  auto fut_trailers = inst.context_resource<FutureTrailers, WasiCtx>("future-trailers");
  auto out_resp = inst.context_resource<OutgoingResponse, WasiCtx>("outgoing-response");
  auto out_body = inst.context_resource<OutgoingBody, WasiCtx>("outgoing-body");
  auto fut_resp = out.future_response = inst.context_resource<FutureIncomingResponse, WasiCtx>("future-incoming-response");

  inst.func("http-error-code", [](WasiCtx& ctx, Borrow<> err) -> Result<std::optional<WitErrorCode>> {
    IoError* e = ctx.state.table->get<IoError>(err.rep());
    if (!e) return make_error(ErrorKind::Trap, fmt::format("error: unknown handle (rep {})", err.rep()));
    if (const auto* h = std::any_cast<net::HttpError>(&e->cause)) return std::optional(wasihttp::to_wit(*h));
    return std::optional<WitErrorCode>();
  });

  // ---- fields ----
  inst.func("[constructor]fields", [fields](WasiCtx& ctx) { return in(ctx, fields).emplace(); });
  inst.func("[static]fields.from-list",
            [fields](WasiCtx& ctx, std::vector<Entry> entries) -> Result<WitResult<Own<HttpFields>, WitHeaderError>> {
              using Out = WitResult<Own<HttpFields>, WitHeaderError>;
              auto f = std::make_shared<HttpFields>();
              for (auto& [name, value] : entries) {
                if (auto bad = field_error(name, &value)) return Out(wit_err(*bad));
                f->list.emplace_back(lower(name), std::string(text_of(value)));
              }
              auto h = in(ctx, fields).add(std::move(f));
              if (!h) return h.error();
              return Out(wit_ok(*h));
            });
  inst.func("[method]fields.get", [fields](WasiCtx& ctx, Borrow<HttpFields> self, std::string_view name) -> Result<std::vector<Bytes>> {
    WIPPY_HOST_SELF(obj, fields, self);
    std::vector<Bytes> values;
    for (const auto& [n, v] : obj.list)
      if (net::iequals(n, name)) values.push_back(bytes_of(v));
    return values;
  });
  inst.func("[method]fields.has", [fields](WasiCtx& ctx, Borrow<HttpFields> self, std::string_view name) -> Result<bool> {
    WIPPY_HOST_SELF(obj, fields, self);
    return std::any_of(obj.list.begin(), obj.list.end(), [&](const auto& f) { return net::iequals(f.first, name); });
  });
  inst.func("[method]fields.set",
            [fields](WasiCtx& ctx, Borrow<HttpFields> self, std::string_view name, std::vector<Bytes> values) -> Result<HeaderResult> {
              WIPPY_HOST_SELF(obj, fields, self);
              if (auto m = check_mutable(obj); !m.is_ok()) return m;
              if (auto bad = field_error(name, nullptr)) return HeaderResult(wit_err(*bad));
              for (const Bytes& v : values)
                if (auto bad = field_error(name, &v)) return HeaderResult(wit_err(*bad));
              erase_name(obj.list, name);
              for (const Bytes& v : values) obj.list.emplace_back(lower(name), std::string(text_of(v)));
              return HeaderResult(wit_ok());
            });
  inst.func("[method]fields.delete", [fields](WasiCtx& ctx, Borrow<HttpFields> self, std::string_view name) -> Result<HeaderResult> {
    WIPPY_HOST_SELF(obj, fields, self);
    if (auto m = check_mutable(obj); !m.is_ok()) return m;
    if (auto bad = field_error(name, nullptr)) return HeaderResult(wit_err(*bad));
    erase_name(obj.list, name);
    return HeaderResult(wit_ok());
  });
  inst.func("[method]fields.append",
            [fields](WasiCtx& ctx, Borrow<HttpFields> self, std::string_view name, Bytes value) -> Result<HeaderResult> {
              WIPPY_HOST_SELF(obj, fields, self);
              if (auto m = check_mutable(obj); !m.is_ok()) return m;
              if (auto bad = field_error(name, &value)) return HeaderResult(wit_err(*bad));
              obj.list.emplace_back(lower(name), std::string(text_of(value)));
              return HeaderResult(wit_ok());
            });
  inst.func("[method]fields.entries", [fields](WasiCtx& ctx, Borrow<HttpFields> self) -> Result<std::vector<Entry>> {
    WIPPY_HOST_SELF(obj, fields, self);
    return entries_of(obj.list);
  });
  inst.func("[method]fields.clone", [fields](WasiCtx& ctx, Borrow<HttpFields> self) -> Result<Own<HttpFields>> {
    WIPPY_HOST_SELF(obj, fields, self);
    auto copy = std::make_shared<HttpFields>();
    copy->list = obj.list;  // a clone is mutable
    return in(ctx, fields).add(std::move(copy));
  });

  // ---- incoming-request (server side: never held by a guest of this host) ----
  inst.func("[method]incoming-request.method", [in_req](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<WitMethod> {
    WIPPY_HOST_SELF(obj, in_req, self);
    return obj.method;
  });
  inst.func("[method]incoming-request.path-with-query",
            [in_req](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<std::optional<std::string>> {
              WIPPY_HOST_SELF(obj, in_req, self);
              return obj.path_with_query;
            });
  inst.func("[method]incoming-request.scheme", [in_req](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<std::optional<WitScheme>> {
    WIPPY_HOST_SELF(obj, in_req, self);
    return obj.scheme;
  });
  inst.func("[method]incoming-request.authority",
            [in_req](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<std::optional<std::string>> {
              WIPPY_HOST_SELF(obj, in_req, self);
              return obj.authority;
            });
  inst.func("[method]incoming-request.headers", [in_req, fields](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<Own<HttpFields>> {
    WIPPY_HOST_SELF(obj, in_req, self);
    return child_fields(in(ctx, fields), obj.headers, self.rep());
  });
  inst.func("[method]incoming-request.consume",
            [in_req](WasiCtx& ctx, Borrow<IncomingRequest> self) -> Result<WitResult<Own<IncomingBody>, void>> {
              WIPPY_HOST_SELF(obj, in_req, self);
              (void)obj;
              return WitResult<Own<IncomingBody>, void>(wit_err());  // no incoming handler: no body source
            });

  // ---- outgoing-request ----
  inst.func("[constructor]outgoing-request", [out_req, fields](WasiCtx& ctx, Own<HttpFields> headers) -> Result<Own<OutgoingRequest>> {
    auto h = consume(in(ctx, fields), headers);
    if (!h) return h.error();
    auto r = std::make_shared<OutgoingRequest>();
    r->headers = (*h)->list;
    return in(ctx, out_req).add(std::move(r));
  });
  inst.func("[method]outgoing-request.body", [out_req, out_body](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<BodyOut> {
    WIPPY_HOST_SELF(obj, out_req, self);
    return take_body(ctx, in(ctx, out_body), obj.body, obj.headers);
  });
  inst.func("[method]outgoing-request.method", [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<WitMethod> {
    WIPPY_HOST_SELF(obj, out_req, self);
    return obj.method;
  });
  inst.func("[method]outgoing-request.set-method", [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self, WitMethod m) -> Result<Unit> {
    WIPPY_HOST_SELF(obj, out_req, self);
    if (!valid_method(m)) return Unit(wit_err());
    obj.method = std::move(m);
    return Unit(wit_ok());
  });
  inst.func("[method]outgoing-request.path-with-query",
            [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<std::optional<std::string>> {
              WIPPY_HOST_SELF(obj, out_req, self);
              return obj.path_with_query;
            });
  inst.func("[method]outgoing-request.set-path-with-query",
            [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self, std::optional<std::string> p) -> Result<Unit> {
              WIPPY_HOST_SELF(obj, out_req, self);
              if (p && !valid_path(*p)) return Unit(wit_err());
              obj.path_with_query = std::move(p);
              return Unit(wit_ok());
            });
  inst.func("[method]outgoing-request.scheme", [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<std::optional<WitScheme>> {
    WIPPY_HOST_SELF(obj, out_req, self);
    return obj.scheme;
  });
  inst.func("[method]outgoing-request.set-scheme",
            [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self, std::optional<WitScheme> s) -> Result<Unit> {
              WIPPY_HOST_SELF(obj, out_req, self);
              if (s && !valid_scheme(*s)) return Unit(wit_err());
              obj.scheme = std::move(s);
              return Unit(wit_ok());
            });
  inst.func("[method]outgoing-request.authority",
            [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<std::optional<std::string>> {
              WIPPY_HOST_SELF(obj, out_req, self);
              return obj.authority;
            });
  inst.func("[method]outgoing-request.set-authority",
            [out_req](WasiCtx& ctx, Borrow<OutgoingRequest> self, std::optional<std::string> a) -> Result<Unit> {
              WIPPY_HOST_SELF(obj, out_req, self);
              if (a && !valid_authority(*a)) return Unit(wit_err());
              obj.authority = std::move(a);
              return Unit(wit_ok());
            });
  inst.func("[method]outgoing-request.headers", [out_req, fields](WasiCtx& ctx, Borrow<OutgoingRequest> self) -> Result<Own<HttpFields>> {
    WIPPY_HOST_SELF(obj, out_req, self);
    return child_fields(in(ctx, fields), obj.headers, self.rep());
  });

  // ---- request-options ----
  inst.func("[constructor]request-options", [options](WasiCtx& ctx) { return in(ctx, options).emplace(); });
#define HTTP_OPTION(name, member)                                                                              \
  inst.func("[method]request-options." name, [options](WasiCtx& ctx, Borrow<RequestOptions> self) -> Result<std::optional<uint64_t>> { \
    WIPPY_HOST_SELF(obj, options, self);                                                                                       \
    return obj.member;                                                                                         \
  });                                                                                                          \
  inst.func("[method]request-options.set-" name,                                                               \
            [options](WasiCtx& ctx, Borrow<RequestOptions> self, std::optional<uint64_t> d) -> Result<Unit> {                \
              WIPPY_HOST_SELF(obj, options, self);                                                                             \
              obj.member = d;                                                                                  \
              return Unit(wit_ok());                                                                           \
            });
  HTTP_OPTION("connect-timeout", connect_ns)
  HTTP_OPTION("first-byte-timeout", first_byte_ns)
  HTTP_OPTION("between-bytes-timeout", between_bytes_ns)
#undef HTTP_OPTION

  // ---- response-outparam (server side) ----
  inst.func("[static]response-outparam.set",
            [outparam, out_resp](WasiCtx& ctx, Own<ResponseOutparam> param, WitResult<Own<OutgoingResponse>, WitErrorCode> response)
                -> Result<void> {
              auto p = consume(in(ctx, outparam), param);
              if (!p) return p.error();
              if (response.is_ok())
                if (auto r = consume(in(ctx, out_resp), response.value()); !r) return r.error();
              return {};
            });

  // ---- incoming-response ----
  inst.func("[method]incoming-response.status", [in_resp](WasiCtx& ctx, Borrow<IncomingResponse> self) -> Result<uint16_t> {
    WIPPY_HOST_SELF(obj, in_resp, self);
    return obj.status;
  });
  inst.func("[method]incoming-response.headers", [in_resp, fields](WasiCtx& ctx, Borrow<IncomingResponse> self) -> Result<Own<HttpFields>> {
    WIPPY_HOST_SELF(obj, in_resp, self);
    return child_fields(in(ctx, fields), obj.headers, self.rep());
  });
  inst.func("[method]incoming-response.consume",
            [in_resp, in_body](WasiCtx& ctx, Borrow<IncomingResponse> self) -> Result<WitResult<Own<IncomingBody>, void>> {
              using Out = WitResult<Own<IncomingBody>, void>;
              WIPPY_HOST_SELF(obj, in_resp, self);
              if (obj.consumed) return Out(wit_err());
              obj.consumed = true;
              auto b = std::make_shared<IncomingBody>();
              b->ref = obj.ref;
              auto h = in(ctx, in_body).add(std::move(b));
              if (!h) return h.error();
              return Out(wit_ok(*h));
            });

  // ---- incoming-body ----
  inst.func("[method]incoming-body.stream", [in_body](WasiCtx& ctx, Borrow<IncomingBody> self) -> Result<WitResult<Own<>, void>> {
    using Out = WitResult<Own<>, void>;
    WIPPY_HOST_SELF(obj, in_body, self);
    if (obj.stream_taken) return Out(wit_err());
    obj.stream_taken = true;
    auto s = new_input_stream(ctx.state, std::make_shared<ResponseBodyStream>(obj.ref), self.rep());
    if (!s) return s.error();
    return Out(wit_ok(Own<>(ctx.state.types.input_stream, s->rep())));
  });
  inst.func("[static]incoming-body.finish", [in_body, fut_trailers](WasiCtx& ctx, Own<IncomingBody> self) -> Result<Own<FutureTrailers>> {
    auto b = in(ctx, in_body).take(self);  // traps while its stream lives
    if (!b) return b.error();
    HttpTask& t = *(*b)->ref->task;
    t.discard = true;
    t.rbuf.clear();
    t.rpos = 0;
    t.rspace->notify();
    auto f = std::make_shared<FutureTrailers>();
    f->ref = (*b)->ref;
    return in(ctx, fut_trailers).add(std::move(f));
  });

  // ---- future-trailers ----
  using TrailersOut = std::optional<WitResult<WitResult<std::optional<Own<HttpFields>>, WitErrorCode>, void>>;
  inst.func("[method]future-trailers.subscribe", [fut_trailers](WasiCtx& ctx, Borrow<FutureTrailers> self) -> Result<component::Val> {
    WIPPY_HOST_SELF(obj, fut_trailers, self);
    return new_pollable(ctx.state, disp::Pollable::on(obj.ref->task->trailers_ready), self.rep());
  });
  inst.func("[method]future-trailers.get", [fut_trailers, fields](WasiCtx& ctx, Borrow<FutureTrailers> self) -> Result<TrailersOut> {
    using Inner = WitResult<std::optional<Own<HttpFields>>, WitErrorCode>;
    WIPPY_HOST_SELF(obj, fut_trailers, self);
    HttpTask& t = *obj.ref->task;
    if (!t.trailers) return TrailersOut();
    if (obj.taken) return TrailersOut(wit_err());
    obj.taken = true;
    if (!*t.trailers) return TrailersOut(wit_ok(Inner(wit_err(wasihttp::to_wit(t.trailers->error())))));
    if ((*t.trailers)->empty()) return TrailersOut(wit_ok(Inner(wit_ok(std::optional<Own<HttpFields>>()))));
    auto f = std::make_shared<HttpFields>();
    f->list = **t.trailers;
    for (auto& [n, v] : f->list) n = lower(n);  // the guest's own copy: mutable, as wasmtime's
    auto h = in(ctx, fields).add(std::move(f));
    if (!h) return h.error();
    return TrailersOut(wit_ok(Inner(wit_ok(std::optional<Own<HttpFields>>(*h)))));
  });

  // ---- outgoing-response (server side) ----
  inst.func("[constructor]outgoing-response", [out_resp, fields](WasiCtx& ctx, Own<HttpFields> headers) -> Result<Own<OutgoingResponse>> {
    auto h = consume(in(ctx, fields), headers);
    if (!h) return h.error();
    auto r = std::make_shared<OutgoingResponse>();
    r->headers = (*h)->list;
    return in(ctx, out_resp).add(std::move(r));
  });
  inst.func("[method]outgoing-response.status-code", [out_resp](WasiCtx& ctx, Borrow<OutgoingResponse> self) -> Result<uint16_t> {
    WIPPY_HOST_SELF(obj, out_resp, self);
    return obj.status;
  });
  inst.func("[method]outgoing-response.set-status-code",
            [out_resp](WasiCtx& ctx, Borrow<OutgoingResponse> self, uint16_t code) -> Result<Unit> {
              WIPPY_HOST_SELF(obj, out_resp, self);
              if (code < 100 || code > 599) return Unit(wit_err());
              obj.status = code;
              return Unit(wit_ok());
            });
  inst.func("[method]outgoing-response.headers", [out_resp, fields](WasiCtx& ctx, Borrow<OutgoingResponse> self) -> Result<Own<HttpFields>> {
    WIPPY_HOST_SELF(obj, out_resp, self);
    return child_fields(in(ctx, fields), obj.headers, self.rep());
  });
  inst.func("[method]outgoing-response.body", [out_resp, out_body](WasiCtx& ctx, Borrow<OutgoingResponse> self) -> Result<BodyOut> {
    WIPPY_HOST_SELF(obj, out_resp, self);
    return take_body(ctx, in(ctx, out_body), obj.body, obj.headers);
  });

  // ---- outgoing-body ----
  inst.func("[method]outgoing-body.write", [out_body](WasiCtx& ctx, Borrow<OutgoingBody> self) -> Result<WitResult<Own<>, void>> {
    using Out = WitResult<Own<>, void>;
    WIPPY_HOST_SELF(obj, out_body, self);
    if (obj.stream_taken) return Out(wit_err());
    obj.stream_taken = true;
    auto s = new_output_stream(ctx.state, std::make_shared<RequestBodyStream>(obj.body), self.rep());
    if (!s) return s.error();
    return Out(wit_ok(Own<>(ctx.state.types.output_stream, s->rep())));
  });
  inst.func("[static]outgoing-body.finish",
            [out_body, fields](WasiCtx& ctx, Own<OutgoingBody> self, std::optional<Own<HttpFields>> trailers)
                -> Result<WitResult<void, WitErrorCode>> {
              using Out = WitResult<void, WitErrorCode>;
              auto ob = in(ctx, out_body).take(self);  // traps while its stream lives
              if (!ob) return ob.error();
              std::optional<net::HeaderList> tl;
              if (trailers) {
                auto t = consume(in(ctx, fields), *trailers);
                if (!t) return t.error();
                tl = (*t)->list;
              }
              RequestBody& b = *(*ob)->body;
              if (b.failed) {
                b.abandoned = true;
                return Out(wit_err(wasihttp::to_wit(*b.failed)));
              }
              if (b.declared && b.written != *b.declared) {
                net::HttpError e = net::http_error(net::HttpErrc::http_request_body_size,
                                                   "the body is shorter than its content-length");
                e.size = b.written;
                b.failed = e;
                b.abandoned = true;
                b.wake_fiber();
                return Out(wit_err(wasihttp::to_wit(e)));
              }
              b.trailers = std::move(tl);
              b.finished = true;
              b.wake_fiber();
              return Out(wit_ok());
            });

  // ---- future-incoming-response ----
  using ResponseOut = std::optional<WitResult<WitResult<Own<IncomingResponse>, WitErrorCode>, void>>;
  inst.func("[method]future-incoming-response.subscribe",
            [fut_resp](WasiCtx& ctx, Borrow<FutureIncomingResponse> self) -> Result<component::Val> {
              WIPPY_HOST_SELF(obj, fut_resp, self);
              return new_pollable(ctx.state, disp::Pollable::on(obj.ref->task->head_ready), self.rep());
            });
  inst.func("[method]future-incoming-response.get",
            [fut_resp, in_resp](WasiCtx& ctx, Borrow<FutureIncomingResponse> self) -> Result<ResponseOut> {
              using Inner = WitResult<Own<IncomingResponse>, WitErrorCode>;
              WIPPY_HOST_SELF(obj, fut_resp, self);
              HttpTask& t = *obj.ref->task;
              if (!t.head) return ResponseOut();
              if (t.head_taken) return ResponseOut(wit_err());
              t.head_taken = true;
              if (!*t.head) return ResponseOut(wit_ok(Inner(wit_err(wasihttp::to_wit(t.head->error())))));
              auto r = std::make_shared<IncomingResponse>();
              r->ref = obj.ref;
              r->status = (*t.head)->status;
              r->headers = (*t.head)->headers;
              for (auto& [n, v] : r->headers) n = lower(n);
              auto h = in(ctx, in_resp).add(std::move(r));
              if (!h) return h.error();
              return ResponseOut(wit_ok(Inner(wit_ok(*h))));
            });
  return out;
}

}  // namespace wippy::hostfns
