// doctor's connections against real services: the broker (the real Mosquitto over TLS with the
// project's configuration and ACL) reachable and granting the store its own topic, down, and
// refusing through its ACL a certificate that is not this store's; the message providers' endpoints
// (the local HTTPS stand-in) up, with a CA the agent does not trust, and down. Nothing is sent to a
// provider, and no credential appears in what doctor says.

#include "agent/cli/doctor_links.hpp"

#include "agent/cli/doctor_checks.hpp"
#include "sync/protocol/topics.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/provider_standin.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

constexpr std::chrono::seconds kLinkTimeout{10};

sync::SyncSettings doctor_settings(const SyncNetwork& net, const std::string& store,
                                   const std::string& cert_of) {
  sync::SyncSettings s;
  s.url = net.broker->url();
  s.network = kNetwork;
  s.store = store;
  s.tls = {net.pki().ca(), net.pki().cert(cert_of), net.pki().key(cert_of)};
  return s;
}

// doctor's findings about `fact`, and only those.
std::vector<Finding> link_findings(const DoctorFacts& facts, std::string_view needle) {
  std::vector<Finding> out;
  for (auto& f : run_doctor_checks(facts))
    if (f.text.find(needle) != std::string::npos) out.push_back(std::move(f));
  return out;
}

TEST(DoctorBroker, ReachableAndTheStoreMayReadItsOwnTopic) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  DoctorFacts facts;
  facts.broker = check_broker_link(doctor_settings(net, "a", "a"), kLinkTimeout);
  EXPECT_EQ(facts.broker->probe.stage, sync::ProbeStage::ok) << facts.broker->probe.detail;
  EXPECT_TRUE(facts.broker->problem.empty()) << facts.broker->problem;
  ASSERT_TRUE(facts.broker->suback.has_value());
  EXPECT_LT(*facts.broker->suback, 0x80);
  const auto found = link_findings(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ok) << found[0].text;
  EXPECT_NE(found[0].text.find("subscribed to regua/v1/rede/a/down/#"), std::string::npos) << found[0].text;
}

TEST(DoctorBroker, ABrokerThatIsDownIsSaidToBeUnreachable) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  const auto settings = doctor_settings(net, "a", "a");
  net.broker->kill();
  DoctorFacts facts;
  facts.broker = check_broker_link(settings, kLinkTimeout);
  EXPECT_EQ(facts.broker->probe.stage, sync::ProbeStage::tcp) << facts.broker->probe.detail;
  const auto found = link_findings(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("cannot be reached: nothing accepts connections at 127.0.0.1:" +
                               std::to_string(net.broker->port())),
            std::string::npos)
      << found[0].text;
  EXPECT_EQ(doctor_exit_code(found), 1);
}

