// http1_pool.h — net/ internal: the keep-alive pool and connection opening
// shared by Http1Client and its Exchanges (see http1_client.h for the rules).
#pragma once
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "net/http1_client.h"
#include "net/http1_conn.h"

namespace wippy::net {

struct Http1Pool {
  explicit Http1Pool(Http1Options o) : opts(std::move(o)) {}
  ~Http1Pool();

  // An idle connection for key that is still usable, or nullptr.
  std::unique_ptr<Http1Conn> take(const std::string& key);
  void put(std::unique_ptr<Http1Conn> c);
  void prune();
  HttpResult<std::unique_ptr<Http1Conn>> open(const std::string& scheme, const std::string& host, uint16_t port,
                                              const std::string& key, uint64_t connect_ns);

  Http1Options opts;
  std::map<std::string, std::deque<std::unique_ptr<Http1Conn>>> idle;
  size_t idle_total = 0;
  uint64_t opened = 0;
};

}  // namespace wippy::net
