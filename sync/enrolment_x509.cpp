#include "sync/enrolment_x509.hpp"

#include <array>
#include <ctime>
#include <memory>
#include <utility>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace regua::sync {
namespace {

// One deleter type per OpenSSL free function: unique_ptr<T, EnrolFree<F>>.
template <auto FreeFunction>
struct EnrolFree {
  template <typename T>
  void operator()(T* p) const {
    FreeFunction(p);
  }
};
using EnrolBio = std::unique_ptr<BIO, EnrolFree<BIO_free_all>>;
using EnrolKey = std::unique_ptr<EVP_PKEY, EnrolFree<EVP_PKEY_free>>;
using EnrolReq = std::unique_ptr<X509_REQ, EnrolFree<X509_REQ_free>>;
using EnrolCert = std::unique_ptr<X509, EnrolFree<X509_free>>;
using EnrolName = std::unique_ptr<X509_NAME, EnrolFree<X509_NAME_free>>;
using EnrolStore = std::unique_ptr<X509_STORE, EnrolFree<X509_STORE_free>>;
using EnrolStoreCtx = std::unique_ptr<X509_STORE_CTX, EnrolFree<X509_STORE_CTX_free>>;
using EnrolBignum = std::unique_ptr<BIGNUM, EnrolFree<BN_free>>;

// The newest OpenSSL error as text, and the queue emptied (so that the next failure says its own).
std::string enrol_openssl_detail() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

Error enrol_input_error(const std::string& what) {
  return make_error(ErrorKind::input, what);
}

EnrolBio enrol_read_bio(std::string_view pem) {
  return EnrolBio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Result<EnrolCert> enrol_read_cert(std::string_view pem, std::string_view what) {
  auto bio = enrol_read_bio(pem);
  EnrolCert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    return enrol_input_error(std::string(what) + " is not a PEM certificate (" + enrol_openssl_detail() +
                             ")");
  }
  return cert;
}

Result<EnrolKey> enrol_read_key(std::string_view pem, std::string_view what) {
  auto bio = enrol_read_bio(pem);
  EnrolKey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return enrol_input_error(std::string(what) + " is not a PEM private key without a passphrase (" +
                             enrol_openssl_detail() + ")");
  }
  return key;
}

Result<EnrolReq> enrol_read_csr(std::string_view pem) {
  auto bio = enrol_read_bio(pem);
  EnrolReq req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!req) {
    return enrol_input_error(
        "the CSR is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----, PKCS#10): " +
        enrol_openssl_detail());
  }
  return req;
}

template <typename Write>
Result<std::string> enrol_write_pem(Write&& write) {
  EnrolBio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return make_error(ErrorKind::internal, enrol_openssl_detail());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool enrol_add_name_entry(X509_NAME* name, const char* field, std::string_view value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0) == 1;
}

