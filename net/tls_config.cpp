// tls_config.cpp — CA loading and the shared mbedTLS client configuration.
#include <mbedtls/error.h>

#include <string_view>

#include "interp/quote.h"
#include "net/tls_impl.h"

namespace wippy::net {

namespace {

// ALPN: this client speaks HTTP/1.1 only.
const char* const kAlpn[] = {"http/1.1", nullptr};

size_t count_certs(const mbedtls_x509_crt& chain) {
  size_t n = 0;
  for (const mbedtls_x509_crt* c = &chain; c != nullptr; c = c->next)
    if (c->raw.len > 0) ++n;
  return n;
}

HttpError load_error(std::string_view what, const std::string& path, int rc) {
  std::string msg = std::string(what) + " " + quote_input(path) + ": no certificate could be loaded";
  if (rc < 0) msg += " (" + mbedtls_message(rc) + ")";
  return http_error(HttpErrc::configuration_error, std::move(msg));
}

}  // namespace

std::string mbedtls_message(int rc) {
  char buf[160];
  mbedtls_strerror(rc, buf, sizeof buf);
  return buf;
}

TlsTrust trust_from_environment(const EnvLookup& getenv_fn) {
  TlsTrust t;
  const char* file = getenv_fn ? getenv_fn("SSL_CERT_FILE") : nullptr;
  const char* dir = getenv_fn ? getenv_fn("SSL_CERT_DIR") : nullptr;
  if (file != nullptr && *file != '\0') t.ca_files.emplace_back(file);
  if (dir != nullptr && *dir != '\0') {
    std::string_view rest = dir;
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      std::string_view one = rest.substr(0, colon);
      if (!one.empty()) t.ca_dirs.emplace_back(one);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (t.ca_files.empty() && t.ca_dirs.empty()) t.ca_files.emplace_back(kSystemCaFile);
  return t;
}

TlsClientConfig::TlsClientConfig() : impl_(std::make_unique<Impl>()) {
  mbedtls_entropy_init(&impl_->entropy);
  mbedtls_ctr_drbg_init(&impl_->drbg);
  mbedtls_x509_crt_init(&impl_->cas);
  mbedtls_ssl_config_init(&impl_->conf);
}

TlsClientConfig::~TlsClientConfig() {
  mbedtls_ssl_config_free(&impl_->conf);
  mbedtls_x509_crt_free(&impl_->cas);
  mbedtls_ctr_drbg_free(&impl_->drbg);
  mbedtls_entropy_free(&impl_->entropy);
}

size_t TlsClientConfig::ca_count() const { return impl_->ca_count; }

HttpResult<std::shared_ptr<TlsClientConfig>> TlsClientConfig::create(const TlsTrust& trust) {
  std::shared_ptr<TlsClientConfig> cfg(new TlsClientConfig());
  Impl& m = *cfg->impl_;
  static const char kPers[] = "wippy-http-client";
  int rc = mbedtls_ctr_drbg_seed(&m.drbg, mbedtls_entropy_func, &m.entropy,
                                 reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1);
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS random generator: " + mbedtls_message(rc));

  // Each source must contribute at least one certificate; a bundle where a
  // few entries fail to parse (rc > 0) still counts what did load.
  auto add_file = [&](const std::string& path) -> HttpResult<void> {
    const size_t before = count_certs(m.cas);
    const int r = mbedtls_x509_crt_parse_file(&m.cas, path.c_str());
    if (r < 0 || count_certs(m.cas) == before) return load_error("CA file", path, r);
    return {};
  };
  for (const auto& f : trust.ca_files)
    if (auto r = add_file(f); !r) return std::move(r.error());
  for (const auto& d : trust.ca_dirs) {
    const size_t before = count_certs(m.cas);
    const int r = mbedtls_x509_crt_parse_path(&m.cas, d.c_str());
    if (r < 0 || count_certs(m.cas) == before) return load_error("CA directory", d, r);
  }
  for (const auto& f : trust.extra_ca_files)
    if (auto r = add_file(f); !r) return std::move(r.error());
  m.ca_count = count_certs(m.cas);
  if (m.ca_count == 0) return http_error(HttpErrc::configuration_error, "no trusted CA certificates configured");

  rc = mbedtls_ssl_config_defaults(&m.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS configuration: " + mbedtls_message(rc));
  mbedtls_ssl_conf_authmode(&m.conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&m.conf, &m.cas, nullptr);
  mbedtls_ssl_conf_rng(&m.conf, mbedtls_ctr_drbg_random, &m.drbg);
  mbedtls_ssl_conf_min_version(&m.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);  // TLS 1.2+
  rc = mbedtls_ssl_conf_alpn_protocols(&m.conf, const_cast<const char**>(kAlpn));
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS ALPN: " + mbedtls_message(rc));
  return cfg;
}

}  // namespace wippy::net
