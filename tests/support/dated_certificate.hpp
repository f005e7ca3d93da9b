#pragma once
// A certificate signed by a test network's CA (installer/pki.sh's ca.crt and ca.key) with the
// validity dates a test chooses, made with OpenSSL's C API: openssl 3.0's `x509` command cannot
// date a certificate in the past, and an expired certificate is what the TLS refusal tests need.
// Writes DIR/NAME.crt and DIR/NAME.key (EC P-256), replacing them.

#include <cstdint>
#include <filesystem>
#include <string>

namespace regua::test {

struct DatedCertificate {
  std::filesystem::path dir;    // holds ca.crt and ca.key; the new files go here
  std::string name;             // file name without extension ("broker", "rede-a")
  std::string common_name;      // "localhost", "rede/a"
  bool server = false;          // serverAuth for DNS:localhost and IP:127.0.0.1, else clientAuth
  std::int64_t not_before = 0;  // Unix seconds
  std::int64_t not_after = 0;
};

// Empty when made; else what failed.
std::string make_dated_certificate(const DatedCertificate& spec);

}  // namespace regua::test
