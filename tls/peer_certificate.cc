#include "tls/peer_certificate.h"

#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/x509v3.h>

namespace ringress::tls {
namespace {

struct X509Deleter {
  void operator()(WOLFSSL_X509* x) const { wolfSSL_X509_free(x); }
};

// The subject in RFC 2253 form: attributes from the last to the first, "," between them, and
// ,+"\<>; escaped (wolfSSL's own printer puts ", " between them).
std::string subject_of(WOLFSSL_X509* cert) {
  WOLFSSL_X509_NAME* name = wolfSSL_X509_get_subject_name(cert);
  if (!name) return {};
  std::string out;
  for (int i = wolfSSL_X509_NAME_entry_count(name) - 1; i >= 0; --i) {
    WOLFSSL_X509_NAME_ENTRY* e = wolfSSL_X509_NAME_get_entry(name, i);
    if (!e) continue;
    const char* type =
        wolfSSL_OBJ_nid2sn(wolfSSL_OBJ_obj2nid(wolfSSL_X509_NAME_ENTRY_get_object(e)));
    WOLFSSL_ASN1_STRING* data = wolfSSL_X509_NAME_ENTRY_get_data(e);
    if (!type || !data) continue;
    std::string_view value(reinterpret_cast<const char*>(wolfSSL_ASN1_STRING_data(data)),
                           static_cast<std::size_t>(wolfSSL_ASN1_STRING_length(data)));
    if (!out.empty()) out += ',';
    out += type;
    out += '=';
    for (std::size_t k = 0; k < value.size(); ++k) {
      char c = value[k];
      bool edge = (k == 0 && (c == ' ' || c == '#')) || (k + 1 == value.size() && c == ' ');
      if (edge || std::string_view(",+\"\\<>;").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

// A quoted value inside the header: quotes and backslashes escaped, control characters (which a
// header value cannot hold) as "\xNN".
std::string quoted_value(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// A subjectAltName value as is when it is plain, else quoted (so ';', ',' and '=' in a
// certificate cannot add elements of their own).
std::string element_value(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == ';' || c == ',' || c == '=' || c == '"' || c == '\\')
      return quoted_value(s);
  }
  return std::string(s);
}

}  // namespace

std::string client_certificate_details(WOLFSSL* ssl) {
  std::unique_ptr<WOLFSSL_X509, X509Deleter> cert(wolfSSL_get_peer_certificate(ssl));
  if (!cert) return {};
  std::string out;
  unsigned char md[WC_SHA256_DIGEST_SIZE];
  unsigned int md_len = 0;
  if (wolfSSL_X509_digest(cert.get(), wolfSSL_EVP_sha256(), md, &md_len) == WOLFSSL_SUCCESS) {
    static const char kHex[] = "0123456789abcdef";
    out += "Hash=";
    for (unsigned i = 0; i < md_len; ++i) {
      out += kHex[md[i] >> 4];
      out += kHex[md[i] & 15];
    }
  }
  std::string subject = subject_of(cert.get());
  if (!subject.empty())
    out += (out.empty() ? "" : ";") + std::string("Subject=") + quoted_value(subject);
  auto* names = static_cast<WOLFSSL_STACK*>(
      wolfSSL_X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names) {
    int count = wolfSSL_sk_GENERAL_NAME_num(names);
    for (int i = 0; i < count; ++i) {
      WOLFSSL_GENERAL_NAME* gn = wolfSSL_sk_GENERAL_NAME_value(names, i);
      if (!gn) continue;
      const char* kind = gn->type == GEN_URI ? "URI" : gn->type == GEN_DNS ? "DNS" : nullptr;
      if (!kind) continue;
      WOLFSSL_ASN1_STRING* s = gn->d.ia5;
      if (!s) continue;
      std::string value(reinterpret_cast<const char*>(wolfSSL_ASN1_STRING_data(s)),
                        static_cast<std::size_t>(wolfSSL_ASN1_STRING_length(s)));
      out += ";" + std::string(kind) + "=" + element_value(value);
    }
    wolfSSL_sk_GENERAL_NAME_pop_free(names, wolfSSL_GENERAL_NAME_free);
  }
  return out;
}

}  // namespace ringress::tls