std::string enrol_common_name_of(const X509_NAME* name) {
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return "";
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (size < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

// Checks `cert` against a store holding only `ca` for `purpose`; the error says why not.
Status enrol_verify_chain(X509* cert, X509* ca, int purpose, std::string_view what) {
  EnrolStore store(X509_STORE_new());
  EnrolStoreCtx ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1) {
    return make_error(ErrorKind::internal, "cannot set up a certificate check: " + enrol_openssl_detail());
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    ERR_clear_error();
    return enrol_input_error(std::string(what) + " does not chain to the CA: " +
                             X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  return {};
}

}  // namespace

Result<KeyAndCsr> make_key_and_csr(std::string_view common_name) {
  EnrolKey key(EVP_EC_gen("P-256"));
  EnrolReq req(X509_REQ_new());
  if (!key || !req)
    return make_error(ErrorKind::internal, "cannot make an EC P-256 key: " + enrol_openssl_detail());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  if (X509_REQ_set_version(req.get(), 0) != 1 || !enrol_add_name_entry(name, "O", "Regua") ||
      !enrol_add_name_entry(name, "CN", common_name) || X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return make_error(ErrorKind::internal, "cannot make the certificate request: " + enrol_openssl_detail());
  }
  auto key_pem = enrol_write_pem(
      [&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  if (!key_pem) return key_pem.error();
  auto csr_pem = enrol_write_pem([&](BIO* b) { return PEM_write_bio_X509_REQ(b, req.get()); });
  if (!csr_pem) return csr_pem.error();
  return KeyAndCsr{std::move(*key_pem), std::move(*csr_pem)};
}

Result<CheckedCsr> check_csr(std::string_view csr_pem) {
  auto req = enrol_read_csr(csr_pem);
  if (!req) return req.error();
  EVP_PKEY* key = X509_REQ_get0_pubkey(req->get());
  if (key == nullptr) return enrol_input_error("the CSR holds no public key it can be read with");
  if (X509_REQ_verify(req->get(), key) != 1) {
    ERR_clear_error();
    return enrol_input_error(
        "the CSR's signature is not valid: it was not signed by the key it holds, or it was altered");
  }
  CheckedCsr out;
  out.requested_cn = enrol_common_name_of(X509_REQ_get_subject_name(req->get()));
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      std::array<char, 64> group{};
      std::size_t size = 0;
      if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &size) != 1) {
        return enrol_input_error("the CSR's EC key names no curve");
      }
      const std::string_view curve(group.data(), size);
      if (curve != "prime256v1" && curve != "secp384r1" && curve != "secp521r1") {
        return enrol_input_error("the CSR's key is on curve " + std::string(curve) +
                                 ": use EC P-256 (or P-384, P-521, or RSA of 3072 bits or more)");
      }
      out.key_kind = "EC P-" + std::to_string(bits);
      break;
    }
    case EVP_PKEY_RSA:
      if (bits < 3072) {
        return enrol_input_error("the CSR's key is RSA of " + std::to_string(bits) +
                                 " bits, too weak: use EC P-256 (or RSA of 3072 bits or more)");
      }
      out.key_kind = "RSA " + std::to_string(bits);
      break;
    default:
      return enrol_input_error(std::string("the CSR's key is ") + OBJ_nid2sn(EVP_PKEY_get_base_id(key)) +
                               ": use EC P-256 (or RSA of 3072 bits or more)");
  }
  return out;
}

Result<std::string> issue_client_certificate(const Issuer& issuer, std::string_view csr_pem,
                                             std::string_view subject_cn, int days, std::int64_t now_unix) {
  auto req = enrol_read_csr(csr_pem);
  if (!req) return req.error();
  auto ca = enrol_read_cert(issuer.ca_cert_pem, "the CA certificate");
  if (!ca) return ca.error();
  auto ca_key = enrol_read_key(issuer.ca_key_pem, "the CA key");
  if (!ca_key) return ca_key.error();
  if (X509_check_private_key(ca->get(), ca_key->get()) != 1) {
    ERR_clear_error();
    return make_error(ErrorKind::config, "the CA key is not the key of the CA certificate");
  }
  EnrolCert cert(X509_new());
  EnrolName subject(X509_NAME_new());
  std::array<unsigned char, 16> serial{};
  if (!cert || !subject || RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) {
    return make_error(ErrorKind::internal, "cannot start a certificate: " + enrol_openssl_detail());
  }
  serial[0] &= 0x7f;  // a positive serial of 127 random bits
  EnrolBignum serial_number(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  const auto not_before = static_cast<time_t>(now_unix - 300);
  const auto not_after = static_cast<time_t>(now_unix + std::int64_t{days} * 86'400);
  if (!serial_number || X509_set_version(cert.get(), 2) != 1 ||
      BN_to_ASN1_INTEGER(serial_number.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(ca->get())) != 1 ||
      !enrol_add_name_entry(subject.get(), "O", "Regua") ||
      !enrol_add_name_entry(subject.get(), "CN", subject_cn) ||
      X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr ||
      X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(req->get())) != 1) {
    return make_error(ErrorKind::internal, "cannot fill the certificate: " + enrol_openssl_detail());
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca->get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       std::initializer_list<std::pair<int, const char*>>{{NID_basic_constraints, "critical,CA:FALSE"},
                                                          {NID_key_usage, "critical,digitalSignature"},
                                                          {NID_ext_key_usage, "clientAuth"},
                                                          {NID_subject_key_identifier, "hash"},
                                                          {NID_authority_key_identifier, "keyid:always"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    const bool added = ext != nullptr && X509_add_ext(cert.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
    if (!added) {
      return make_error(ErrorKind::internal, std::string("cannot add the certificate's ") + OBJ_nid2sn(nid) +
                                                 ": " + enrol_openssl_detail());
    }
  }
  // Ed25519 and Ed448 CA keys sign without a separate digest.
  const int ca_type = EVP_PKEY_get_base_id(ca_key->get());
  const EVP_MD* digest = ca_type == EVP_PKEY_ED25519 || ca_type == EVP_PKEY_ED448 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), ca_key->get(), digest) <= 0) {
    return make_error(ErrorKind::internal, "cannot sign the certificate: " + enrol_openssl_detail());
  }
  return enrol_write_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
}

Status check_issued_certificate(std::string_view cert_pem, std::string_view key_pem, std::string_view ca_pem,
                                std::string_view expected_cn) {
  auto cert = enrol_read_cert(cert_pem, "the certificate the hub sent");
  if (!cert) return cert.error();
  auto key = enrol_read_key(key_pem, "the new key");
  if (!key) return key.error();
  auto ca = enrol_read_cert(ca_pem, "the CA certificate the hub sent");
  if (!ca) return ca.error();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return enrol_input_error("the certificate the hub sent is not for this store's new key");
  }
  if (auto s =
          enrol_verify_chain(cert->get(), ca->get(), X509_PURPOSE_SSL_CLIENT, "the certificate the hub sent");
      !s) {
    return s;
  }
  const auto cn = enrol_common_name_of(X509_get_subject_name(cert->get()));
  if (!expected_cn.empty() && cn != expected_cn) {
    return enrol_input_error("the certificate the hub sent names \"" + cn + "\", not \"" +
                             std::string(expected_cn) + "\"");
  }
  return {};
}

