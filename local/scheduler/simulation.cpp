#include "local/scheduler/simulation.hpp"

#include <algorithm>

#include "local/analysis/segment_events.hpp"
#include "local/ledger/ingest.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {
namespace {

// One ordered stream of the source's rows, read as the replay needs them.
struct Stream {
  sqlite::Stmt stmt;
  int time_column = 0;
  bool has = false;
  Seconds t{};

  Status advance() {
    auto row = stmt.step();
    if (!row) return row.error().within("reading the ledger to replay");
    has = *row;
    if (has) t = from_unix(stmt.int64(time_column));
    return {};
  }
};

// A customer the POS never gave an id (a fiscal note's buyer known by CPF) is "#<id>" in the replay,
// as its sales are in kSales: the replayed sale then finds its customer by that id.
constexpr std::string_view kCustomers = R"sql(
SELECT id, coalesce(pos_id, '#' || id), name, phone, phone_e164, phone_kind, email, email_valid, cpf, cpf_valid, birthday,
       birthday_valid, reg, erased_at FROM (
  SELECT c.*, min(c.created_at, coalesce((SELECT min(s.sold_at) FROM sales s WHERE s.customer_id = c.id),
                                         c.created_at)) AS reg
  FROM customers c)
WHERE reg < ?1 ORDER BY reg, id)sql";

constexpr std::string_view kSales = R"sql(
SELECT s.pos_id, coalesce(c.pos_id, '#' || c.id), s.total_cents, s.sold_at
FROM sales s JOIN customers c ON c.id = s.customer_id
WHERE s.sold_at < ?1 ORDER BY s.sold_at, s.id)sql";

constexpr std::string_view kCancels = R"sql(
SELECT x.sale_pos_id, x.cancelled_at FROM cancellations x JOIN sales s ON s.pos_id = x.sale_pos_id
WHERE s.customer_id IS NOT NULL AND x.cancelled_at < ?1 ORDER BY x.cancelled_at, x.sale_pos_id)sql";

void bind_column(sqlite::Stmt& to, int index, const sqlite::Stmt& from, int column) {
  if (from.is_null(column)) {
    to.bind_null(index);
  } else {
    to.bind(index, from.text(column));
  }
}

class Replay {
 public:
  Replay(sqlite::Db& source, const PhoneNormaliser& phones, const EngineSettings& settings,
         const SimulationOptions& options)
      : source_(source), phones_(phones), settings_(settings), options_(options), clock_(Seconds{}) {}

  Result<SimulationSummary> run(const std::function<Status(const DecisionView&)>& each);

 private:
  Status open();
  Status add_customer(const sqlite::Stmt& c);
  Status activate();
  Status advance_to(Seconds t, bool inclusive);
  Status begin();
  Status commit();
  std::optional<Seconds> next_refresh() const;

  sqlite::Db& source_;
  const PhoneNormaliser& phones_;
  const EngineSettings& settings_;
  const SimulationOptions& options_;
  ManualClock clock_;
  std::optional<Ledger> ledger_;
  std::optional<Ingestor> ingestor_;
  std::unique_ptr<Engine> engine_;
  sqlite::Stmt insert_customer_, read_consents_, insert_consent_;
  bool active_ = false;
  bool cells_ = false;  // a rule triggers on cells: segments are refreshed daily as the agent does
  std::optional<Seconds> wake_;
  std::int64_t refreshed_day_ = 0;
  SimulationSummary summary_;
};

