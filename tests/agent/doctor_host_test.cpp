// doctor's findings about the machine: free disk space, the sync certificates' expiry (read from
// real PEM files made by openssl), quiet hours, how long records have waited for the hub, this
// machine's clock against the hub's, and how the broker and the providers' connections went (the
// connections themselves are in tests/integration/doctor_links_test.cpp); each in plain words with
// what to do, and the exit code scripts read.

#include "agent/cli/doctor_host.hpp"

#include <gtest/gtest.h>

#include "agent/cli/doctor_checks.hpp"
#include "local/core/timestamp.hpp"
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

// Facts of a store with [sync] whose ledger was read.
struct SyncedDoctorFacts {
  SyncedDoctorFacts() {
    auto parsed = test::parse_minimal_plus(
        "[sync]\nbroker = \"ssl://127.0.0.1:8883\"\nnetwork = \"rede\"\nca = \"ca.crt\"\n"
        "cert = \"c.crt\"\nkey = \"c.key\"\npii = \"none\"\n");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    if (parsed.ok()) config = std::move(*parsed);
    facts.config = &config;
    facts.sync = SyncStatus{};
    facts.sync->configured = true;
    facts.now = from_unix(1'780'000'000);
  }
  AgentConfig config;
  DoctorFacts facts;
};

TEST(DoctorHost, RecordsWaitingForTheHubForOverADayAreAdviceNamingHowManyAndSince) {
  SyncedDoctorFacts s;
  auto& facts = s.facts;
  facts.outbox_age = sync::OutboxAge{0, std::nullopt};
  auto found = findings_about(facts, "outbox:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok);
  EXPECT_EQ(found[0].text, "outbox: nothing waits for the hub");

  facts.outbox_age = sync::OutboxAge{120, facts.now - std::chrono::hours(3)};
  found = findings_about(facts, "outbox:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok) << found[0].text;
  EXPECT_NE(found[0].text.find("120 record(s) wait for the hub, the oldest for 3 h"), std::string::npos)
      << found[0].text;

  // Three days offline: worth knowing, never a failure (stores may be offline by design).
  facts.outbox_age = sync::OutboxAge{4500, facts.now - std::chrono::days(3)};
  found = findings_about(facts, "outbox:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("4500 record(s) wait for the hub, the oldest since " +
                               format_utc(facts.now - std::chrono::days(3)) + " (3 day(s))"),
            std::string::npos)
      << found[0].text;
  EXPECT_NE(found[0].text.find("nothing is lost"), std::string::npos);

  // Without [sync] there is no hub to wait for.
  facts.sync->configured = false;
  EXPECT_TRUE(findings_about(facts, "outbox:").empty());
}

TEST(DoctorHost, ClockSkewAgainstTheHub) {
  SyncedDoctorFacts s;
  auto& facts = s.facts;
  facts.hub_clock_read = true;
  auto found = findings_about(facts, "clock:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("never heard from its hub"), std::string::npos) << found[0].text;

  const auto heard = facts.now - std::chrono::hours(1);
  facts.hub_clock = sync::HubClockReading{heard - std::chrono::seconds(4), heard};
  found = findings_about(facts, "clock:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok) << found[0].text;
  EXPECT_NE(found[0].text.find("within 4 s of the hub's"), std::string::npos) << found[0].text;

  facts.hub_clock = sync::HubClockReading{heard + std::chrono::minutes(3), heard};
  found = findings_about(facts, "clock:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::advice);
  EXPECT_NE(found[0].text.find("3 min behind the hub's"), std::string::npos) << found[0].text;
  EXPECT_NE(found[0].text.find("timedatectl set-ntp true"), std::string::npos);

  facts.hub_clock = sync::HubClockReading{heard - std::chrono::hours(2), heard};
  found = findings_about(facts, "clock:");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("2 h ahead of the hub's"), std::string::npos) << found[0].text;
  EXPECT_EQ(doctor_exit_code(findings_about(facts, "clock:")), 1);
}

TEST(DoctorHost, BrokerAndChannelFindingsSayWhatFailed) {
  SyncedDoctorFacts s;
  auto& facts = s.facts;
  BrokerFact b;
  b.url = "ssl://127.0.0.1:8883";
  b.topic = "regua/v1/rede/centro/down/#";
  b.suback = 1;
  b.certificate_user = "rede/centro";
  b.store_user = "rede/centro";
  facts.broker = b;
  auto found = findings_about(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok) << found[0].text;

  facts.broker->suback = 0x87;
  found = findings_about(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("ACL refuses"), std::string::npos) << found[0].text;
  EXPECT_NE(found[0].text.find("not authorised"), std::string::npos) << found[0].text;
  EXPECT_NE(found[0].text.find("\"rede/centro\""), std::string::npos) << found[0].text;

  // Granted, but the certificate is another store's: Mosquitto grants it and delivers nothing.
  facts.broker->suback = 1;
  facts.broker->certificate_user = "rede/norte";
  found = findings_about(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("MQTT user \"rede/norte\""), std::string::npos) << found[0].text;

  facts.broker->suback.reset();
  facts.broker->probe = {sync::ProbeStage::tls, "the broker's certificate has expired"};
  found = findings_about(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("TLS refused: the broker's certificate has expired"), std::string::npos);

  facts.channels = {ChannelFact{"sms, whatsapp", "webhook", "https://gw.example.com:443", ""},
                    ChannelFact{"email", "smtp", "smtp://mail.example.com:587", "Could not resolve host"}};
  found = findings_about(facts, "example.com");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].severity, Severity::ok);
  EXPECT_EQ(found[1].severity, Severity::action);
  EXPECT_NE(found[1].text.find("email (smtp) at smtp://mail.example.com:587: cannot connect (Could not "
                               "resolve host)"),
            std::string::npos)
      << found[1].text;
}

}  // namespace
}  // namespace regua
