#include <fstream>

#include <boost/asio/steady_timer.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/status_report.hpp"
#include "agent/demo/demo_config.hpp"
#include "agent/demo/sale_generator.hpp"
#include "agent/run/agent_loop.hpp"

namespace regua {
namespace {

namespace asio = boost::asio;

constexpr auto kTick = std::chrono::milliseconds(100);

std::int64_t count_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::int64_t n = 0;
  for (std::string line; std::getline(in, line);)
    ++n;
  return n;
}

Status write_default_config(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path() / "pos", ec);
  if (ec)
    return make_error(ErrorKind::io,
                      "cannot create " + (file.parent_path() / "pos").string() + ": " + ec.message());
  if (std::filesystem::exists(file)) return {};
  std::ofstream out(file, std::ios::binary);
  out << kDemoConfig;
  out.close();
  if (!out) return make_error(ErrorKind::io, "cannot write " + file.string());
  return {};
}

// The demo's POS: appends a few generated lines every tick, as a till does during a busy day.
class DemoPos {
 public:
  DemoPos(asio::io_context& io, std::filesystem::path file, SaleGenerator generator, int sales,
          double seconds)
      : timer_(io), file_(std::move(file)), generator_(std::move(generator)), left_(sales) {
    const double ticks = std::max(1.0, seconds * 1000 / static_cast<double>(kTick.count()));
    per_tick_ = std::max(1, static_cast<int>(sales / ticks + 0.999));
  }

  void start(std::function<void()> on_done) {
    on_done_ = std::move(on_done);
    arm();
  }
  [[nodiscard]] int written() const { return written_; }

 private:
  void arm() {
    timer_.expires_after(kTick);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      std::string batch;
      for (int i = 0; i < per_tick_ && left_ > 0; ++i) {
        const auto line = generator_.next();
        batch += line.text + "\n";
        if (line.kind == GeneratedLine::Kind::sale) {
          --left_;
          ++written_;
        }
      }
      const int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) {
        (void)!::write(fd, batch.data(), batch.size());
        ::close(fd);
      }
      if (left_ > 0) {
        arm();
      } else {
        on_done_();
      }
    });
  }

  asio::steady_timer timer_;
  std::filesystem::path file_;
  SaleGenerator generator_;
  int left_;
  int per_tick_ = 1;
  int written_ = 0;
  std::function<void()> on_done_;
};

}  // namespace

int demo_command(const DemoOptions& options) {
  const auto config_file = std::filesystem::absolute(options.dir) / "regua.toml";
  if (auto s = write_default_config(config_file); !s) return report_error(s.error());
  auto config = load_config(config_file);
  if (!config) return report_error(config.error());
  const auto pos_file = config->sources.front().path;

  SystemClock clock;
  auto ledger = open_ledger_for_writing(*config, clock);
  if (!ledger) return report_error(ledger.error());

  const auto already = count_lines(pos_file);
  GeneratorOptions g;
  g.seed = static_cast<std::uint64_t>(already) + 1;
  g.store_id = config->store.id;
  g.id_prefix = "D-";
  g.first_number = already + 1;
  g.customers = std::max(20, options.sales / 3);
  g.start = clock.now() - std::chrono::days(60);
  g.mean_gap = std::chrono::seconds(60 * 24 * 3600 / std::max(1, options.sales));
  g.malformed_share = 0.02;

  fmt::print("Demo store in {}: the POS writes {} sales to {} over {:.0f} s while the agent follows it.\n",
             config_file.parent_path().string(), options.sales, pos_file.string(), options.seconds);
  std::fflush(stdout);

  AgentLoop loop(*config, *ledger, clock);
  DemoPos pos(loop.io(), pos_file, SaleGenerator(g), options.sales, options.seconds);
  asio::steady_timer check(loop.io());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60) +
                        std::chrono::milliseconds(static_cast<long>(options.seconds * 1000));
  bool timed_out = false;
  std::function<void()> wait_until_caught_up = [&] {
    check.expires_after(kTick);
    check.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (loop.caught_up()) return loop.stop();
      if (std::chrono::steady_clock::now() > deadline) {
        timed_out = true;
        return loop.stop();
      }
      wait_until_caught_up();
    });
  };
  pos.start(wait_until_caught_up);
  if (auto s = loop.run(true); !s) return report_error(s.error());
  if (timed_out) {
    return report_error(make_error(ErrorKind::internal,
                                   "the agent did not catch up with the demo POS within a "
                                   "minute; `regua-agent status` shows where it is"));
  }

  auto report = gather_status(*config, *ledger);
  if (!report) return report_error(report.error());
  fmt::print("\n{}\n", render_status_text(*report));
  fmt::print(
      "Next:\n"
      "  regua-agent status --config {0} --json     the same as JSON\n"
      "  regua-agent run --config {0}               follow the POS file (append lines to {1})\n"
      "  regua-agent demo --dir {2}                  run the demo again: more sales, same store\n",
      config_file.string(), pos_file.string(), options.dir.string());
  return kExitOk;
}

}  // namespace regua
