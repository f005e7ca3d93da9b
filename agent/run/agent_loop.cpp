#include "agent/run/agent_loop.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "agent/analysis/segment_keeper.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "agent/platform/folder_watcher.hpp"
#include "agent/platform/stop_signals.hpp"
#include "agent/rules/store_rules.hpp"
#include "agent/run/scheduler_timer.hpp"
#include "agent/run/source.hpp"
#include "local/ledger/checkpoints.hpp"
#include "local/ledger/ingest.hpp"

namespace regua {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// Without file notifications, how often sources are looked at.
constexpr milliseconds kPollWithoutNotifications{200};
constexpr milliseconds kFirstRetry{500};
constexpr milliseconds kMaxRetry{60'000};

}  // namespace

struct AgentLoop::Impl {
  struct Slot {
    std::unique_ptr<Source> source;
    asio::steady_timer retry;
    milliseconds backoff{0};
    bool scheduled = false;
    bool failing = false;
  };

  Impl(const AgentConfig& c, Ledger& l, const Clock& k, StoreRules* r)
      : config(c),
        ledger(l),
        clock(k),
        rules(r),
        signals(io),
        watcher(io, [this](const auto& folder) { on_folder(folder); }),
        tick(io) {}

  Status start();
  void schedule(Slot& slot);
  void pump(Slot& slot);
  void on_folder(const std::filesystem::path& folder);
  void watch_folders();
  void arm_tick();
  void report_counts();

  const AgentConfig& config;
  Ledger& ledger;
  const Clock& clock;
  StoreRules* rules;
  asio::io_context io;
  asio::signal_set signals;
  FolderWatcher watcher;
  asio::steady_timer tick;
  milliseconds tick_every{1000};
  std::optional<LibphonenumberNormaliser> phones;  // before the ingestor, which uses it
  std::unique_ptr<Engine> engine;  // before the ingestor, which keeps a pointer to it as its listener
  std::optional<Ingestor> ingestor;
  std::optional<SegmentKeeper> segments;  // after the ingestor, which points at its policy
  std::unique_ptr<ChannelSender> sender;  // before the scheduler, which wakes it
  std::optional<SchedulerTimer> scheduler;
  std::atomic<bool> replan_posted{false};  // a ledger_written_elsewhere() waits for the loop
  // steady_clock ticks of the last tick; read by the HTTP server's /healthz.
  std::atomic<std::int64_t> last_tick{std::chrono::steady_clock::now().time_since_epoch().count()};
  std::vector<std::unique_ptr<Slot>> slots;
  IngestCounts reported;
  std::chrono::steady_clock::time_point last_report = std::chrono::steady_clock::now();
};

Status AgentLoop::Impl::start() {
  auto normaliser = LibphonenumberNormaliser::create(config.store.country);
  if (!normaliser) return normaliser.error();
  phones.emplace(std::move(*normaliser));
  auto in = Ingestor::create(ledger, *phones);
  if (!in) return in.error();
  ingestor.emplace(std::move(*in));
  segments.emplace(io, config, ledger, clock);
  if (auto s = segments->start(*ingestor); !s) return s;
  if (rules != nullptr) {
    auto made = Engine::create(ledger, rules->settings);
    if (!made) return made.error();
    engine = std::move(*made);
    ingestor->listen(engine.get());
    auto started = ChannelSender::start(config, clock, *rules->zone);
    if (!started) return started.error().within("starting the channels");
    sender = std::move(*started);
    scheduler.emplace(io, ledger, *engine, *sender);
    // After the segments' start: it records the cells entered while the agent was down, which
    // the engine's catch-up plans from.
    if (auto s = scheduler->start(); !s) return s;
  }

  for (const SourceConfig& sc : config.sources) {
    auto cp = load_checkpoint(ledger.db(), sc.name);
    if (!cp) return cp.error();
    auto source = make_source(sc, config.store, ledger, clock);
    slots.push_back(std::make_unique<Slot>(Slot{std::move(source), asio::steady_timer(io)}));
    tick_every = std::min(tick_every, milliseconds(sc.poll_interval_ms));
    spdlog::info("source {}: following {} ({}){}", sc.name, sc.path.string(), source_kind_name(sc.kind),
                 *cp ? fmt::format(", from line {}", (*cp)->line + 1) : "");
  }
  if (!watcher.available()) {
    spdlog::warn("file notifications (inotify) are unavailable: looking at the sources every {} ms",
                 kPollWithoutNotifications.count());
    tick_every = std::min(tick_every, kPollWithoutNotifications);
  }
  watch_folders();
  for (auto& slot : slots)
    schedule(*slot);
  arm_tick();
  return {};
}

void AgentLoop::Impl::watch_folders() {
  if (!watcher.available()) return;
  for (const auto& slot : slots) {
    const auto folder = slot->source->watched_folder();
    if (watcher.watching(folder)) continue;
    if (auto s = watcher.watch(folder); !s) {
      spdlog::debug("source {}: {}", slot->source->config().name, s.error().message);
    }
  }
}

void AgentLoop::Impl::on_folder(const std::filesystem::path& folder) {
  for (auto& slot : slots) {
    if (folder.empty() || slot->source->watched_folder() == folder) {
      slot->source->changed();
      schedule(*slot);
    }
  }
}

void AgentLoop::Impl::schedule(Slot& slot) {
  if (slot.scheduled || slot.failing) return;
  slot.scheduled = true;
  asio::post(io, [this, &slot] { pump(slot); });
}

void AgentLoop::Impl::pump(Slot& slot) {
  slot.scheduled = false;
  const auto& name = slot.source->config().name;
  auto more = slot.source->pump(*ingestor);
  if (!more) {
    // The ledger or the file failed (a full disk, a permission): nothing was committed, so retry later.
    slot.backoff = slot.backoff.count() == 0 ? kFirstRetry : std::min(slot.backoff * 2, kMaxRetry);
    spdlog::error("source {}: {}; trying again in {} s", name, more.error().message,
                  std::max<long>(1, static_cast<long>(slot.backoff.count() / 1000)));
    slot.failing = true;
    slot.retry.expires_after(slot.backoff);
    slot.retry.async_wait([this, &slot](const boost::system::error_code& ec) {
      if (ec) return;
      slot.failing = false;
      schedule(slot);
    });
    return;
  }
  if (slot.backoff.count() != 0) spdlog::info("source {}: working again", name);
  slot.backoff = milliseconds{0};
  if (*more) schedule(slot);
  segments->after_pump();
  if (scheduler) scheduler->after_pump();
  report_counts();
}

// What was ingested, at most once a minute, so that a support person reading the journal sees life.
void AgentLoop::Impl::report_counts() {
  const auto& now = ingestor->committed();
  if (now.quarantined > reported.quarantined) {
    spdlog::warn("{} line(s) quarantined; `regua-agent status` lists them by reason",
                 now.quarantined - reported.quarantined);
    reported.quarantined = now.quarantined;
  }
  const auto t = std::chrono::steady_clock::now();
  if (t - last_report < std::chrono::minutes(1)) return;
  last_report = t;
  if (now.sales_added == reported.sales_added && now.cancels_applied == reported.cancels_applied) return;
  spdlog::info(
      "ingested {} sale(s), {} cancellation(s) since the last report", now.sales_added - reported.sales_added,
      now.cancels_applied + now.cancels_pending - reported.cancels_applied - reported.cancels_pending);
  reported = now;
}

void AgentLoop::Impl::arm_tick() {
  tick.expires_after(tick_every);
  tick.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    last_tick = std::chrono::steady_clock::now().time_since_epoch().count();
    watch_folders();  // folders that did not exist before may exist now
    for (auto& slot : slots) {
      if (!watcher.available() || !watcher.watching(slot->source->watched_folder())) slot->source->changed();
      schedule(*slot);
    }
    arm_tick();
  });
}

