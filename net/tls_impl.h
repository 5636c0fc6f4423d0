// tls_impl.h — net/ internal: the mbedTLS objects behind TlsClientConfig.
// Contract: only tls_config.cpp and tls_transport.cpp include this; the
// members are initialised by TlsClientConfig::create and freed by its
// destructor.
#pragma once
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <string>

#include "net/tls_config.h"

namespace wippy::net {

struct TlsClientConfig::Impl {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt cas;
  mbedtls_ssl_config conf;
  size_t ca_count = 0;
};

// mbedtls_strerror text for rc, e.g. "X509 - Certificate verification failed".
std::string mbedtls_message(int rc);

}  // namespace wippy::net
