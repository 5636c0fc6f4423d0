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
//  * A TlsClientConfig holds an mbedTLS RNG and is not thread-safe: use one
//    per dispatcher thread. It must outlive every TlsTransport made from it
//    (they hold a shared_ptr).
#pragma once
#include <functional>
#include <memory>
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

class TlsClientConfig {
 public:
  static HttpResult<std::shared_ptr<TlsClientConfig>> create(const TlsTrust& trust);
  ~TlsClientConfig();
  TlsClientConfig(const TlsClientConfig&) = delete;
  TlsClientConfig& operator=(const TlsClientConfig&) = delete;

  size_t ca_count() const;  // certificates loaded
  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  TlsClientConfig();
  std::unique_ptr<Impl> impl_;
};

}  // namespace wippy::net
