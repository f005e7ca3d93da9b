// Orders from HQ: applied once, in one transaction with their outcome (which goes back up as an
// `order` record); an opt-out that arrives after a week offline still stops a send that is pending.

#include "sync/hq_orders.hpp"

#include <gtest/gtest.h>

#include "local/identity/consents.hpp"
#include "sync/protocol/envelope.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua::test {
namespace {

sync::Envelope order(nlohmann::json header) {
  auto e = sync::decode_envelope(sync::encode_envelope("order", std::move(header)));
  EXPECT_TRUE(e.ok());
  return *e;
}

class HqOrdersTest : public EngineTest {
 protected:
  sync::OrderOutcome apply(nlohmann::json header) {
    auto o = sync::apply_hq_order(ledger->db(), order(std::move(header)), clock.now());
    EXPECT_TRUE(o.ok()) << (o.ok() ? "" : o.error().message);
    return o.ok() ? *o : sync::OrderOutcome{};
  }
};

TEST_F(HqOrdersTest, AnOptOutIsAppliedOnceAndReportedUp) {
  start({});
  buy("S-1", "C-1", "2026-03-01T14:00:00-03:00");
  const nlohmann::json opt_out{
      {"id", "o-1"}, {"order", "opt_out"}, {"customer_pos_id", "C-1"}, {"channels", {"sms", "whatsapp"}}};
  auto first = apply(opt_out);
  EXPECT_TRUE(first.recorded);
  EXPECT_TRUE(first.applied);
  auto c = consent_for(ledger->db(), id_of("C-1"), Channel::sms);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, std::optional<bool>(false));
  auto again = apply(opt_out);
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'order'"), 1);
}

TEST_F(HqOrdersTest, OrdersThatCannotBeDoneAreRefusedOrNotTaken) {
  start({});
  auto unknown =
      apply({{"id", "o-2"}, {"order", "opt_out"}, {"customer_pos_id", "nobody"}, {"channels", {"sms"}}});
  EXPECT_TRUE(unknown.recorded);
  EXPECT_FALSE(unknown.applied);
  EXPECT_EQ(unknown.detail, "no such customer in this store");
  auto erase = apply({{"id", "o-3"}, {"order", "erase"}, {"customer_pos_id", "nobody"}});
  EXPECT_TRUE(erase.recorded);
  EXPECT_FALSE(erase.applied);
  auto task = apply({{"id", "o-4"}, {"order", "task_close"}, {"task", 99}});
  EXPECT_FALSE(task.applied);
  EXPECT_EQ(count("SELECT count(*) FROM hq_orders"), 3);
}

TEST_F(HqOrdersTest, AnErasureOrderForgetsTheCustomerOnceAndTellsTheHub) {
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-01T14:00:00-03:00");
  const auto id = id_of("C-1");
  const nlohmann::json erase{{"id", "o-5"}, {"order", "erase"}, {"customer_pos_id", "C-1"}};
  auto first = apply(erase);
  EXPECT_TRUE(first.recorded);
  EXPECT_TRUE(first.applied) << first.detail;
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE erased_at IS NOT NULL AND name IS NULL AND id = " +
                  std::to_string(id)),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM erasures WHERE customer_id = " + std::to_string(id)), 1);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'pending'"), 0) << "their jobs are cancelled";
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'erasure'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1) << "the sale is kept, anonymised";
  auto again = apply(erase);
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(count("SELECT count(*) FROM erasures"), 1);
}

TEST_F(HqOrdersTest, AnOptOutArrivingAfterAWeekOfflineStopsAPendingSend) {
  // "We miss you" 15 days after the last purchase; the store is offline from day 1 to day 8.
  start({default_rule("inactive-15d")});
  buy("S-1", "C-1", "2026-03-01T14:00:00-03:00");
  run_until("2026-03-08T14:00:00-03:00");
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'pending' AND rule_id = 'inactive-15d'"), 1);
  // The link comes back and HQ's order (given at another store on day 3) arrives.
  auto o = apply({{"id", "o-9"},
                  {"order", "opt_out"},
                  {"customer_pos_id", "C-1"},
                  {"channels", {"sms"}},
                  {"at", at("2026-03-03T10:00:00-03:00").time_since_epoch().count()}});
  ASSERT_TRUE(o.applied) << o.detail;
  run_until("2026-03-20T14:00:00-03:00");
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  auto last = final_seen(id_of("C-1"));
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last.back().rule, "inactive-15d");
  EXPECT_EQ(last.back().decision, "skipped");
  EXPECT_EQ(last.back().reason, "opted_out");
}

TEST_F(HqOrdersTest, TasksAreClosedOrReassignedByHq) {
  start({});
  buy("S-1", "C-1", "2026-03-01T14:00:00-03:00");
  NewTask t;
  ASSERT_TRUE(ledger->db()
                  .exec("INSERT INTO jobs (rule_id, customer_id, occurrence, occurred_at, planned_at, "
                        "due_at, priority, "
                        "action, channel, state, created_at) VALUES ('r', " +
                        std::to_string(id_of("C-1")) + ", 'x', 0, 0, 0, 0, 'task', 'call', 'fired', 0)")
                  .ok());
  t.job_id = ledger->db().last_insert_rowid();
  t.customer_id = id_of("C-1");
  t.rule_id = "r";
  t.title = "Ligar";
  t.instructions = "Ligue";
  t.channel = "call";
  t.text = "Oi";
  t.due_at = clock.now();
  t.expires_at = clock.now() + std::chrono::days(7);
  auto task = create_task(ledger->db(), t, clock.now());
  ASSERT_TRUE(task.ok());
  auto moved = apply({{"id", "o-5"}, {"order", "task_reassign"}, {"task", *task}, {"to", "Bia"}});
  EXPECT_TRUE(moved.applied) << moved.detail;
  auto closed = apply({{"id", "o-6"}, {"order", "task_close"}, {"task", *task}, {"reason", "duplicada"}});
  EXPECT_TRUE(closed.applied) << closed.detail;
  EXPECT_EQ(
      count("SELECT count(*) FROM tasks WHERE state = 'cancelled' AND assignee = 'Bia' AND close_reason = "
            "'hq: duplicada'"),
      1);
  EXPECT_GE(count("SELECT count(*) FROM outbox WHERE kind = 'task'"), 3);
}

}  // namespace
}  // namespace regua::test
