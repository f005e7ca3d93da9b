#pragma once
// A store folder (configuration, POS file, ledger) for driving the real regua-agent binary.

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "local/ledger/sqlite.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {

inline const std::string kAgentBinary = REGUA_AGENT_BIN;

class AgentStore {
 public:
  explicit AgentStore(std::string store_id = "centro") : id_(std::move(store_id)) {
    write_file(config, "[store]\nid = \"" + id_ +
                           "\"\nname = \"Loja de Teste\"\n\n[ledger]\npath = "
                           "\"ledger.db\"\n\n[http]\nenabled = false\n\n[[source]]\nname = "
                           "\"pdv\"\nkind = \"jsonl\"\npath = \"pos/sales.jsonl\"\npoll_interval_ms = 200\n");
    std::filesystem::create_directories(pos_folder);
  }

  [[nodiscard]] std::vector<std::string> command(std::vector<std::string> args) const {
    args.insert(args.begin(), kAgentBinary);
    args.push_back("--config");
    args.push_back(config.string());
    return args;
  }

  // `regua-agent status --json`, parsed; null when the command failed.
  [[nodiscard]] nlohmann::json status() const {
    auto r = run_command(command({"status", "--json"}));
    if (r.exit_code != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  // Waits until the agent has read all of the POS file, as `status` tells it.
  bool wait_caught_up(std::chrono::seconds limit = std::chrono::seconds(60)) const {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      const auto s = status();
      if (s.is_object() && s["sources"][0]["state"] == "up to date") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // One integer read from the ledger (a count, a sum); -1 while it cannot be read (not created yet).
  [[nodiscard]] std::int64_t ledger_int(std::string_view sql) const {
    auto db = sqlite::Db::open(ledger, sqlite::OpenMode::read_only);
    if (!db.ok() || !db->exec("PRAGMA busy_timeout = 10000").ok()) return -1;
    auto n = db->query_int(sql);
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<ChildProcess> start_agent() const {
    return std::make_unique<ChildProcess>(command({"run"}), dir / "agent.log");
  }

  TempDir dir;
  std::filesystem::path config = dir / "regua.toml";
  std::filesystem::path pos_folder = dir / "pos";
  std::filesystem::path pos_file = pos_folder / "sales.jsonl";
  std::filesystem::path ledger = dir / "ledger.db";

 private:
  std::string id_;
};

// A command's standard output read as JSON (a discarded value when it is not JSON).
inline nlohmann::json json_of(const CommandResult& r) {
  return nlohmann::json::parse(r.out, nullptr, false);
}

// `regua-agent import` of `jsonl` (written to the store's folder first); its exit code.
inline int import_history(const AgentStore& store, const std::string& jsonl) {
  write_file(store.dir / "history.jsonl", jsonl);
  auto r = run_command(store.command({"import", (store.dir / "history.jsonl").string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code;
}

}  // namespace regua::test
