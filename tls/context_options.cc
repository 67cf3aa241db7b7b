#include "tls/context_options.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "X25519:P-256" -> wolfSSL's group ids (its own list parser knows no X25519).
void set_curves(WOLFSSL_CTX* ctx, const std::string& list) {
  static constexpr std::pair<std::string_view, int> kKnown[] = {
      {"X25519", WOLFSSL_ECC_X25519},
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
  if (groups.empty() ||
      wolfSSL_CTX_set_groups(ctx, groups.data(), static_cast<int>(groups.size())) !=
          WOLFSSL_SUCCESS)
    throw SettingError("curves", "cannot use the curves \"" + list + "\"");
}

}  // namespace

CtxPtr new_context(bool server, Version min, Version max, const std::string& ciphers,
                   const std::string& curves) {
  initialize_library();
  if (min == Version::tls1_3 && max == Version::tls1_2)
    throw SettingError("min_version", "min_version is above max_version");
  WOLFSSL_METHOD* method;
  if (max == Version::tls1_2)
    method = server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
  else if (min == Version::tls1_3)
    method = server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
  else
    method = server ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
  CtxPtr ctx(wolfSSL_CTX_new(method));
  if (!ctx) throw std::runtime_error("wolfSSL_CTX_new failed");
  if (min == Version::tls1_2 && max == Version::tls1_3 &&
      wolfSSL_CTX_SetMinVersion(ctx.get(), WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
    throw SettingError("min_version", "cannot set the minimum version");
  const std::string& list = ciphers.empty() ? std::string(kDefaultCiphers) : ciphers;
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
    throw SettingError(cert_key, "cannot load the certificate chain in " + cert + ": " +
                                     error_text(rc));
  rc = wolfSSL_CTX_use_PrivateKey_file(ctx, key.c_str(), WOLFSSL_FILETYPE_PEM);
  if (rc != WOLFSSL_SUCCESS)
    throw SettingError(key_key, key + " holds no usable PEM private key: " + error_text(rc));
  if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS)
    throw SettingError(key_key, "the key in " + key + " does not match the certificate in " +
                                    cert);

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
    throw SettingError(key, "cannot load CA certificates from " + path + ": " + error_text(rc));
}

}  // namespace ringress::tls
