#pragma once
// A real ledger file on a clock the test controls, an Ingestor with the rule Engine as its listener
// (as the agent runs it), and the store's IANA zone as the agent reads it (date/tz). The loop
// run_until() does what the agent's scheduler timer does: at each moment the engine asks to be woken,
// catch_up() then fire_due(), each in its own transaction.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <date/tz.h>
#include <gtest/gtest.h>

#include "agent/rules/tz_store_zone.hpp"
#include "local/rules/default_pack.hpp"
#include "local/rules/rule_schema.hpp"
#include "local/scheduler/decisions.hpp"
#include "local/scheduler/engine.hpp"
#include "local/tasks/tasks.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {

// A rule as a store file would write it: dotted keys and plain values.
using RuleValue = std::variant<std::int64_t, bool, std::string>;
inline RawRule raw_rule(std::initializer_list<std::pair<std::string, RuleValue>> fields,
                        std::string origin = "rules.toml:1") {
  RawRule raw;
  raw.label = "[[rule]] #1";
  raw.origin = origin;
  for (const auto& [key, value] : fields) {
    RawValue v;
    v.origin = origin;
    std::visit([&](const auto& x) { v.value = x; }, value);
    raw.fields.emplace_back(key, std::move(v));
  }
  return raw;
}

inline Rule make_rule(std::initializer_list<std::pair<std::string, RuleValue>> fields) {
  auto r = build_rule(raw_rule(fields), RuleContext{});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Rule{};
}

inline Rule default_rule(std::string_view id) {
  auto pack = default_pack();
  EXPECT_TRUE(pack.ok());
  for (Rule& r : *pack) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "no default rule " << id;
  return {};
}

struct Seen {      // a decision as tests compare it
  std::string at;  // store-local, "2026-03-01 15:05 -03:00"
  std::string rule, customer, decision, reason;
  friend bool operator==(const Seen&, const Seen&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Seen& s) {
    return os << "{\"" << s.at << "\", \"" << s.rule << "\", \"" << s.customer << "\", \"" << s.decision
              << "\", \"" << s.reason << "\"}";
  }
};

class EngineTest : public IdentityTest {
 protected:
  explicit EngineTest(const char* zone_name = "America/Sao_Paulo") : zone(*date::locate_zone(zone_name)) {}

  void SetUp() override {
    IdentityTest::SetUp();
    settings.store_name = "Loja Centro";
    settings.links =
        StoreLinks{"https://r.example/rate", "https://r.example/review", "https://r.example/survey"};
    settings.zone = &zone;
    // Without a control group, so that each expected decision is the guards' doing; the control
    // group has its own tests (consent_holdout_test.cpp, action_effects_test.cpp) and rules set it.
    settings.holdout_percent = 0;
  }

  // Starts the engine with `rules` as the agent does: activate and a first catch-up, then listening.
  void start(std::vector<Rule> rules) {
    settings.rules = std::move(rules);
    ingestor->listen(nullptr);
    engine.reset();
    auto e = Engine::create(*ledger, settings);
    ASSERT_TRUE(e.ok()) << e.error().message;
    engine = std::move(*e);
    in_txn([&] {
      auto s = engine->activate();
      ASSERT_TRUE(s.ok()) << s.error().message;
      auto p = engine->catch_up();
      ASSERT_TRUE(p.ok()) << p.error().message;
    });
    ingestor->listen(engine.get());
  }

  template <typename F>
  void in_txn(F&& f) {
    auto txn = sqlite::Transaction::begin(ledger->db());
    ASSERT_TRUE(txn.ok()) << txn.error().message;
    f();
    auto s = txn->commit();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  // One round of the agent's timer at the clock's current time.
  void tick() {
    in_txn([&] {
      for (;;) {
        auto p = engine->catch_up();
        ASSERT_TRUE(p.ok()) << p.error().message;
        auto f = engine->fire_due();
        ASSERT_TRUE(f.ok()) << f.error().message;
        if (!p->more && !f->more) break;
      }
    });
  }

  // Moves the clock forward to `until`, waking at every moment the engine asks for.
  void run_until(Seconds until) {
    for (int guard = 0; guard < 100'000; ++guard) {
      auto wake = engine->next_wake();
      ASSERT_TRUE(wake.ok()) << wake.error().message;
      if (!*wake || **wake > until) break;
      clock.set(std::max(clock.now(), **wake));
      tick();
      if (::testing::Test::HasFatalFailure()) return;
    }
    clock.set(std::max(clock.now(), until));
    tick();
  }
  void run_until(std::string_view iso) { run_until(at(iso)); }

  // A mobile of its own per POS id ("C-1": (11) 98765-4321, "C-2": ...-4322), because the Ingestor
  // matches customers by mobile: a shared number would make two test customers one.
  static std::string mobile_for(const std::string& pos_id) {
    std::int64_t n = 0;
    for (const char c : pos_id)
      if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
    const std::string digits = std::to_string(87'654'320 + n);
    return "(11) 9" + digits.substr(0, 4) + "-" + digits.substr(4);
  }

  static constexpr const char* kAutoPhone = "auto";
  static CustomerInfo customer(const std::string& pos_id, std::optional<std::string> name = {},
                               std::optional<std::string> phone = kAutoPhone,
                               std::optional<std::string> birthday = {}) {
    CustomerInfo c;
    c.pos_id = pos_id;
    c.name = std::move(name);
    c.phone = phone == kAutoPhone ? mobile_for(pos_id) : std::move(phone);
    c.birthday = std::move(birthday);
    return c;
  }

  // A sale through the Ingestor (and so the listener); the clock moves to the sale's time when it
  // is ahead, as a POS reports sales as they happen.
  void buy(const std::string& sale_id, const CustomerInfo& who, std::string_view when,
           bool move_clock = true) {
    const Seconds t = at(when);
    if (move_clock && t > clock.now()) run_until(t);
    apply_all({IdentityTest::sale(sale_id, 10'000, who, when)});
  }
  void buy(const std::string& sale_id, const std::string& who, std::string_view when) {
    buy(sale_id, customer(who), when);
  }

  std::int64_t id_of(const std::string& pos_id) {
    return count("SELECT coalesce((SELECT id FROM customers WHERE pos_id = '" + pos_id + "'), -1)");
  }

  std::vector<DecisionView> decisions(std::optional<std::int64_t> customer_id = std::nullopt) {
    std::vector<DecisionView> out;
    auto s = for_each_decision(ledger->db(), customer_id, [&](const DecisionView& d) {
      out.push_back(d);
      return Status{};
    });
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return out;
  }

  std::vector<Seen> seen(std::optional<std::int64_t> customer_id = std::nullopt) {
    std::vector<Seen> out;
    for (const auto& d : decisions(customer_id)) {
      out.push_back({zone.readable(d.at), d.rule_id, d.customer_pos_id.value_or("?"), d.decision, d.reason});
    }
    return out;
  }

  // Only the decisions that end a job (deferrals left out).
  std::vector<Seen> final_seen(std::optional<std::int64_t> customer_id = std::nullopt) {
    std::vector<Seen> out;
    for (auto& s : seen(customer_id)) {
      if (s.decision != "deferred") out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<TaskRow> tasks() {
    auto t = list_tasks(ledger->db(), std::nullopt, clock.now());
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t.ok() ? *t : std::vector<TaskRow>{};
  }

  TzStoreZone zone;  // the agent's own (agent/rules/tz_store_zone.hpp): what runs is what is tested
  EngineSettings settings;
  std::unique_ptr<Engine> engine;
};

}  // namespace regua::test
