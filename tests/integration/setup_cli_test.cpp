// `regua-agent setup`: the first run on a POS machine writes a configuration the agent runs with.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/agent_store.hpp"

namespace regua {
namespace {

using test::run_command;
using test::TempDir;

std::vector<std::string> setup(const std::filesystem::path& config, std::vector<std::string> flags) {
  std::vector<std::string> args{test::kAgentBinary, "setup", "--config", config.string()};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

TEST(SetupCli, FlagsAloneWriteAConfigurationTheAgentRuns) {
  TempDir dir;
  const auto config = dir / "etc" / "agent.toml";
  auto r = run_command(setup(config, {"--non-interactive", "--store-id", "loja-7", "--timezone",
                                      "America/Manaus", "--pos", (dir / "pos" / "vendas.jsonl").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("does not exist yet"), std::string::npos) << r.out;
  struct stat st {};
  ASSERT_EQ(::stat(config.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  const auto text = test::read_file(config);
  EXPECT_NE(text.find("timezone = 'America/Manaus'"), std::string::npos) << text;

  std::filesystem::create_directories(dir / "pos");
  test::write_file(dir / "pos" / "vendas.jsonl",
                   R"({"type":"sale","id":"S-1","ts":"2026-03-01T10:00:00-04:00","total":"9.90"})"
                   "\n");
  auto imported = run_command(
      {test::kAgentBinary, "import", "--config", config.string(), (dir / "pos" / "vendas.jsonl").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto status = run_command({test::kAgentBinary, "status", "--json", "--config", config.string()});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["sales"], 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "etc" / "ledger.db")) << "the ledger beside the configuration";
}

TEST(SetupCli, AsksForWhatIsMissingAndAsksAgainAfterAWrongAnswer) {
  TempDir dir;
  const auto config = dir / "agent.toml";
  // Store id (bad, then good), name (default), time zone (bad, then good), country, kind, POS file,
  // the CSV's delimiter (two characters, then one) and columns, ledger, hub (none).
  const std::string answers = "loja centro\nloja-centro\n\nAmerica/Sao_Pablo\nAmerica/Recife\n\ncsv\n" +
                              (dir / "export.csv").string() + "\n;;\n;\nCupom\nData\nValor\n\n\n\n";
  auto r = run_command(setup(config, {}), answers);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"loja centro\": use 1 to 64 letters"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"America/Sao_Pablo\": not an IANA time zone"), std::string::npos) << r.out;
  const auto text = test::read_file(config);
  EXPECT_NE(text.find("id = 'loja-centro'"), std::string::npos) << text;
  EXPECT_NE(text.find("name = 'loja-centro'"), std::string::npos) << text;
  EXPECT_NE(text.find("timezone = 'America/Recife'"), std::string::npos) << text;
  EXPECT_NE(text.find("kind = 'csv'"), std::string::npos) << text;
  EXPECT_NE(text.find("sale_id = 'Cupom'"), std::string::npos) << text;
  EXPECT_NE(r.out.find("\";;\": one character"), std::string::npos) << r.out;
  auto doctor_reads_it = run_command({test::kAgentBinary, "status", "--config", config.string()});
  EXPECT_NE(doctor_reads_it.exit_code, 2) << "the configuration is valid: " << doctor_reads_it.err;
}

TEST(SetupCli, NeverReplacesAConfigurationUnlessForcedAndNamesWhatIsMissing) {
  TempDir dir;
  const auto config = dir / "agent.toml";
  test::write_file(config, "# the store's own\n");
  auto r = run_command(setup(config, {"--non-interactive", "--store-id", "x", "--pos", "p.jsonl"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already exists: pass --force"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(config), "# the store's own\n");

  r = run_command(setup(dir / "other.toml", {"--non-interactive", "--store-id", "x"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--non-interactive needs --pos"), std::string::npos) << r.err;
  r = run_command(setup(dir / "other.toml", {"--non-interactive", "--store-id", "x", "--pos", "p",
                                             "--timezone", "Mars/Olympus"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--timezone \"Mars/Olympus\": not an IANA time zone"), std::string::npos) << r.err;
  r = run_command(setup(dir / "other.toml", {}), "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stdin ended): pass --store-id"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "other.toml"));
}

}  // namespace
}  // namespace regua
