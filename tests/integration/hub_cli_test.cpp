// `regua-hub stores` and `regua-hub store set`: HQ's profile of each store (groups, silence
// threshold) and the network's health, through the real binary on its default SQLite storage.

#include "tests/integration/sync_support.hpp"

namespace regua::test {
namespace {

class HubCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir / "hub.toml",
               "[hub]\nnetwork = \"rede\"\nsilent_after_s = 600\n\n[broker]\nurl = \"ssl://127.0.0.1:8883\"\n"
               "ca = \"ca.crt\"\ncert = \"hub.crt\"\nkey = \"hub.key\"\n");
  }
  CommandResult hub(std::vector<std::string> args) {
    args.insert(args.begin(), kHubBinary);
    args.push_back("--config");
    args.push_back((dir / "hub.toml").string());
    return run_command(args);
  }
  TempDir dir;
};

TEST_F(HubCliTest, HqRegistersAndGroupsStoresAndTheirSilenceIsFlagged) {
  auto set = hub({"store", "set", "--store", "sul", "--name", "Loja Sul", "--region", "sul", "--format",
                  "rua", "--silent-after-s", "120"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("silent after 120 s"), std::string::npos) << set.out;
  // Only what is given changes.
  set = hub({"store", "set", "--store", "sul", "--format", "shopping"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  set = hub({"store", "set", "--store", "norte", "--region", "norte"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("the hub's default (600 s)"), std::string::npos) << set.out;

  const auto listed = hub({"stores", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto j = nlohmann::json::parse(listed.out);
  EXPECT_EQ(j["network"], "rede");
  ASSERT_EQ(j["stores"].size(), 2u);
  const auto& sul = j["stores"][1];
  EXPECT_EQ(sul["store"], "sul");
  EXPECT_EQ(sul["name"], "Loja Sul");
  EXPECT_EQ(sul["region"], "sul");
  EXPECT_EQ(sul["format"], "shopping");
  EXPECT_EQ(sul["silent_after_s"], 120);
  EXPECT_EQ(sul["silent"], true) << "registered, never seen";
  EXPECT_TRUE(sul["last_seen"].is_null());
  EXPECT_EQ(j["stores"][0]["silent_after_s"], 600);

  const auto text = hub({"stores"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("2 store(s), 2 silent"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("sul (Loja Sul), region sul, format shopping: SILENT"), std::string::npos)
      << text.out;
}

TEST_F(HubCliTest, ABadStoreIdIsAUsageError) {
  const auto r = hub({"store", "set", "--store", "não é id", "--region", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a store id"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace regua::test
