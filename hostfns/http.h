// http.h — what hostfns/http_*.cpp share: the objects behind the
// wasi:http/types resources and the request task that runs one outgoing
// request on its own fiber.
// Ownership: an outgoing request handed to outgoing-handler.handle becomes
// an HttpTask, which a fiber of the guest's Loop drives (connect, write the
// head, pump the request body from its RequestBody, read the response head,
// then pump the response body into a bounded buffer). Every guest-side
// object of one request (future-incoming-response, incoming-response,
// incoming-body, its stream, future-trailers) holds a TaskRef; when the last
// goes, the fiber is cancelled and the connection closed. Buffers are
// bounded both ways (kBodyBuffer): a guest that does not read parks the
// pump, a pump that cannot send parks the guest (check-write grants 0).
// Fields: names keep their case and compare case-insensitively; values are
// bytes. Everything belongs to the instance's thread.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "component/bind.h"
#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"
#include "dispatcher/stream.h"
#include "hostfns/http_wit.h"
#include "hostfns/wasi_ctx.h"
#include "net/http1_client.h"

namespace wippy::hostfns {

inline constexpr size_t kBodyBuffer = 64 * 1024;

// A fields resource (headers or trailers).
struct HttpFields {
  net::HeaderList list;
  bool immutable = false;
};

// The request body between the guest (outgoing-body's output-stream) and
// the task's fiber.
struct RequestBody {
  std::string buf;                        // written, not yet sent
  uint64_t written = 0;                   // all bytes the guest wrote
  std::optional<uint64_t> declared;       // the request's content-length
  uint64_t max_bytes = 0;                 // the grant's cap; 0: none
  bool finished = false;                  // outgoing-body.finish succeeded
  bool abandoned = false;                 // dropped without finish, or finish failed
  std::optional<net::HeaderList> trailers;
  bool pumping = false;                   // a task's fiber is sending it
  std::optional<net::HttpError> failed;   // the request failed: writes fail with it
  std::shared_ptr<disp::Event> data = std::make_shared<disp::Event>();             // for the fiber
  std::shared_ptr<disp::Event> space = std::make_shared<disp::Event>(true);        // for the guest
  std::shared_ptr<disp::Event> drained = std::make_shared<disp::Event>();          // `buf` empty (taken) or failed

  void wake_fiber() { data->notify(); }
  // Space changed (written, sent, failed): the guest's pollable is ready
  // when it may write again; `drained` is set when buf is empty or failed.
  void update_space();
};

// outgoing-body: the guest's end of a RequestBody; dropped without finish,
// the request fails.
struct OutgoingBody {
  std::shared_ptr<RequestBody> body;
  bool stream_taken = false;
  ~OutgoingBody();
};

struct RequestOptions {
  std::optional<uint64_t> connect_ns, first_byte_ns, between_bytes_ns;
};

struct OutgoingRequest {
  wasihttp::WitMethod method = component::WitCase<"get">{};
  std::optional<std::string> path_with_query;
  std::optional<wasihttp::WitScheme> scheme;
  std::optional<std::string> authority;
  net::HeaderList headers;
  std::shared_ptr<RequestBody> body;  // made by body(), once
};

// One outgoing request in flight (see the file comment).
struct HttpTask {
  std::shared_ptr<net::Http1Client> client;
  net::Request request;
  net::RequestTimeouts timeouts;
  std::shared_ptr<RequestBody> body;      // null: no body
  std::shared_ptr<const void> budget;     // a slot of the instance's open-files budget
  disp::Loop* loop = nullptr;
  disp::FiberHandle fiber;
  bool running = false;                   // the fiber has not ended

  // future-incoming-response
  std::shared_ptr<disp::Event> head_ready = std::make_shared<disp::Event>();
  std::optional<net::HttpResult<net::ResponseHead>> head;
  bool head_taken = false;