TEST(DoctorBroker, ACertificateTheAclRefusesIsNamed) {
  SyncNetwork net({"a", "b"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  // Store a's configuration with store b's certificate: TLS is fine (the network's CA signed it),
  // the broker's ACL gives user "rede/b" nothing under rede/a. Mosquitto 2.0 still grants the
  // subscription (reason code 1) and then delivers nothing: doctor names the certificate's user.
  DoctorFacts facts;
  facts.broker = check_broker_link(doctor_settings(net, "a", "b"), kLinkTimeout);
  EXPECT_EQ(facts.broker->probe.stage, sync::ProbeStage::ok) << facts.broker->probe.detail;
  EXPECT_TRUE(facts.broker->problem.empty()) << facts.broker->problem;
  EXPECT_EQ(facts.broker->certificate_user, "rede/b");
  EXPECT_EQ(facts.broker->store_user, "rede/a");
  auto found = link_findings(facts, "broker ssl://");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(
      found[0].text.find("the broker's ACL lets this store's certificate (MQTT user \"rede/b\", its CN)"),
      std::string::npos)
      << found[0].text;
  EXPECT_NE(found[0].text.find("not regua/v1/rede/a/down/#"), std::string::npos) << found[0].text;

  // What the ACL really does with it: a message the hub sends to store a never reaches it.
  auto hub = net.client("hub");
  auto wrong = net.client("b");
  ASSERT_TRUE(hub && wrong);
  ASSERT_TRUE(wrong->subscribe(facts.broker->topic).ok());
  ASSERT_TRUE(
      hub->publish_and_wait(sync::topic_for(kNetwork, "a", sync::Direction::down, "ack"), "for-a").ok());
  ASSERT_TRUE(wrong->subscribe(sync::store_filter(kNetwork, "b", sync::Direction::down)).ok());
  ASSERT_TRUE(
      hub->publish_and_wait(sync::topic_for(kNetwork, "b", sync::Direction::down, "ack"), "marker").ok());
  std::vector<std::string> got;
  ASSERT_TRUE(wait_until([&] {
    while (auto e = wrong->next_event(std::chrono::milliseconds(10))) {
      if (e->kind == sync::LinkEvent::Kind::message) got.push_back(e->payload);
    }
    return !got.empty() && got.back() == "marker";
  }));
  EXPECT_EQ(got, std::vector<std::string>{"marker"}) << "store b's certificate read store a's message";
}

TEST(DoctorChannels, ProvidersUpWithTheirCaTrustedUntrustedAndDown) {
  TempDir dir;
  TestPki pki(dir / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  ProviderStandin standin(pki.server_cert(), pki.server_key());
  ASSERT_TRUE(standin.started());

  ChannelsConfig c;
  c.sms = ProviderKind::twilio;
  c.whatsapp = ProviderKind::whatsapp_cloud;
  c.twilio.base_url = standin.base_url();
  c.twilio.auth_token = ProviderStandin::kAuthToken;
  c.whatsapp_cloud.base_url = standin.base_url();
  c.whatsapp_cloud.access_token = ProviderStandin::kWhatsappToken;
  c.ca_file = pki.ca_cert();
  DoctorFacts facts;
  facts.channels = check_channel_endpoints(c, kLinkTimeout);
  ASSERT_EQ(facts.channels.size(), 2u);
  EXPECT_EQ(facts.channels[0].channels, "sms");
  EXPECT_EQ(facts.channels[0].provider, "twilio");
  EXPECT_EQ(facts.channels[0].endpoint, "https://127.0.0.1:" + std::to_string(standin.port()));
  EXPECT_TRUE(facts.channels[0].problem.empty()) << facts.channels[0].problem;
  EXPECT_TRUE(facts.channels[1].problem.empty()) << facts.channels[1].problem;
  auto found = link_findings(facts, "reachable, its TLS certificate verified");
  EXPECT_EQ(found.size(), 2u);
  EXPECT_EQ(standin.count(), 0u) << "doctor sends nothing to a provider";

  // Without the CA that signed the stand-in's certificate, TLS refuses it: said, with what to do.
  c.ca_file.reset();
  facts.channels = check_channel_endpoints(c, kLinkTimeout);
  ASSERT_EQ(facts.channels.size(), 2u);
  EXPECT_NE(facts.channels[0].problem.find("certificate"), std::string::npos) << facts.channels[0].problem;

  // A provider that is down.
  c.ca_file = pki.ca_cert();
  c.twilio.base_url = "https://127.0.0.1:" + std::to_string(free_loopback_port());
  facts.channels = check_channel_endpoints(c, kLinkTimeout);
  ASSERT_EQ(facts.channels.size(), 2u);
  EXPECT_FALSE(facts.channels[0].problem.empty());
  EXPECT_TRUE(facts.channels[1].problem.empty()) << facts.channels[1].problem;
  found = link_findings(facts, "sms (twilio)");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::action);
  EXPECT_NE(found[0].text.find("cannot connect"), std::string::npos) << found[0].text;
  for (const auto& f : run_doctor_checks(facts)) {
    EXPECT_EQ(f.text.find(ProviderStandin::kAuthToken), std::string::npos) << f.text;
    EXPECT_EQ(f.text.find(ProviderStandin::kWhatsappToken), std::string::npos) << f.text;
  }
  EXPECT_EQ(standin.count(), 0u);
}

// E-mail over SMTP with STARTTLS required (Debian's aiosmtpd, tests/support/smtp_standin.py): the
// greeting and STARTTLS with the certificate verified, no login and no message; then the server down.
TEST(DoctorChannels, AnSmtpServerIsReachedThroughStarttlsWithoutLoggingIn) {
  TempDir dir;
  TestPki pki(dir / "pki");
  ASSERT_TRUE(pki.ok()) << pki.error();
  const int port = free_loopback_port();
  std::filesystem::create_directories(dir / "mail");
  auto smtp = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          "/usr/bin/python3", std::string(REGUA_SOURCE_DIR) + "/tests/support/smtp_standin.py", "--port",
          std::to_string(port), "--cert", pki.server_cert().string(), "--key", pki.server_key().string(),
          "--mode", "starttls", "--maildir", (dir / "mail").string(), "--ready",
          (dir / "smtp.ready").string(), "--user", "loja", "--password", "smtp-password-5ecret"},
      dir / "smtp.log");
  ASSERT_TRUE(
      wait_until([&] { return std::filesystem::exists(dir / "smtp.ready"); }, std::chrono::seconds(30)))
      << read_file(dir / "smtp.log");

  ChannelsConfig c;
  c.email = ProviderKind::smtp;
  c.smtp.host = "127.0.0.1";
  c.smtp.port = port;
  c.smtp.username = "loja";
  c.smtp.password = "smtp-password-5ecret";
  c.ca_file = pki.ca_cert();
  DoctorFacts facts;
  facts.channels = check_channel_endpoints(c, kLinkTimeout);
  ASSERT_EQ(facts.channels.size(), 1u);
  EXPECT_EQ(facts.channels[0].endpoint, "smtp://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(facts.channels[0].problem.empty()) << facts.channels[0].problem;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "mail")) << "doctor sends no message";

  smtp->signal(SIGTERM);
  smtp->wait();
  facts.channels = check_channel_endpoints(c, kLinkTimeout);
  ASSERT_EQ(facts.channels.size(), 1u);
  EXPECT_FALSE(facts.channels[0].problem.empty());
  for (const auto& f : run_doctor_checks(facts))
    EXPECT_EQ(f.text.find("smtp-password-5ecret"), std::string::npos) << f.text;
}

// The whole way: a store running with its hub; `regua-agent doctor` (the real binary) finds the
// broker reachable and authorising, the hub's clock heard (the hub puts it on its acks) and close
// to this machine's, and says how long records have waited.
TEST(DoctorLinks, ARunningStoreWithItsHubIsFoundHealthy) {
  SyncNetwork net({"centro"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  AgentStore store{"centro"};
  net.join(store, "centro");
  append_file(store.pos_file, pos_sale(1, "2026-03-02T10:00:00-03:00"));
  auto hub = net.start_hub();
  auto agent = store.start_agent();
  ASSERT_TRUE(wait_until([&] {
    const auto status = store.status();
    return status.is_object() && status["sync"]["state"] == "connected";
  })) << read_file(store.dir / "agent.log");
  // The hub's answer to the hello carries its clock; the agent records it as it arrives.
  ASSERT_TRUE(wait_until([&] {
    const auto doctor = run_command(store.command({"doctor"}));
    return doctor.out.find("clock: within") != std::string::npos;
  })) << run_command(store.command({"doctor"})).out;
  const auto doctor = run_command(store.command({"doctor"}));
  EXPECT_NE(doctor.out.find("broker ssl://127.0.0.1:" + std::to_string(net.broker->port()) + ": reachable"),
            std::string::npos)
      << doctor.out;
  EXPECT_NE(doctor.out.find("outbox: "), std::string::npos) << doctor.out;
  EXPECT_EQ(doctor.out.find("broker ssl://127.0.0.1:" + std::to_string(net.broker->port()) + ": cannot"),
            std::string::npos)
      << doctor.out;
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(), 0);
}

}  // namespace
}  // namespace regua::test
