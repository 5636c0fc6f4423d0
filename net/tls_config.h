// tls_config.h — what a TLS client trusts, and the mbedTLS client setup.
// Contract:
//  * TlsTrust names the CA sources. trust_from_environment() builds it once
//    from the host's SSL_CERT_FILE / SSL_CERT_DIR (as OpenSSL, curl and Go
//    read them): when either is set and non-empty they replace the system
//    store /etc/ssl/certs/ca-certificates.crt; SSL_CERT_DIR may list several
//    directories separated by ':'. The lookup function is passed in, so
//    nothing here reads process state behind the caller's back.
//  * extra_ca_files (e.g. a registry's wasi.http.ca_file) are trusted in
//    addition to the above.
//  * TlsClientConfig::create loads every source; a named file or directory
//    that yields no certificate is a configuration-error (never a silent
//    "trust nothing" or "trust anything"). Peers are always verified: there
//    is no switch to turn verification off.
//  * load_ca_set() parses the sources into a TlsCaSet, which is immutable
//    once loaded and may be shared by clients on any thread.
//  * TlsTrustCache shares CA sets between clients (e.g. every guest
//    instance of a Runtime): keyed by the trust inputs, an entry is reused
//    while each named file and directory keeps its device, inode, size and
//    modification time, and loaded again when one changes (a rotated CA
//    bundle is picked up by the next client). Thread-safe. A failed load is
//    not cached. Sets are shared across threads when mbedTLS is built with
//    MBEDTLS_THREADING_C (see tls_config.cpp), else kept per thread.
//  * A TlsClientConfig holds an mbedTLS RNG and is not thread-safe: use one
//    per dispatcher thread. It must outlive every TlsTransport made from it
//    (they hold a shared_ptr).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_error.h"

namespace wippy::net {

inline constexpr const char* kSystemCaFile = "/etc/ssl/certs/ca-certificates.crt";

struct TlsTrust {
  std::vector<std::string> ca_files;
  std::vector<std::string> ca_dirs;
  std::vector<std::string> extra_ca_files;
};

using EnvLookup = std::function<const char*(const char*)>;
TlsTrust trust_from_environment(const EnvLookup& getenv_fn);

struct TlsCaSet;  // the parsed certificates (tls_impl.h)
HttpResult<std::shared_ptr<const TlsCaSet>> load_ca_set(const TlsTrust& trust);

class TlsTrustCache {
 public:
  HttpResult<std::shared_ptr<const TlsCaSet>> get(const TlsTrust& trust);
  size_t loads() const;  // CA sets parsed so far (each get that did not reuse one)

 private:
  struct Entry {
    std::string stamp;  // the sources' identities and times when loaded
    std::shared_ptr<const TlsCaSet> set;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by the trust inputs
  size_t loads_ = 0;
};

class TlsClientConfig {
 public:
  static HttpResult<std::shared_ptr<TlsClientConfig>> create(const TlsTrust& trust);
  static HttpResult<std::shared_ptr<TlsClientConfig>> create(std::shared_ptr<const TlsCaSet> cas);
  ~TlsClientConfig();
  TlsClientConfig(const TlsClientConfig&) = delete;
  TlsClientConfig& operator=(const TlsClientConfig&) = delete;

  size_t ca_count() const;  // certificates loaded
  const std::shared_ptr<const TlsCaSet>& ca_set() const;
  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  TlsClientConfig();
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy::net