AgentLoop::AgentLoop(const AgentConfig& config, Ledger& ledger, const Clock& clock, StoreRules* rules)
    : impl_(std::make_unique<Impl>(config, ledger, clock, rules)) {}

AgentLoop::~AgentLoop() = default;

Status AgentLoop::run(bool handle_signals) {
  if (auto s = impl_->start(); !s) return s;
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("received {}: stopping (everything read so far is committed)",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      impl_->io.stop();
    });
    // A signal that came before the handler above was in place was remembered instead.
    if (stop_requested()) {
      spdlog::info("asked to stop while starting: stopping");
      return {};
    }
  }
  impl_->io.run();
  return {};
}

void AgentLoop::stop() {
  asio::post(impl_->io, [this] { impl_->io.stop(); });
}

void AgentLoop::ledger_written_elsewhere() {
  if (impl_->replan_posted.exchange(true)) return;
  asio::post(impl_->io, [this] {
    impl_->replan_posted = false;
    if (impl_->scheduler) impl_->scheduler->replan_now();
  });
}

boost::asio::io_context& AgentLoop::io() {
  return impl_->io;
}

double AgentLoop::seconds_since_tick() const {
  const std::chrono::steady_clock::duration since(
      std::chrono::steady_clock::now().time_since_epoch().count() - impl_->last_tick.load());
  return std::chrono::duration<double>(since).count();
}

bool AgentLoop::caught_up() const {
  return std::all_of(impl_->slots.begin(), impl_->slots.end(),
                     [](const auto& slot) { return slot->source->caught_up(); });
}

}  // namespace regua
