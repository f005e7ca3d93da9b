#include "agent/cli/doctor_host.hpp"

#include <cstdio>
#include <memory>
#include <system_error>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace regua {

DiskFact read_disk_fact(const std::filesystem::path& ledger) {
  DiskFact fact;
  fact.folder = std::filesystem::absolute(ledger).parent_path();
  std::error_code ec;
  const auto space = std::filesystem::space(fact.folder, ec);
  if (ec) {
    fact.problem = "cannot read the free space of " + fact.folder.string() + ": " + ec.message();
  } else {
    fact.free = space.available;
  }
  return fact;
}

CertificateFact read_certificate_fact(std::string label, const std::filesystem::path& file, Seconds now) {
  CertificateFact fact{std::move(label), file, std::nullopt, false, ""};
  std::unique_ptr<std::FILE, decltype(&std::fclose)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) {
    fact.problem = "cannot read " + file.string();
    return fact;
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  ERR_clear_error();
  if (!cert) {
    fact.problem = file.string() + " holds no certificate in PEM";
    return fact;
  }
  const std::time_t at = now.time_since_epoch().count();
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> moment(ASN1_TIME_set(nullptr, at), &ASN1_TIME_free);
  int days = 0, seconds = 0;
  if (!moment || ASN1_TIME_diff(&days, &seconds, moment.get(), X509_get0_notAfter(cert.get())) != 1) {
    fact.problem = file.string() + ": its validity dates cannot be read";
    return fact;
  }
  // Whole days left, rounded down: 23 hours left is 0 days, an hour past the end is -1.
  const std::int64_t total = std::int64_t{days} * 86'400 + seconds;
  fact.days_left = total >= 0 ? total / 86'400 : -((-total + 86'399) / 86'400);
  fact.not_yet_valid = X509_cmp_time(X509_get0_notBefore(cert.get()), const_cast<std::time_t*>(&at)) > 0;
  return fact;
}

}  // namespace regua