Status check_signed_by(std::string_view cert_pem, std::string_view ca_pem) {
  auto cert = enrol_read_cert(cert_pem, "the certificate");
  if (!cert) return cert.error();
  auto ca = enrol_read_cert(ca_pem, "the CA certificate");
  if (!ca) return ca.error();
  return enrol_verify_chain(cert->get(), ca->get(), X509_PURPOSE_SSL_SERVER, "the certificate");
}

Result<std::string> certificate_sha256(std::string_view cert_pem) {
  auto cert = enrol_read_cert(cert_pem, "the certificate");
  if (!cert) return cert.error();
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert->get(), &der);
  if (size <= 0)
    return make_error(ErrorKind::internal, "cannot encode the certificate: " + enrol_openssl_detail());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  const int ok =
      EVP_Digest(der, static_cast<std::size_t>(size), digest.data(), &digest_size, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1)
    return make_error(ErrorKind::internal, "cannot hash the certificate: " + enrol_openssl_detail());
  static constexpr char kEnrolHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < digest_size; ++i) {
    hex += kEnrolHex[digest[i] >> 4];
    hex += kEnrolHex[digest[i] & 0xf];
  }
  return hex;
}

Result<std::string> certificate_common_name(std::string_view cert_pem) {
  auto cert = enrol_read_cert(cert_pem, "the certificate");
  if (!cert) return cert.error();
  return enrol_common_name_of(X509_get_subject_name(cert->get()));
}

Result<std::int64_t> certificate_not_after(std::string_view cert_pem) {
  auto cert = enrol_read_cert(cert_pem, "the certificate");
  if (!cert) return cert.error();
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert->get()), &tm) != 1) {
    return enrol_input_error("the certificate's end of validity cannot be read");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<x509_store_st*> trust_store_of(std::string_view ca_pem) {
  auto ca = enrol_read_cert(ca_pem, "the CA certificate");
  if (!ca) return ca.error();
  EnrolStore store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), ca->get()) != 1) {
    return make_error(ErrorKind::internal, "cannot make a trust store: " + enrol_openssl_detail());
  }
  return store.release();
}

}  // namespace regua::sync
