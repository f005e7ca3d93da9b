// The hub's configuration: the storage backend and its keys, read strictly (file, line, key).

#include "cloud/hub_config.hpp"

#include <gtest/gtest.h>

#include "cloud/storage/pg_connection.hpp"
#include "cloud/storage/postgres_hub_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {
namespace {

constexpr std::string_view kBrokerSection =
    "\n[broker]\nurl = \"ssl://127.0.0.1:8883\"\nca = \"ca.crt\"\ncert = \"hub.crt\"\nkey = \"hub.key\"\n";

Result<hub::HubConfig> load_hub(TempDir& dir, const std::string& hub_lines) {
  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + hub_lines + std::string(kBrokerSection));
  return hub::load_hub_config(dir / "hub.toml");
}

TEST(HubConfigTest, SqliteIsTheDefaultNextToTheFile) {
  TempDir dir;
  auto config = load_hub(dir, "");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->storage, hub::HubStorage::sqlite);
  EXPECT_EQ(config->database, (dir.path() / "hub.db").lexically_normal());
  EXPECT_EQ(config->stats_every, std::chrono::seconds(60));
}

TEST(HubConfigTest, PostgresqlTakesALibpqConnectionString) {
  TempDir dir;
  auto config = load_hub(dir,
                         "storage = \"postgresql\"\npostgresql = \"host=db port=5432 dbname=hub\"\n"
                         "stats_every_s = 5\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->storage, hub::HubStorage::postgresql);
  EXPECT_EQ(config->postgresql, "host=db port=5432 dbname=hub");
  EXPECT_EQ(config->stats_every, std::chrono::seconds(5));
}

TEST(HubConfigTest, PostgresqlWithoutWhereIsAnError) {
  TempDir dir;
  auto config = load_hub(dir, "storage = \"postgresql\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::config);
  EXPECT_NE(config.error().message.find("hub.toml: [hub] storage = \"postgresql\" needs postgresql ="),
            std::string::npos)
      << config.error().message;
}

TEST(HubConfigTest, AnUnknownStorageOrAValueOutOfRangeNamesTheLineAndWhatIsAllowed) {
  TempDir dir;
  auto config = load_hub(dir, "storage = \"mysql\"\nstats_every_s = 0\npostgres = \"x\"\n");
  ASSERT_FALSE(config.ok());
  const auto& m = config.error().message;
  EXPECT_NE(m.find("hub.toml:3: [hub] storage: \"mysql\" is not a storage: use \"sqlite\" or \"postgresql\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("hub.toml:4: [hub] stats_every_s must be an integer from 1 to 86400"), std::string::npos)
      << m;
  EXPECT_NE(m.find("hub.toml:5: [hub] unknown key postgres"), std::string::npos) << m;
}

TEST(HubConfigTest, APasswordInTheConnectionStringIsNeverLogged) {
  EXPECT_EQ(hub::pg::redacted_conninfo("host=db password=s3cret dbname=hub"),
            "PostgreSQL (host=db password=*** dbname=hub)");
  EXPECT_EQ(hub::pg::redacted_conninfo("host=db password = 'a b\\' c' dbname=hub"),
            "PostgreSQL (host=db password = *** dbname=hub)");
  EXPECT_EQ(hub::pg::redacted_conninfo("postgresql://hub:s3cret@db:5432/hub"),
            "PostgreSQL (postgresql://hub:***@db:5432/hub)");
  EXPECT_EQ(hub::pg::redacted_conninfo("postgresql://hub@db/hub"), "PostgreSQL (postgresql://hub@db/hub)");
  // And a failed connection says where, without it.
  auto failed = hub::open_postgres_hub_store("host=127.0.0.1 port=1 password=s3cret connect_timeout=5");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message.find("s3cret"), std::string::npos) << failed.error().message;
  EXPECT_NE(failed.error().message.find("check [hub] postgresql"), std::string::npos)
      << failed.error().message;
}

TEST(HubConfigTest, EnrolmentIsOptionalAndItsKeysAreReadStrictly) {
  TempDir dir;
  auto plain = load_hub(dir, "");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->enrolment.has_value());

  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + std::string(kBrokerSection) +
                                   "[enrolment]\nlisten = \"[::]:8443\"\ncert = \"e.crt\"\nkey = \"e.key\"\n"
                                   "ca_cert = \"ca.crt\"\nca_key = \"/secure/ca.key\"\n");
  auto config = hub::load_hub_config(dir / "hub.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_TRUE(config->enrolment.has_value());
  EXPECT_EQ(config->enrolment->host, "::");
  EXPECT_EQ(config->enrolment->port, 8443);
  EXPECT_EQ(config->enrolment->cert, (dir.path() / "e.crt").lexically_normal());
  EXPECT_EQ(config->enrolment->ca_key, "/secure/ca.key");
  EXPECT_EQ(config->enrolment->cert_days, 825);

  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + std::string(kBrokerSection) +
                                   "[enrolment]\nlisten = \"8443\"\ncert_days = 0\nca = \"x\"\n");
  auto bad = hub::load_hub_config(dir / "hub.toml");
  ASSERT_FALSE(bad.ok());
  const auto& m = bad.error().message;
  EXPECT_NE(m.find("hub.toml:10: [enrolment] listen: \"8443\" is not HOST:PORT"), std::string::npos) << m;
  EXPECT_NE(m.find("hub.toml:11: [enrolment] cert_days must be an integer from 1 to 3650"), std::string::npos)
      << m;
  EXPECT_NE(m.find("hub.toml:12: [enrolment] unknown key ca"), std::string::npos) << m;
  EXPECT_NE(m.find("[enrolment] ca_key is required"), std::string::npos) << m;
}

TEST(HubConfigTest, TheApiIsOffWithoutItsSectionAndListensWhereItSays) {
  TempDir dir;
  auto off = load_hub(dir, "");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->api.enabled());

  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + std::string(kBrokerSection) +
                                   "[api]\nlisten = \"127.0.0.1:8620\"\ncert = \"pki/api.crt\"\nkey = "
                                   "\"/etc/regua/api.key\"\n");
  auto on = hub::load_hub_config(dir / "hub.toml");
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_TRUE(on->api.enabled());
  EXPECT_EQ(on->api.host, "127.0.0.1");
  EXPECT_EQ(on->api.port, 8620);
  EXPECT_EQ(on->api.cert, (dir.path() / "pki/api.crt").lexically_normal()) << "relative to the file";
  EXPECT_EQ(on->api.key, std::filesystem::path("/etc/regua/api.key"));

  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + std::string(kBrokerSection) +
                                   "[api]\nlisten = \"[::1]:9000\"\ncert = \"c\"\nkey = \"k\"\n"
                                   "host_names = [\"hq.rede.com.br\", \"painel\"]\n");
  auto v6 = hub::load_hub_config(dir / "hub.toml");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->api.host, "::1");
  EXPECT_EQ(v6->api.port, 9000);
  EXPECT_EQ(v6->api.host_names, (std::vector<std::string>{"hq.rede.com.br", "painel"}));
  EXPECT_TRUE(on->api.host_names.empty()) << "none by default";
}

TEST(HubConfigTest, ApiMistakesNameTheFileTheLineAndTheKey) {
  TempDir dir;
  const auto file = (dir / "hub.toml").string();
  // [api] is line 9.
  write_file(dir / "hub.toml", "[hub]\nnetwork = \"rede\"\n" + std::string(kBrokerSection) +
                                   "[api]\nlisten = \"127.0.0.1:99999\"\nkey = 5\norigin = \"*\"\n"
                                   "host_names = [\"hq.rede.com.br\", \"Evil Host:80\"]\n");
  auto bad = hub::load_hub_config(dir / "hub.toml");
  ASSERT_FALSE(bad.ok());
  const auto& m = bad.error().message;
  EXPECT_NE(m.find(file + ":10: [api] listen: \"127.0.0.1:99999\" is not host:port"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ":9: [api] cert is required"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ":11: [api] key must be a string"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ":12: [api] unknown key origin"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ":13: [api] host_names: each element must be a DNS name"), std::string::npos) << m;
}

}  // namespace
}  // namespace regua::test
