#include "tests/support/dated_certificate.hpp"

#include <cstdio>
#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace regua::test {
namespace {

using FilePtr = std::unique_ptr<std::FILE, decltype(&std::fclose)>;

FilePtr open_pem(const std::filesystem::path& file, const char* mode) {
  return FilePtr(std::fopen(file.c_str(), mode), &std::fclose);
}

bool add_dated_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

std::string make_dated_certificate(const DatedCertificate& spec) {
  auto ca_in = open_pem(spec.dir / "ca.crt", "rb");
  auto ca_key_in = open_pem(spec.dir / "ca.key", "rb");
  if (!ca_in || !ca_key_in) return "cannot read the CA in " + spec.dir.string();
  std::unique_ptr<X509, decltype(&X509_free)> ca(PEM_read_X509(ca_in.get(), nullptr, nullptr, nullptr),
                                                 &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ca_key(
      PEM_read_PrivateKey(ca_key_in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!ca || !ca_key) return "the CA files in " + spec.dir.string() + " are not PEM";

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) return "OpenSSL cannot make a key";
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_int64(X509_get_serialNumber(cert.get()), spec.not_before ^ 0x5eed);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca.get(), cert.get(), nullptr, nullptr, 0);
  bool ok =
      add_dated_extension(cert.get(), &ctx, NID_basic_constraints, "CA:FALSE") &&
      add_dated_extension(cert.get(), &ctx, NID_key_usage, "digitalSignature") &&
      add_dated_extension(cert.get(), &ctx, NID_ext_key_usage, spec.server ? "serverAuth" : "clientAuth");
  if (ok && spec.server)
    ok = add_dated_extension(cert.get(), &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (!ok) return "OpenSSL refused an extension";
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) return "OpenSSL cannot sign";

  auto cert_out = open_pem(spec.dir / (spec.name + ".crt"), "wb");
  auto key_out = open_pem(spec.dir / (spec.name + ".key"), "wb");
  if (!cert_out || !key_out) return "cannot write in " + spec.dir.string();
  if (PEM_write_X509(cert_out.get(), cert.get()) != 1 ||
      PEM_write_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return "cannot write the certificate or its key";
  }
  return "";
}

}  // namespace regua::test
