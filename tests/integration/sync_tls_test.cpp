// TLS refusals on the store's MQTT link against the real Mosquitto (the project's configuration):
// a broker whose certificate is not signed by the pinned CA, and a client certificate the broker's
// CA did not sign, are both refused at connect, with an error that says it is TLS and why.

#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

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

}  // namespace
}  // namespace regua::test
