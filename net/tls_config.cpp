// tls_config.cpp — CA loading, the CA-set cache and the mbedTLS client
// configuration (see tls_config.h).
#include <fmt/format.h>
#include <mbedtls/config.h>
#include <mbedtls/error.h>
#include <sys/stat.h>

#include <string_view>
#include <thread>

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

// A parsed chain is shared across threads only when verification never
// writes it unguarded: mbedTLS copies an EC key for each verification, and
// an RSA key's lazily computed Montgomery value is under the key's mutex,
// which exists with MBEDTLS_THREADING_C (Debian builds it). Without that,
// each thread gets its own sets (fibers of one thread never run at once).
#if defined(MBEDTLS_THREADING_C)
constexpr bool kShareAcrossThreads = true;
#else
constexpr bool kShareAcrossThreads = false;
#endif

// The trust inputs as one key: each list's entries, NUL-separated (and
// the calling thread, when sets are per thread).
std::string trust_key(const TlsTrust& t) {
  std::string k;
  if (!kShareAcrossThreads) k = fmt::format("{}\1", std::hash<std::thread::id>{}(std::this_thread::get_id()));
  for (const auto* list : {&t.ca_files, &t.ca_dirs, &t.extra_ca_files}) {
    for (const auto& s : *list) k += s + '\0';
    k += '\1';
  }
  return k;
}

// Identity and time of every source: a change means the set is stale.
std::string sources_stamp(const TlsTrust& t) {
  std::string out;
  for (const auto* list : {&t.ca_files, &t.ca_dirs, &t.extra_ca_files}) {
    for (const auto& path : *list) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) {
        out += "-;";
        continue;
      }
      out += fmt::format("{}:{}:{}:{}.{};", st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
  }
  return out;
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

HttpResult<std::shared_ptr<const TlsCaSet>> load_ca_set(const TlsTrust& trust) {
  auto set = std::make_shared<TlsCaSet>();
  mbedtls_x509_crt& cas = set->chain;
  // Each source must contribute at least one certificate; a bundle where a
  // few entries fail to parse (rc > 0) still counts what did load.
  auto add_file = [&](const std::string& path) -> HttpResult<void> {
    const size_t before = count_certs(cas);
    const int r = mbedtls_x509_crt_parse_file(&cas, path.c_str());
    if (r < 0 || count_certs(cas) == before) return load_error("CA file", path, r);
    return {};
  };
  for (const auto& f : trust.ca_files)
    if (auto r = add_file(f); !r) return std::move(r.error());
  for (const auto& d : trust.ca_dirs) {
    const size_t before = count_certs(cas);
    const int r = mbedtls_x509_crt_parse_path(&cas, d.c_str());
    if (r < 0 || count_certs(cas) == before) return load_error("CA directory", d, r);
  }
  for (const auto& f : trust.extra_ca_files)
    if (auto r = add_file(f); !r) return std::move(r.error());
  set->count = count_certs(cas);
  if (set->count == 0) return http_error(HttpErrc::configuration_error, "no trusted CA certificates configured");
  return std::shared_ptr<const TlsCaSet>(std::move(set));
}

HttpResult<std::shared_ptr<const TlsCaSet>> TlsTrustCache::get(const TlsTrust& trust) {
  const std::string key = trust_key(trust);
  const std::string stamp = sources_stamp(trust);
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (auto it = entries_.find(key); it != entries_.end() && it->second.stamp == stamp) return it->second.set;
  }
  // Parsed outside the lock: two threads may both load a new set; the
  // later one is kept, both work.
  auto set = load_ca_set(trust);
  if (!set) return std::move(set.error());
  std::lock_guard<std::mutex> lk(mu_);
  ++loads_;
  entries_[key] = Entry{stamp, *set};
  return *set;
}

size_t TlsTrustCache::loads() const {
  std::lock_guard<std::mutex> lk(mu_);
  return loads_;
}

TlsClientConfig::TlsClientConfig() : impl_(std::make_unique<Impl>()) {
  mbedtls_entropy_init(&impl_->entropy);
  mbedtls_ctr_drbg_init(&impl_->drbg);
  mbedtls_ssl_config_init(&impl_->conf);
}

TlsClientConfig::~TlsClientConfig() {
  mbedtls_ssl_config_free(&impl_->conf);
  mbedtls_ctr_drbg_free(&impl_->drbg);
  mbedtls_entropy_free(&impl_->entropy);
}

size_t TlsClientConfig::ca_count() const { return impl_->cas->count; }
const std::shared_ptr<const TlsCaSet>& TlsClientConfig::ca_set() const { return impl_->cas; }

HttpResult<std::shared_ptr<TlsClientConfig>> TlsClientConfig::create(const TlsTrust& trust) {
  auto cas = load_ca_set(trust);
  if (!cas) return std::move(cas.error());
  return create(std::move(*cas));
}

HttpResult<std::shared_ptr<TlsClientConfig>> TlsClientConfig::create(std::shared_ptr<const TlsCaSet> cas) {
  if (!cas || cas->count == 0)
    return http_error(HttpErrc::configuration_error, "no trusted CA certificates configured");
  std::shared_ptr<TlsClientConfig> cfg(new TlsClientConfig());
  Impl& m = *cfg->impl_;
  m.cas = std::move(cas);
  static const char kPers[] = "wippy-http-client";
  int rc = mbedtls_ctr_drbg_seed(&m.drbg, mbedtls_entropy_func, &m.entropy,
                                 reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1);
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS random generator: " + mbedtls_message(rc));

  rc = mbedtls_ssl_config_defaults(&m.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS configuration: " + mbedtls_message(rc));
  mbedtls_ssl_conf_authmode(&m.conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  // mbedTLS only reads the trusted chain during verification (the set is
  // shared, never written).
  mbedtls_ssl_conf_ca_chain(&m.conf, const_cast<mbedtls_x509_crt*>(&m.cas->chain), nullptr);
  mbedtls_ssl_conf_rng(&m.conf, mbedtls_ctr_drbg_random, &m.drbg);
  mbedtls_ssl_conf_min_version(&m.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);  // TLS 1.2+
  rc = mbedtls_ssl_conf_alpn_protocols(&m.conf, const_cast<const char**>(kAlpn));
  if (rc != 0) return http_error(HttpErrc::internal_error, "TLS ALPN: " + mbedtls_message(rc));
  return cfg;
}

}  // namespace wippy::net
