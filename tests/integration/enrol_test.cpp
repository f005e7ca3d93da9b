// Enrolling a store through the real binaries: `regua-hub enrol token`, `regua-hub run` with
// [enrolment], `regua-agent enroll`; the enrolled agent then syncs over TLS through the real
// Mosquitto and its ACL with the certificate it got, and its sales reach the hub. A used token, an
// expired one, and an endpoint whose CA is not the one the token pins are refused, clearly.

#include <sys/stat.h>

#include "tests/integration/sync_support.hpp"
#include "tests/support/free_port.hpp"

namespace regua::test {
namespace {

class EnrolTest : public ::testing::Test {
 protected:
  EnrolTest() : net({}) {}

  void SetUp() override {
    const auto script = std::string(REGUA_SOURCE_DIR) + "/installer/pki.sh";
    const auto made =
        run_command({"/bin/bash", script, "enrolment", net.pki().dir.string(), "localhost", "127.0.0.1"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    enrol_port = free_loopback_port();
    const auto pki = net.pki().dir;
    // TOML tables may come in any order: [enrolment] goes in before [broker].
    net.hub_keys = "\n[enrolment]\nlisten = \"127.0.0.1:" + std::to_string(enrol_port) + "\"\ncert = \"" +
                   (pki / "enrolment.crt").string() + "\"\nkey = \"" + (pki / "enrolment.key").string() +
                   "\"\nca_cert = \"" + net.pki().ca().string() + "\"\nca_key = \"" +
                   (pki / "ca.key").string() + "\"\ncert_days = 30\n";
    ASSERT_TRUE(net.start_broker().ok()) << read_file(net.broker->log());
  }

  std::string make_token(const std::string& store, const std::string& ttl = "1h") {
    const auto r = net.hub_command({"enrol", "token", "--store", store, "--ttl", ttl});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto token = r.out;
    while (!token.empty() && token.back() == '\n')
      token.pop_back();
    return token;
  }

  // The store's [sync], its certificates to come into its own pki/ folder.
  void join(AgentStore& store) const {
    append_file(store.config,
                "\n[sync]\nbroker = \"" + net.broker->url() + "\"\nnetwork = \"" + kNetwork +
                    "\"\nca = \"pki/ca.crt\"\ncert = \"pki/store.crt\"\nkey = \"pki/store.key\"\n"
                    "pii = \"none\"\nack_timeout_s = 3\nheartbeat_s = 2\nreconnect_min_ms = 100\n"
                    "reconnect_max_ms = 1500\ninitial_delay_max_ms = 100\n");
  }

  CommandResult enroll(const AgentStore& store, const std::string& token,
                       std::vector<std::string> more = {}) const {
    auto args = store.command({"enroll", "--hub", hub_url(), "--token", token});
    args.insert(args.end(), more.begin(), more.end());
    return run_command(args);
  }

  [[nodiscard]] std::string hub_url() const { return "https://127.0.0.1:" + std::to_string(enrol_port); }

  SyncNetwork net;
  int enrol_port = 0;
};

TEST_F(EnrolTest, AStoreEnrolsWithATokenThenSyncsAndEveryBadTokenIsRefused) {
  const auto token = make_token("centro");
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  auto hub = net.start_hub();
  ASSERT_TRUE(wait_until([&] { return port_listening(enrol_port); }, std::chrono::seconds(30)))
      << read_file(net.dir / "hub.log");

  AgentStore store("centro");
  join(store);
  const auto enrolled = enroll(store, token);
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err << enrolled.out << read_file(net.dir / "hub.log");
  EXPECT_NE(enrolled.out.find("enrolled as rede/centro"), std::string::npos) << enrolled.out;
  struct stat key_stat {};
  ASSERT_EQ(::stat((store.dir / "pki" / "store.key").c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  EXPECT_EQ(read_file(store.dir / "pki" / "ca.crt"), read_file(net.pki().ca()));
  EXPECT_FALSE(std::filesystem::exists(store.dir / "pki" / "store.key.enrol-tmp"));
  // The hub logged the enrolment, never the token's secret.
  const auto secret = token.substr(token.find('.') + 1, 48);
  EXPECT_NE(read_file(net.dir / "hub.log").find("enrolled store centro"), std::string::npos);
  EXPECT_EQ(read_file(net.dir / "hub.log").find(secret), std::string::npos);

  // The enrolled store syncs through the broker's ACL with its new certificate.
  auto agent = store.start_agent();
  append_file(store.pos_file,
              pos_sale(1, "2026-03-02T10:00:00-03:00") + pos_sale(2, "2026-03-02T10:05:00-03:00"));
  EXPECT_TRUE(wait_until(
      [&] { return reconcile_sync({store.pos_file}, store.ledger, net.hub_db, "centro", false).ok(); },
      std::chrono::seconds(90)))
      << reconcile_sync({store.pos_file}, store.ledger, net.hub_db, "centro", false).text()
      << read_file(store.dir / "agent.log");
  agent->signal(SIGTERM);
  agent->wait();

  // The same token again (into a fresh folder, so that only the token can be the reason): used.
  AgentStore again("centro");
  auto reused = enroll(again, token, {"--dir", (again.dir / "certs").string()});
  EXPECT_EQ(reused.exit_code, 1);
  EXPECT_NE(reused.err.find("already used"), std::string::npos) << reused.err;
  EXPECT_FALSE(std::filesystem::exists(again.dir / "certs" / "store.key"));
  // A second enrol into the enrolled store's folder is refused before the hub is asked.
  const auto fresh = make_token("centro");
  auto twice = enroll(store, fresh);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("exists already"), std::string::npos) << twice.err;

  // An expired token.
  const auto short_lived = make_token("norte", "1s");
  ASSERT_TRUE(wait_until([&] {
    const auto listed = net.hub_command({"enrol", "tokens", "--json"});
    const auto j = nlohmann::json::parse(listed.out, nullptr, false);
    if (!j.is_object()) return false;
    for (const auto& t : j["tokens"]) {
      if (t["store"] == "norte") return t["state"] == "expired";
    }
    return false;
  }));
  AgentStore norte("norte");
  join(norte);
  auto expired = enroll(norte, short_lived);
  EXPECT_EQ(expired.exit_code, 1);
  EXPECT_NE(expired.err.find("expired"), std::string::npos) << expired.err;

  // A token whose pin is not this endpoint's CA: refused before the token is sent, and the token
  // (still unused) works with the right pin afterwards.
  const auto good = make_token("norte");
  const auto wrong_pin = good.substr(0, good.rfind('.') + 1) + std::string(64, '0');
  auto pinned = enroll(norte, wrong_pin);
  EXPECT_EQ(pinned.exit_code, 1);
  EXPECT_NE(pinned.err.find("is not the one the token pins"), std::string::npos) << pinned.err;
  EXPECT_FALSE(std::filesystem::exists(norte.dir / "pki" / "store.key"));
  auto ok = enroll(norte, good);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  // The listing shows each token's state, never a secret.
  const auto listed = net.hub_command({"enrol", "tokens"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("4 enrolment token(s)"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(secret), std::string::npos);
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(), 0);
}

}  // namespace
}  // namespace regua::test
