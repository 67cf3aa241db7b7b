#include "tls/context_options.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/pem.h>

#include "tls/io_callbacks.h"

namespace ringress::tls {
namespace {

void check_readable(const std::string& path, const std::string& key) {
  if (::access(path.c_str(), R_OK) != 0)
    throw SettingError(key, "cannot read " + path + ": " + std::strerror(errno));
}

struct X509Deleter {
  void operator()(WOLFSSL_X509* x) const { wolfSSL_X509_free(x); }
};

struct PkeyDeleter {
  void operator()(WOLFSSL_EVP_PKEY* k) const { wolfSSL_EVP_PKEY_free(k); }
};
struct BioDeleter {
  void operator()(WOLFSSL_BIO* b) const { wolfSSL_BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(WOLFSSL_EVP_MD_CTX* c) const { wolfSSL_EVP_MD_CTX_free(c); }
};

// Whether the private key in `key_path` belongs to `cert`: a signature made with the key must
// verify with the certificate's public key. (wolfSSL_CTX_check_private_key lets a different
// key of the same curve pass.)
bool key_matches(WOLFSSL_X509* cert, const std::string& key_path) {
  std::unique_ptr<WOLFSSL_BIO, BioDeleter> bio(wolfSSL_BIO_new_file(key_path.c_str(), "r"));
  if (!bio) return false;
  std::unique_ptr<WOLFSSL_EVP_PKEY, PkeyDeleter> priv(
      wolfSSL_PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<WOLFSSL_EVP_PKEY, PkeyDeleter> pub(wolfSSL_X509_get_pubkey(cert));
  if (!priv || !pub) return false;
  static const unsigned char kData[] = "ringress key check";
  unsigned char sig[1024];
  size_t sig_len = sizeof(sig);
  std::unique_ptr<WOLFSSL_EVP_MD_CTX, MdCtxDeleter> sign(wolfSSL_EVP_MD_CTX_new());
  if (!sign ||
      wolfSSL_EVP_DigestSignInit(sign.get(), nullptr, wolfSSL_EVP_sha256(), nullptr, priv.get()) !=
          WOLFSSL_SUCCESS ||
      wolfSSL_EVP_DigestSignUpdate(sign.get(), kData, sizeof(kData)) != WOLFSSL_SUCCESS ||
      wolfSSL_EVP_DigestSignFinal(sign.get(), sig, &sig_len) != WOLFSSL_SUCCESS)
    return false;
  std::unique_ptr<WOLFSSL_EVP_MD_CTX, MdCtxDeleter> verify(wolfSSL_EVP_MD_CTX_new());
  return verify &&
         wolfSSL_EVP_DigestVerifyInit(verify.get(), nullptr, wolfSSL_EVP_sha256(), nullptr,
                                      pub.get()) == WOLFSSL_SUCCESS &&
         wolfSSL_EVP_DigestVerifyUpdate(verify.get(), kData, sizeof(kData)) == WOLFSSL_SUCCESS &&
         wolfSSL_EVP_DigestVerifyFinal(verify.get(), sig, sig_len) == WOLFSSL_SUCCESS;
}

// ": <wolfSSL's reason>" for a negative error code; nothing for a bare failure.
std::string reason(int rc) { return rc < 0 ? ": " + error_text(rc) : std::string(); }

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "X25519:P-256": checked against the names we document, then given to wolfSSL, whose curves
// list limits TLS 1.2's ECDHE (it accepts names we do not want, like X448, and its groups list
// parser knows no X25519); wolfSSL_CTX_set_groups orders the TLS 1.3 key shares.
void set_curves(WOLFSSL_CTX* ctx, const std::string& list) {
  static constexpr std::pair<std::string_view, int> kKnown[] = {{"X25519", WOLFSSL_ECC_X25519},
                                                                {"P-256", WOLFSSL_ECC_SECP256R1},
                                                                {"P-384", WOLFSSL_ECC_SECP384R1},
                                                                {"P-521", WOLFSSL_ECC_SECP521R1}};
  std::vector<int> groups;
  std::string_view rest = list;
  while (!rest.empty()) {
    std::string_view name = rest.substr(0, rest.find(':'));
    rest.remove_prefix(std::min(rest.size(), name.size() + 1));
    auto it = std::find_if(std::begin(kKnown), std::end(kKnown),
                           [&](const auto& k) { return k.first == name; });
    if (it == std::end(kKnown))
      throw SettingError("curves", "unknown curve \"" + std::string(name) +
                                       "\" (known: X25519, P-256, P-384, P-521)");
    groups.push_back(it->second);
  }
  if (groups.empty()) throw SettingError("curves", "no curve given");
  std::string names = list;
  if (wolfSSL_CTX_set1_curves_list(ctx, names.data()) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_set_groups(ctx, groups.data(), static_cast<int>(groups.size())) !=
          WOLFSSL_SUCCESS)
    throw SettingError("curves", "cannot use the curves \"" + list + "\"");
}

// AES-GCM is fast only with wolfSSL's AES-NI code, which runs only on a CPU with AES-NI and
// PCLMULQDQ (wolfSSL checks CPUID at run time and falls back to C, slower than C ChaCha20).
bool fast_aes_gcm() {
#if defined(WOLFSSL_AESNI) && defined(__x86_64__)
  return __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul");
#else
  return false;
#endif
}

}  // namespace

const char* default_ciphers() {
  static const char* const kAesFirst =
      "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:"
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  static const char* const kChaChaFirst =
      "TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
  return fast_aes_gcm() ? kAesFirst : kChaChaFirst;
}

CtxPtr new_context(bool server, Version min, Version max, const std::string& ciphers,
                   const std::string& curves) {
  initialize_library();
  if (min == Version::tls1_3 && max == Version::tls1_2)
    throw SettingError("min_version", "min_version is above max_version");
  // One method for every range, so that TLS 1.3-only calls (groups) work on every context; the
  // range is set on it.
  CtxPtr ctx(wolfSSL_CTX_new(server ? wolfSSLv23_server_method() : wolfSSLv23_client_method()));
  if (!ctx) throw std::runtime_error("wolfSSL_CTX_new failed");
  if (wolfSSL_CTX_SetMinVersion(
          ctx.get(), min == Version::tls1_3 ? WOLFSSL_TLSV1_3 : WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
    throw SettingError("min_version", "cannot set the minimum version");
  if (max == Version::tls1_2 &&
      wolfSSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION) != WOLFSSL_SUCCESS)
    throw SettingError("max_version", "cannot set the maximum version");
  const std::string& list = ciphers.empty() ? std::string(default_ciphers()) : ciphers;
  if (wolfSSL_CTX_set_cipher_list(ctx.get(), list.c_str()) != WOLFSSL_SUCCESS)
    throw SettingError("ciphers", "no usable cipher suite in \"" + list + "\"");
  set_curves(ctx.get(), curves.empty() ? std::string(kDefaultCurves) : curves);
  install_io_callbacks(ctx.get());
  return ctx;
}

std::vector<std::string> load_certificate(WOLFSSL_CTX* ctx, const std::string& cert,
                                          const std::string& key, const std::string& cert_key,
                                          const std::string& key_key) {
  check_readable(cert, cert_key);
  check_readable(key, key_key);
  std::unique_ptr<WOLFSSL_X509, X509Deleter> leaf(
      wolfSSL_X509_load_certificate_file(cert.c_str(), WOLFSSL_FILETYPE_PEM));
  if (!leaf) throw SettingError(cert_key, cert + " holds no PEM certificate");
  if (wolfSSL_X509_cmp_current_time(wolfSSL_X509_get_notAfter(leaf.get())) <= 0)
    throw SettingError(cert_key, "the certificate in " + cert + " has expired");
  if (wolfSSL_X509_cmp_current_time(wolfSSL_X509_get_notBefore(leaf.get())) > 0)
    throw SettingError(cert_key, "the certificate in " + cert + " is not valid yet");
  int rc = wolfSSL_CTX_use_certificate_chain_file(ctx, cert.c_str());
  if (rc != WOLFSSL_SUCCESS)
    throw SettingError(cert_key, "cannot load the certificate chain in " + cert + reason(rc));
  rc = wolfSSL_CTX_use_PrivateKey_file(ctx, key.c_str(), WOLFSSL_FILETYPE_PEM);
  if (rc != WOLFSSL_SUCCESS)
    throw SettingError(key_key, key + " holds no usable PEM private key" + reason(rc));
  if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS || !key_matches(leaf.get(), key))
    throw SettingError(key_key, "the key in " + key + " does not match the certificate in " + cert);

  std::vector<std::string> names;
  while (char* name = wolfSSL_X509_get_next_altname(leaf.get())) names.push_back(lowercase(name));
  if (names.empty()) {
    char cn[256] = {};
    WOLFSSL_X509_NAME* subject = wolfSSL_X509_get_subject_name(leaf.get());
    if (subject && wolfSSL_X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof(cn)) > 0)
      names.push_back(lowercase(cn));
  }
  return names;
}

void load_ca(WOLFSSL_CTX* ctx, const std::string& path, const std::string& key) {
  check_readable(path, key);
  int rc = wolfSSL_CTX_load_verify_locations(ctx, path.c_str(), nullptr);
  if (rc != WOLFSSL_SUCCESS)
    throw SettingError(key, "cannot load CA certificates from " + path + reason(rc));
}

}  // namespace ringress::tls
