// http1_exchange_init.h — net/ internal: the field helpers Http1Client::send
// and Exchange both use, with the headers a new Exchange's Init needs.
#pragma once
#include <memory>
#include <string>

#include "net/http1_client.h"
#include "net/http1_conn.h"
#include "net/http1_pool.h"

namespace wippy::net {

// Field names are tokens and values sendable; trailers may not carry framing fields.
HttpResult<void> check_fields(const HeaderList& h, bool trailers);
// "name: value\r\n" for each field.
void append_fields(std::string& out, const HeaderList& h);

}  // namespace wippy::net