  // The response body, read ahead into `rbuf` (at most kBodyBuffer).
  std::string rbuf;
  size_t rpos = 0;
  bool rdone = false;
  std::optional<net::HttpError> rerror;
  bool discard = false;  // incoming-body.finish: the rest of the body is read and dropped
  std::shared_ptr<disp::Event> rdata = std::make_shared<disp::Event>();   // for the guest
  std::shared_ptr<disp::Event> rspace = std::make_shared<disp::Event>();  // for the fiber

  // future-trailers: set when the body ends.
  std::shared_ptr<disp::Event> trailers_ready = std::make_shared<disp::Event>();
  std::optional<net::HttpResult<net::HeaderList>> trailers;

  // Starts the fiber on the calling thread's Loop; false if there is none
  // or no fiber can be made (the head then holds the error).
  bool start(const std::shared_ptr<HttpTask>& self);
  void cancel();
  size_t buffered() const { return rbuf.size() - rpos; }
};

// Shared by the guest-side objects of one request; the last one cancels it.
struct TaskRef {
  std::shared_ptr<HttpTask> task;
  ~TaskRef() {
    if (task) task->cancel();
  }
};

struct FutureIncomingResponse {
  std::shared_ptr<TaskRef> ref;
};
struct IncomingResponse {
  std::shared_ptr<TaskRef> ref;
  uint16_t status = 0;
  net::HeaderList headers;
  bool consumed = false;
};
struct IncomingBody {
  std::shared_ptr<TaskRef> ref;
  bool stream_taken = false;
};
struct FutureTrailers {
  std::shared_ptr<TaskRef> ref;
  bool taken = false;
};

// The server-side resources (only an incoming handler makes them; this host
// has none, so the guest never holds one, but the types must exist).
struct IncomingRequest {
  wasihttp::WitMethod method = component::WitCase<"get">{};
  std::optional<std::string> path_with_query, authority;
  std::optional<wasihttp::WitScheme> scheme;
  net::HeaderList headers;
};
struct OutgoingResponse {
  uint16_t status = 200;
  net::HeaderList headers;
  std::shared_ptr<RequestBody> body;
};
struct ResponseOutparam {};

// The input-stream of an incoming-body: reads the task's buffer.
class ResponseBodyStream final : public disp::InputStream {
 public:
  explicit ResponseBodyStream(std::shared_ptr<TaskRef> ref) : ref_(std::move(ref)) {}
  Result<disp::StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out) override;
  disp::Pollable subscribe() override;

 private:
  std::shared_ptr<TaskRef> ref_;
};

// The output-stream of an outgoing-body: fills its RequestBody.
class RequestBodyStream final : public disp::OutputStream {
 public:
  explicit RequestBodyStream(std::shared_ptr<RequestBody> body) : body_(std::move(body)) {}
  Result<disp::StreamOutcome> check_write() override;
  Result<disp::StreamOutcome> write(std::span<const uint8_t> bytes) override;
  Result<disp::StreamOutcome> blocking_flush() override;
  disp::Pollable subscribe() override;

 private:
  std::shared_ptr<RequestBody> body_;
};

// The resource types of wasi:http/types, for outgoing-handler.
struct HttpTypes {
  component::HostResource<HttpFields> fields;
  component::HostResource<OutgoingRequest> outgoing_request;
  component::HostResource<RequestOptions> request_options;
  component::HostResource<FutureIncomingResponse> future_response;
};

// Field rules: a token name, a value without CR, LF or NUL, and not one of
// the forbidden names (connection, keep-alive, proxy-*, transfer-encoding,
// upgrade, host, http2-settings: the client frames and routes the request).
bool is_forbidden_field(std::string_view name);

// Registered once per WasiHost (one linker for every instance): each
// function finds the calling instance's WasiCtx through its store
// (component/host_context.h) and its resources on that instance's table.
HttpTypes add_http_types(component::Linker& linker);
void add_http_outgoing_handler(component::Linker& linker, const HttpTypes& types);

}  // namespace wippy::hostfns
