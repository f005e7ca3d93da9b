// regua-bench-latency: how long a sale takes from the moment the POS appends its line to the
// moment it is visible in the ledger, with `regua-agent run` following the file. Appends one sale
// at a time at a quiet POS's pace, watches the ledger through its own read connection, prints
// p50/p99/max.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local/ledger/ledger.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Latency from a line appended by the POS to the sale visible in the ledger"};
  std::string agent, dir;
  int sales = 1000;
  int gap_ms = 10;
  app.add_option("--agent", agent, "the regua-agent binary")->required();
  app.add_option("--dir", dir, "an empty folder for the store")->required();
  app.add_option("--sales", sales, "how many sales to time");
  app.add_option("--gap-ms", gap_ms, "pause between two sales (a quiet POS)");
  CLI11_PARSE(app, argc, argv);

  const std::filesystem::path folder(dir);
  std::filesystem::create_directories(folder / "pos");
  const auto config = folder / "regua.toml";
  std::ofstream(config) << "[store]\nid = \"bench\"\n[ledger]\npath = \"ledger.db\"\n[http]\nenabled = "
                           "false\n[[source]]\nname = \"pdv\"\n"
                           "kind = \"jsonl\"\npath = \"pos/sales.jsonl\"\n";
  const auto pos_file = folder / "pos" / "sales.jsonl";
  const int fd = ::open(pos_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t pid = spawn({agent, "run", "--config", config.string()}, folder / "agent.log");

  regua::SystemClock clock;
  std::optional<regua::Ledger> ledger;
  for (int i = 0; i < 500 && !ledger; ++i) {  // the agent creates the ledger
    auto opened =
        regua::Ledger::open(regua::LedgerOptions{folder / "ledger.db", "bench", true, false}, clock);
    if (opened) {
      ledger.emplace(std::move(*opened));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!ledger) {
    std::fprintf(stderr, "regua-bench-latency: the agent did not create its ledger; see %s\n",
                 (folder / "agent.log").c_str());
    ::kill(pid, SIGKILL);
    return 1;
  }
  auto seen = ledger->db().prepare("SELECT 1 FROM sales WHERE pos_id = ?1");

  std::vector<double> ms;
  for (int i = 0; i < sales; ++i) {
    const std::string id = "L-" + std::to_string(i);
    const std::string line = R"({"type":"sale","id":")" + id +
                             R"(","ts":"2026-03-01T14:05:00-03:00","total":"49.90","customer":{"id":"C-)" +
                             std::to_string(i % 97) +
                             R"(","name":"Ana Souza"},"items":[{"sku":"A1","price":"49.90"}]})"
                             "\n";
    const auto start = Clock::now();
    (void)!::write(fd, line.data(), line.size());
    for (;;) {
      seen->bind(1, std::string_view(id));
      auto row = seen->step();
      const bool found = row.ok() && *row;
      seen->reset();
      if (found) break;
      if (Clock::now() - start > std::chrono::seconds(10)) {
        std::fprintf(stderr, "regua-bench-latency: sale %s not in the ledger after 10 s\n", id.c_str());
        ::kill(pid, SIGKILL);
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fd);

  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::printf("%d %.2f %.2f %.2f\n", sales, pct(0.50), pct(0.99), ms.back());
  return 0;
}