Status Replay::open() {
  auto ledger = Ledger::open(
      LedgerOptions{options_.work_dir / "simulation.db", options_.store_id, false, false}, clock_);
  if (!ledger) return ledger.error().within("creating the simulation's ledger");
  ledger_.emplace(std::move(*ledger));
  auto& db = ledger_->db();
  // A scratch ledger: a crash loses nothing worth keeping.
  if (auto s = db.exec("PRAGMA synchronous = OFF"); !s) return s;
  auto in = Ingestor::create(*ledger_, phones_);
  if (!in) return in.error();
  ingestor_.emplace(std::move(*in));
  auto engine = Engine::create(*ledger_, settings_);
  if (!engine) return engine.error();
  engine_ = std::move(*engine);
  cells_ = std::any_of(settings_.rules.begin(), settings_.rules.end(),
                       [](const Rule& r) { return r.trigger.kind == TriggerKind::cell_entered; });
  if (cells_) ingestor_->stats().use_policy(&engine_->policy());
  auto insert = db.prepare(
      "INSERT INTO customers (id, pos_id, name, phone, phone_e164, phone_kind, email, email_valid, cpf, "
      "cpf_valid, "
      "birthday, birthday_valid, info_at, created_at, erased_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, ?12, ?13, ?13, ?14)");
  if (!insert) return insert.error();
  insert_customer_ = std::move(*insert);
  auto consents = source_.prepare("SELECT channel, granted, source, at FROM consents WHERE customer_id = ?1");
  if (!consents) return consents.error();
  read_consents_ = std::move(*consents);
  auto insert_consent = db.prepare(
      "INSERT INTO consents (customer_id, channel, granted, source, at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert_consent) return insert_consent.error();
  insert_consent_ = std::move(*insert_consent);
  return {};
}

Status Replay::begin() {
  return ingestor_->begin();
}

Status Replay::commit() {
  return ingestor_->commit();
}

Status Replay::add_customer(const sqlite::Stmt& c) {
  const std::int64_t id = c.int64(0);
  insert_customer_.bind(1, id);
  for (int column = 1; column <= 11; ++column)
    bind_column(insert_customer_, column + 1, c, column);
  insert_customer_.bind(13, c.int64(12));
  // A forgotten customer stays forgotten in the replay: their sales count, no rule acts on them.
  if (c.is_null(13)) {
    insert_customer_.bind_null(14);
  } else {
    insert_customer_.bind(14, c.int64(13));
  }
  if (auto s = insert_customer_.run(); !s)
    return s.error().within("replaying customer " + std::to_string(id));
  read_consents_.bind(1, id);
  for (;;) {
    auto row = read_consents_.step();
    if (!row) return row.error();
    if (!*row) break;
    insert_consent_.bind(1, id)
        .bind(2, read_consents_.text(0))
        .bind(3, read_consents_.int64(1))
        .bind(4, read_consents_.text(2))
        .bind(5, read_consents_.int64(3));
    if (auto s = insert_consent_.run(); !s) return s;
  }
  ++summary_.customers;
  if (active_) return engine_->on_customer(id, true);
  return {};
}

std::optional<Seconds> Replay::next_refresh() const {
  if (!cells_) return std::nullopt;
  // Shortly after each local midnight, as the agent's periodic refresh would.
  const auto& zone = *settings_.zone;
  return zone.to_utc(zone.day(clock_.now()) + 1, std::chrono::minutes{5});
}

Status Replay::activate() {
  if (auto s = commit(); !s) return s;
  clock_.set(std::max(clock_.now(), options_.from));
  auto txn = sqlite::Transaction::begin(ledger_->db());
  if (!txn) return txn.error();
  if (cells_) {
    auto r = refresh_segments(ledger_->db(), engine_->policy(), clock_);
    if (!r) return r.error();
  }
  if (auto s = engine_->activate(); !s) return s;
  auto plan = engine_->catch_up();
  if (!plan) return plan.error();
  if (auto s = txn->commit(); !s) return s;
  ingestor_->listen(engine_.get());
  active_ = true;
  (void)engine_->take_earliest_planned();
  auto wake = engine_->next_wake();
  if (!wake) return wake.error();
  wake_ = *wake;
  return begin();
}

// Runs the engine at every moment it has something to do before `t` (or at `t` too).
Status Replay::advance_to(Seconds t, bool inclusive) {
  if (!active_) return {};
  if (auto planned = engine_->take_earliest_planned(); planned && (!wake_ || *planned < *wake_))
    wake_ = planned;
  for (;;) {
    std::optional<Seconds> next = wake_;
    const auto refresh = next_refresh();
    if (refresh && (!next || *refresh < *next)) next = refresh;
    if (!next || (inclusive ? *next > t : *next >= t)) return {};
    if (auto s = commit(); !s) return s;
    clock_.set(std::max(clock_.now(), *next));
    auto txn = sqlite::Transaction::begin(ledger_->db());
    if (!txn) return txn.error();
    const auto& zone = *settings_.zone;
    if (cells_ && zone.day(clock_.now()) != refreshed_day_) {
      refreshed_day_ = zone.day(clock_.now());
      auto r = refresh_segments(ledger_->db(), engine_->policy(), clock_);
      if (!r) return r.error();
    }
    for (;;) {
      auto plan = engine_->catch_up();
      if (!plan) return plan.error();
      auto fired = engine_->fire_due();
      if (!fired) return fired.error();
      if (!fired->more && !plan->more) break;
    }
    if (auto s = txn->commit(); !s) return s;
    (void)engine_->take_earliest_planned();
    auto wake = engine_->next_wake();
    if (!wake) return wake.error();
    wake_ = *wake;
    if (auto s = begin(); !s) return s;
  }
}

Result<SimulationSummary> Replay::run(const std::function<Status(const DecisionView&)>& each) {
  if (auto s = open(); !s) return s.error();
  Stream customers, sales, cancels;
  for (auto [stream, sql, column] : {std::tuple{&customers, kCustomers, 12}, std::tuple{&sales, kSales, 3},
                                     std::tuple{&cancels, kCancels, 1}}) {
    auto stmt = source_.prepare(sql);
    if (!stmt) return stmt.error().within("reading the ledger to replay");
    stmt->bind(1, to_unix(options_.to));
    stream->stmt = std::move(*stmt);
    stream->time_column = column;
    if (auto s = stream->advance(); !s) return s.error();
  }
  if (auto s = begin(); !s) return s.error();
  for (;;) {
    // The next event: customers before sales before cancellations at the same second.
    Stream* next = nullptr;
    for (Stream* s : {&customers, &sales, &cancels}) {
      if (s->has && (next == nullptr || s->t < next->t)) next = s;
    }
    if (next == nullptr) break;
    if (!active_ && next->t >= options_.from) {
      if (auto s = activate(); !s) return s.error();
    }
    if (auto s = advance_to(next->t, next != &customers); !s) return s.error();
    clock_.set(std::max(clock_.now(), next->t));
    if (next == &customers) {
      if (auto s = add_customer(next->stmt); !s) return s.error();
    } else if (next == &sales) {
      Sale sale;
      sale.pos_id = std::string(next->stmt.text(0));
      CustomerInfo who;
      who.pos_id = std::string(next->stmt.text(1));
      sale.customer = std::move(who);
      sale.total = next->stmt.int64(2);
      sale.sold_at = next->t;
      if (auto s = ingestor_->apply(sale, "simulate"); !s) return s.error();
      ++summary_.sales;
    } else {
      Cancel cancel{std::string(next->stmt.text(0)), next->t};
      if (auto s = ingestor_->apply(cancel, "simulate"); !s) return s.error();
      ++summary_.cancellations;
    }
    if (auto s = next->advance(); !s) return s.error();
  }
  if (!active_) {
    if (auto s = activate(); !s) return s.error();
  }
  if (auto s = advance_to(options_.to, false); !s) return s.error();
  if (auto s = commit(); !s) return s.error();

  auto status = for_each_decision(ledger_->db(), std::nullopt, [&](const DecisionView& d) {
    ++summary_.decisions;
    return each(d);
  });
  if (!status) return status.error();
  return summary_;
}

}  // namespace

Result<SimulationSummary> simulate(sqlite::Db& source, const PhoneNormaliser& phones,
                                   const EngineSettings& settings, const SimulationOptions& options,
                                   const std::function<Status(const DecisionView&)>& each) {
  if (options.to <= options.from) {
    return make_error(ErrorKind::usage, "the simulation's end must be after its start");
  }
  Replay replay(source, phones, settings, options);
  return replay.run(each);
}

}  // namespace regua
