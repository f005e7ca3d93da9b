// TLS refusals on the store's MQTT link against the real Mosquitto (the project's configuration):
// a broker whose certificate is not signed by the pinned CA, has expired or is made for another
// name, and a client certificate the broker's CA did not sign or that has expired, are all refused
// at connect, with an error that says in plain words whose certificate and why (the agent records
// it: `status` shows it as the sync's last error; `doctor` probes the same way).

#include "sync/tls_probe.hpp"
#include "tests/integration/sync_support.hpp"
#include "tests/support/dated_certificate.hpp"

namespace regua::test {
namespace {

std::int64_t tls_test_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Ten days to yesterday: expired.
DatedCertificate expired_certificate(const NetworkPki& pki, std::string name, std::string cn, bool server) {
  const auto now = tls_test_now();
  return {pki.dir, std::move(name), std::move(cn), server, now - 10 * 86'400, now - 86'400};
}

// The store's link refuses to connect, and both its error and doctor's probe say `plain`.
void expect_refused_saying(const MosquittoBroker& broker, const sync::TlsFiles& tls,
                           const std::string& plain) {
  sync::LinkOptions o;
  o.url = broker.url();
  o.client_id = "tls-test";
  o.tls = tls;
  o.connect_timeout = std::chrono::seconds(10);
  auto link = sync::MqttLink::create(o);
  ASSERT_TRUE(link.ok()) << link.error().message;
  auto connected = (*link)->connect();
  ASSERT_FALSE(connected.ok()) << "connected although: " << plain;
  EXPECT_NE(connected.error().message.find("cannot connect"), std::string::npos) << connected.error().message;
  EXPECT_NE(connected.error().message.find(plain), std::string::npos) << connected.error().message;
  const auto probe = sync::probe_broker_tls(broker.url(), tls, std::chrono::seconds(10));
  EXPECT_EQ(probe.stage, sync::ProbeStage::tls) << probe.detail;
  EXPECT_NE(probe.detail.find(plain), std::string::npos) << probe.detail;
}

sync::LinkOptions tls_link_options(const MosquittoBroker& broker, sync::TlsFiles tls) {
  sync::LinkOptions o;
  o.url = broker.url();
  o.client_id = "tls-test";
  o.tls = std::move(tls);
  o.connect_timeout = std::chrono::seconds(10);
  return o;
}

TEST(SyncTls, ABrokerNotSignedByThePinnedCaIsRefused) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  TempDir other_dir;
  const NetworkPki other{other_dir / "pki", kNetwork};
  ASSERT_NO_FATAL_FAILURE(make_network_pki(other, {"a"}));

  // The store pins another network's CA: the broker's certificate does not verify.
  auto link = sync::MqttLink::create(
      tls_link_options(*net.broker, {other.ca(), net.pki().cert("a"), net.pki().key("a")}));
  ASSERT_TRUE(link.ok()) << link.error().message;
  auto connected = (*link)->connect();
  ASSERT_FALSE(connected.ok()) << "connected to a broker the pinned CA did not sign";
  const auto& why = connected.error().message;
  EXPECT_NE(why.find("cannot connect"), std::string::npos) << why;
  EXPECT_NE(why.find("TLS"), std::string::npos) << why;
  EXPECT_NE(why.find("certificate verify failed"), std::string::npos) << why;
  EXPECT_NE(why.find("the broker's certificate is not signed by the CA in [sync] ca"), std::string::npos)
      << why;

  // The right CA with the same files connects: what failed was the CA and nothing else.
  auto right = sync::MqttLink::create(
      tls_link_options(*net.broker, {net.pki().ca(), net.pki().cert("a"), net.pki().key("a")}));
  ASSERT_TRUE(right.ok());
  auto ok = (*right)->connect();
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  (*right)->disconnect();
}

TEST(SyncTls, AClientCertificateOfAnotherCaIsRefused) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  TempDir other_dir;
  const NetworkPki other{other_dir / "pki", kNetwork};
  ASSERT_NO_FATAL_FAILURE(make_network_pki(other, {"a"}));

  // A certificate for the same store name, made by someone else's CA: the broker refuses it.
  auto link = sync::MqttLink::create(
      tls_link_options(*net.broker, {net.pki().ca(), other.cert("a"), other.key("a")}));
  ASSERT_TRUE(link.ok()) << link.error().message;
  auto connected = (*link)->connect();
  ASSERT_FALSE(connected.ok()) << "the broker took a client certificate its CA did not sign";
  EXPECT_NE(connected.error().message.find("cannot connect"), std::string::npos) << connected.error().message;
}

TEST(SyncTls, AnExpiredBrokerCertificateIsRefused) {
  SyncNetwork net({"a"});
  // The broker's certificate ended yesterday (the broker itself serves it without a word).
  ASSERT_EQ(make_dated_certificate(expired_certificate(net.pki(), "broker", "localhost", true)), "");
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  const sync::TlsFiles store{net.pki().ca(), net.pki().cert("a"), net.pki().key("a")};
  expect_refused_saying(*net.broker, store, "the broker's certificate has expired");
  expect_refused_saying(*net.broker, store, "(OpenSSL: certificate has expired)");
}

TEST(SyncTls, AnExpiredStoreCertificateIsRefusedByTheBroker) {
  SyncNetwork net({"a"});
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  // Signed by the right CA, for the right store, but ended yesterday.
  ASSERT_EQ(make_dated_certificate(expired_certificate(net.pki(), "rede-a", "rede/a", false)), "");
  const sync::TlsFiles store{net.pki().ca(), net.pki().cert("a"), net.pki().key("a")};
  expect_refused_saying(*net.broker, store,
                        "the broker refused this store's certificate ([sync] cert): it has expired");

  // A fresh certificate for the same store connects: what was refused was the date.
  ASSERT_EQ(make_dated_certificate(
                {net.pki().dir, "rede-a", "rede/a", false, tls_test_now() - 3'600, tls_test_now() + 86'400}),
            "");
  EXPECT_EQ(sync::probe_broker_tls(net.broker->url(), store, std::chrono::seconds(10)).stage,
            sync::ProbeStage::ok);
}

TEST(SyncTls, ABrokerCertificateForAnotherNameIsRefused) {
  SyncNetwork net({"a"});
  // The network's own CA signed it, but for mqtt.example.com: not for 127.0.0.1, where the store goes.
  std::filesystem::remove(net.pki().dir / "broker.crt");
  std::filesystem::remove(net.pki().dir / "broker.key");
  const auto made = run_command({"/bin/bash", std::string(REGUA_SOURCE_DIR) + "/installer/pki.sh", "broker",
                                 net.pki().dir.string(), "mqtt.example.com"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  const sync::TlsFiles store{net.pki().ca(), net.pki().cert("a"), net.pki().key("a")};
  expect_refused_saying(*net.broker, store, "the broker's certificate is not made for 127.0.0.1");
}

}  // namespace
}  // namespace regua::test
