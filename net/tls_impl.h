// tls_impl.h — net/ internal: the mbedTLS objects behind TlsCaSet and
// TlsClientConfig.
// Contract: only tls_config.cpp and tls_transport.cpp include this; the
// members are initialised by load_ca_set / TlsClientConfig::create and
// freed by the destructors. A TlsCaSet is never written after loading.
#pragma once
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <string>

#include "net/tls_config.h"

namespace wippy::net {

struct TlsCaSet {
  mbedtls_x509_crt chain;
  size_t count = 0;
  TlsCaSet() { mbedtls_x509_crt_init(&chain); }
  ~TlsCaSet() { mbedtls_x509_crt_free(&chain); }
  TlsCaSet(const TlsCaSet&) = delete;
  TlsCaSet& operator=(const TlsCaSet&) = delete;
};

struct TlsClientConfig::Impl {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  std::shared_ptr<const TlsCaSet> cas;
  mbedtls_ssl_config conf;
};

// mbedtls_strerror text for rc, e.g. "X509 - Certificate verification failed".
std::string mbedtls_message(int rc);

}  // namespace wippy::net
