// http1_exchange_init.h — net/ internal: what Http1Client::send hands to a
// new Exchange, and the field helpers both use.
#pragma once
#include <memory>
#include <string>

#include "net/http1_client.h"
#include "net/http1_conn.h"
#include "net/http1_pool.h"

namespace wippy::net {

struct Exchange::Init {
  std::shared_ptr<Http1Pool> pool;
  std::unique_ptr<Http1Conn> conn;
  RequestTimeouts timeouts;
  std::string head_bytes;
  std::string scheme, host;
  uint16_t port = 0;
  bool head_request = false;
  bool close_requested = false;
  BodyKind req_kind = BodyKind::none;
  uint64_t req_left = 0;
};

// Field names are tokens and values sendable; trailers may not carry framing fields.
HttpResult<void> check_fields(const HeaderList& h, bool trailers);
// "name: value\r\n" for each field.
void append_fields(std::string& out, const HeaderList& h);

}  // namespace wippy::net
