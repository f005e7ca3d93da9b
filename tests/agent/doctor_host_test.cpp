// doctor's findings about the machine: free disk space, the sync certificates' expiry (read from
// real PEM files made by openssl), and quiet hours; each in plain words with what to do, and the
// exit code scripts read.

#include "agent/cli/doctor_host.hpp"

#include <gtest/gtest.h>

#include "agent/cli/doctor_checks.hpp"
#include "tests/support/minimal_config.hpp"
#include "tests/support/test_pki.hpp"

namespace regua {
namespace {

// The findings whose text contains `needle`.
std::vector<Finding> findings_about(const DoctorFacts& facts, std::string_view needle) {
  std::vector<Finding> out;
  for (auto& f : run_doctor_checks(facts))
    if (f.text.find(needle) != std::string::npos) out.push_back(std::move(f));
  return out;
}

Seconds doctor_now() {
  return Seconds{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())};
}

TEST(DoctorHost, DiskSpaceThresholds) {
  DoctorFacts facts;
  facts.disk = DiskFact{"/var/lib/regua", std::uintmax_t{50} << 20, ""};
  auto found = findings_about(facts, "free on the ledger's disk");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("50 MiB free on the ledger's disk (/var/lib/regua)"), std::string::npos)
      << found[0].text;
  EXPECT_NE(found[0].text.find("free space"), std::string::npos);
  EXPECT_EQ(doctor_exit_code(run_doctor_checks(facts)), 1);

  facts.disk->free = std::uintmax_t{1} << 30;
  found = findings_about(facts, "free on the ledger's disk");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice) << found[0].text;

  facts.disk->free = std::uintmax_t{50} << 30;
  found = findings_about(facts, "free on the ledger's disk");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok) << found[0].text;
}

TEST(DoctorHost, ReadsTheRealFreeSpaceOfTheLedgersFolder) {
  test::TempDir dir;
  const auto fact = read_disk_fact(dir / "ledger.db");
  ASSERT_TRUE(fact.free.has_value()) << fact.problem;
  EXPECT_GT(*fact.free, 0u);
  const auto missing = read_disk_fact(dir / "no" / "such" / "ledger.db");
  EXPECT_FALSE(missing.free.has_value());
  EXPECT_NE(missing.problem.find("cannot read the free space"), std::string::npos);
}

TEST(DoctorHost, CertificatesReadFromRealFiles) {
  test::TempDir dir;
  test::TestPki pki(dir / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  // An hour on: whole days left round down, whatever the second the certificate was made in.
  const auto now = doctor_now() + std::chrono::hours(1);
  const auto fresh = read_certificate_fact("[sync] cert", pki.server_cert(), now);
  ASSERT_TRUE(fresh.days_left.has_value()) << fresh.problem;
  EXPECT_EQ(*fresh.days_left, 1) << "made for 2 days, an hour ago (or less)";
  EXPECT_FALSE(fresh.not_yet_valid);

  // The same certificate three days on has expired.
  const auto later = read_certificate_fact("[sync] cert", pki.server_cert(), now + std::chrono::days(3));
  ASSERT_TRUE(later.days_left.has_value());
  EXPECT_EQ(*later.days_left, -2);
  // And a day before it was made, it is not valid yet.
  EXPECT_TRUE(read_certificate_fact("[sync] ca", pki.ca_cert(), now - std::chrono::days(1)).not_yet_valid);

  DoctorFacts facts;
  facts.certificates = {fresh, later, read_certificate_fact("[sync] ca", dir / "missing.crt", now),
                        read_certificate_fact("[sync] ca", pki.server_key(), now)};
  auto found = findings_about(facts, "[sync]");
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("expires in 1 day(s)"), std::string::npos) << found[0].text;
  EXPECT_EQ(found[1].severity, Severity::action);
  EXPECT_NE(found[1].text.find("expired 2 day(s) ago"), std::string::npos) << found[1].text;
  EXPECT_NE(found[1].text.find("regua-agent enroll"), std::string::npos);
  EXPECT_EQ(found[2].severity, Severity::action);
  EXPECT_NE(found[2].text.find("cannot read"), std::string::npos) << found[2].text;
  EXPECT_EQ(found[3].severity, Severity::action);
  EXPECT_NE(found[3].text.find("holds no certificate in PEM"), std::string::npos) << found[3].text;
  EXPECT_EQ(doctor_exit_code(run_doctor_checks(facts)), 1);
}

TEST(DoctorHost, QuietHoursSanity) {
  auto config = test::parse_minimal_plus("[rules.quiet_hours]\nstart = \"21:00\"\nend = \"09:00\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  DoctorFacts facts;
  facts.config = &*config;
  auto found = findings_about(facts, "quiet hours");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok);
  EXPECT_EQ(found[0].text, "quiet hours 21:00 to 09:00");

  // Start and end swapped by mistake: quiet from 07:00 to 05:00 leaves 2 hours for messages.
  config = test::parse_minimal_plus("[rules.quiet_hours]\nstart = \"07:00\"\nend = \"05:00\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  facts.config = &*config;
  found = findings_about(facts, "quiet hours");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("leave 2 hour(s) a day"), std::string::npos) << found[0].text;

  config = test::parse_minimal_plus("[rules.quiet_hours]\nstart = \"10:00\"\nend = \"10:00\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  facts.config = &*config;
  found = findings_about(facts, "quiet hours");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("no quiet hours"), std::string::npos) << found[0].text;
}

}  // namespace
}  // namespace regua
