// http_outgoing_handler.cpp — wasi:http/outgoing-handler: handle() checks
// the request (scheme: none means https, anything but http/https is
// HTTP-protocol-error; an authority is required), the grant (the
// authority must match WasiCtx::http.allow_hosts; the connector applies the
// wasi.network rules to every resolved address), then starts an HttpTask
// on the guest's Loop and returns its future at once.
// One Http1Client per instance keeps connections alive across requests;
// its TLS trust is the host's (SSL_CERT_FILE / SSL_CERT_DIR or the system
// store) plus the grant's ca_file, taken on the first https connection
// (plain http never loads it) from WasiCtx::tls_trust (shared, keyed by
// those inputs) or, without one, parsed for this instance alone; a CA load
// that fails is that request's error. Timeouts:
// the request-options' when given, else the grant's defaults. Each request
// in flight holds a slot of the instance's open-files budget (none left:
// connection-limit-reached).
#include <cstdlib>

#include "hostfns/host_util.h"
#include "hostfns/http.h"
#include "hostfns/wasi.h"
#include "interp/quote.h"
#include "net/http_connector.h"
#include "net/tls_config.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::Own;
using component::WitResult;
using component::wit_err;
using component::wit_ok;
using wasihttp::WitErrorCode;

namespace {

using HandleOut = WitResult<Own<FutureIncomingResponse>, WitErrorCode>;

HandleOut refuse(net::HttpErrc code, std::string msg) {
  return HandleOut(wit_err(wasihttp::to_wit(net::http_error(code, std::move(msg)))));
}

std::shared_ptr<net::Http1Client> make_client(const WasiCtx& ctx) {
  net::Http1Options o;
  o.connector = net::grant_connector(ctx.network, ctx.resolver);
  net::TlsTrust trust = net::trust_from_environment([](const char* name) { return std::getenv(name); });
  if (!ctx.http.ca_file.empty()) trust.extra_ca_files.push_back(ctx.http.ca_file);
  o.make_tls = [trust = std::move(trust), cache = ctx.tls_trust]()
      -> net::HttpResult<std::shared_ptr<net::TlsClientConfig>> {
    auto cas = cache ? cache->get(trust) : net::load_ca_set(trust);
    if (!cas) return std::move(cas.error());
    return net::TlsClientConfig::create(std::move(*cas));
  };
  o.limits.max_response_body = ctx.http.max_body_bytes;
  return std::make_shared<net::Http1Client>(std::move(o));
}

}  // namespace

void add_http_outgoing_handler(Linker& linker, const HttpTypes& types) {
  HostInterface inst(linker, wasi_iface("wasi:http/outgoing-handler"));

  inst.func("handle", [types](WasiCtx& ctx, Own<OutgoingRequest> request, std::optional<Own<RequestOptions>> options)
                          -> Result<HandleOut> {
    WasiState& st = ctx.state;
    auto requests = in(ctx, types.outgoing_request);
    auto req_obj = requests.table()->share<OutgoingRequest>(request.rep());
    if (!req_obj) return component::bind_detail::unknown_handle(requests.type(), request.rep());
    requests.table()->drop(request.rep());
    RequestOptions opts;
    if (options) {
      auto o = in(ctx, types.request_options).take(*options);
      if (!o) return o.error();
      opts = **o;
    }
    OutgoingRequest& r = *req_obj;

    std::string scheme = r.scheme ? wasihttp::scheme_text(*r.scheme) : "https";
    if (scheme != "http" && scheme != "https")
      return refuse(net::HttpErrc::http_protocol_error, "unsupported scheme " + quote_input(scheme, 40));
    if (!r.authority) return refuse(net::HttpErrc::http_request_uri_invalid, "the request has no authority");
    auto auth = net::parse_authority(*r.authority, scheme == "https" ? 443 : 80);
    if (!auth) return HandleOut(wit_err(wasihttp::to_wit(auth.error())));
    if (!ctx.http.allows(auth->host, auth->port))
      return refuse(net::HttpErrc::http_request_denied,
                    fmt::format("{}:{} is not in the grant's allow_hosts", quote_input(auth->host, 80), auth->port));
    auto budget = st.open_files.acquire();
    if (!budget) return refuse(net::HttpErrc::connection_limit_reached, "the instance's open-files budget is spent");

    if (!st.http_client) st.http_client = make_client(ctx);  // the grant is final by now
    auto t = std::make_shared<HttpTask>();
    t->client = st.http_client;
    t->budget = std::move(budget);
    t->request.method = wasihttp::method_text(r.method);
    t->request.scheme = scheme;
    t->request.authority = *r.authority;
    t->request.target = r.path_with_query.value_or("/");
    t->request.headers = r.headers;
    t->request.has_body = r.body != nullptr;
    t->body = r.body;
    t->timeouts.connect_ns = opts.connect_ns.value_or(ctx.http.connect_timeout_ns);
    t->timeouts.first_byte_ns = opts.first_byte_ns.value_or(ctx.http.first_byte_timeout_ns);
    t->timeouts.between_bytes_ns = opts.between_bytes_ns.value_or(ctx.http.between_bytes_timeout_ns);
    t->start(t);

    auto ref = std::make_shared<TaskRef>();
    ref->task = std::move(t);
    auto f = std::make_shared<FutureIncomingResponse>();
    f->ref = std::move(ref);
    auto h = in(ctx, types.future_response).add(std::move(f));
    if (!h) return h.error();
    return HandleOut(wit_ok(*h));
  });
}

}  // namespace wippy::hostfns
