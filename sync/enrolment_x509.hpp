#pragma once
// The X.509 work of enrolling a store (docs/sync.md "Enrolling a store"), shared by the hub, which
// checks a store's certificate signing request and signs it with the network CA, and the agent,
// which makes its key and request and checks what comes back. Everything goes in and out as PEM
// text; OpenSSL stays inside this file's implementation.

#include <cstdint>
#include <string>
#include <string_view>

#include "local/core/result.hpp"

struct x509_store_st;

namespace regua::sync {

// A new EC P-256 private key (PKCS#8 PEM) and a PKCS#10 request for it (PEM) with `common_name`.
struct KeyAndCsr {
  std::string key_pem;
  std::string csr_pem;
};
Result<KeyAndCsr> make_key_and_csr(std::string_view common_name);

// A request the hub may sign: PEM, its self-signature valid, its key EC on P-256, P-384 or P-521,
// or RSA of at least 3072 bits (P-256's strength). Errors are ErrorKind::input and say which.
struct CheckedCsr {
  std::string requested_cn;  // what the request asks for (informative: the hub never uses it)
  std::string key_kind;      // "EC P-256", "RSA 4096", ...
};
Result<CheckedCsr> check_csr(std::string_view csr_pem);

// A client certificate for the key of `csr_pem` (checked with check_csr first), signed by the CA:
// subject O=Regua, CN=`subject_cn` (whatever the request asked), client-auth only, not a CA,
// valid from five minutes before `now_unix` (clock skew) for `days` days, a random serial.
struct Issuer {
  std::string ca_cert_pem;
  std::string ca_key_pem;
};
Result<std::string> issue_client_certificate(const Issuer& issuer, std::string_view csr_pem,
                                             std::string_view subject_cn, int days, std::int64_t now_unix);

// What the agent checks before it keeps a certificate: it is for `key_pem`, it chains to `ca_pem`
// for client authentication, and its CN is `expected_cn` (when not empty).
Status check_issued_certificate(std::string_view cert_pem, std::string_view key_pem, std::string_view ca_pem,
                                std::string_view expected_cn);

// A server certificate (the enrolment endpoint's) signed by `ca_pem`: the pin the stores get is the
// CA's, so the endpoint must present a certificate under it.
Status check_signed_by(std::string_view cert_pem, std::string_view ca_pem);

// The certificate's first PEM block as DER, hashed: lowercase hex SHA-256 (what a token pins).
Result<std::string> certificate_sha256(std::string_view cert_pem);
// Its subject's CN, and when it stops being valid (Unix seconds).
Result<std::string> certificate_common_name(std::string_view cert_pem);
Result<std::int64_t> certificate_not_after(std::string_view cert_pem);

// A new trust store holding only `ca_pem`, for an HTTPS client that trusts nothing else (the
// caller owns it; cpp-httplib's set_ca_cert_store takes it over).
Result<x509_store_st*> trust_store_of(std::string_view ca_pem);

}  // namespace regua::sync
