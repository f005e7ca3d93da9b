// Forgetting a customer: after it, no table of the ledger holds their name, phone, e-mail, CPF,
// birthday or POS id (but the erasure's own list of POS ids, for the hub); their sales and items
// stay for the store's figures; their actions are cancelled; forgetting again changes nothing; and
// a later sale with the same POS id or CPF never re-attaches to the old history.

#include "local/identity/erasure.hpp"

#include <gtest/gtest.h>

#include "local/analysis/segment_query.hpp"
#include "local/identity/consents.hpp"
#include "local/identity/merge.hpp"
#include "local/scheduler/messages.hpp"
#include "local/tasks/tasks.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using test::at;
using test::default_rule;

// What must be gone from every table after Ana is forgotten (what the POS, the merge and the rules
// wrote about her), and a neighbour's details that must stay.
const std::vector<std::string> kAnas{"Ana",
                                     "Souza",
                                     "98765-4321",
                                     "5511987654321",
                                     "ana@example.com",
                                     "ana.souza@example.org",
                                     "52998224725",
                                     "529.982.247-25",
                                     "1990-05-17",
                                     "17/05/1990",
                                     "C-77",
                                     "C-78",
                                     "99876-5432",
                                     "5521998765432"};

class Erasure : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock.set(at("2026-03-02T09:00:00-03:00"));
    settings.cap = FrequencyCap{0, std::chrono::days{7}};
    auto loyal = default_rule("loyal-quiet-30d");
    loyal.conditions.clear();  // a task for anyone 30 days without buying
    start({default_rule("rating-1h"), default_rule("inactive-15d"), loyal});

    CustomerInfo ana = customer("C-77", "Ana Souza", "(11) 98765-4321", "1990-05-17");
    ana.email = "ana@example.com";
    ana.cpf = "529.982.247-25";
    ana.consent = {ConsentChange{Channel::email, true}};
    Sale first = sale("S-1", 12'990, ana, "2026-03-02T14:00:00-03:00");
    first.items = {SaleItem{"A1", "Camiseta", 1, 12'990}};
    run_until("2026-03-02T14:00:00-03:00");
    apply_all({first});
    // A second record of her, merged into the first: its audit row keeps what it was.
    CustomerInfo other = customer("C-78", "Ana Souza", "(21) 99876-5432");
    other.email = "ana.souza@example.org";
    buy("S-2", other, "2026-03-03T11:00:00-03:00");
    buy("S-3", customer("C-5", "Bruno Lima"), "2026-03-03T12:00:00-03:00");
    auto merged = merge_customers(*ledger, MergeRequest{id_of("C-77"), {id_of("C-78")}, false});
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    tick();
    run_until("2026-04-05T12:00:00-03:00");  // rating SMS, the 15-day SMS, the 30-day task
    const std::vector<std::int64_t> first_message{1};
    ASSERT_TRUE(mark_sent(ledger->db(), first_message, "file", clock.now()).ok());
    // A provider's receipt that quotes her number in its error.
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO message_receipts (message_id, provider, status, error, received_at) "
                  "VALUES (1, 'twilio', 'undelivered', '30006: +5511987654321 is unreachable', 0); "
                  "UPDATE messages SET delivery = 'failed', delivery_error = '30006: +5511987654321 is "
                  "unreachable' WHERE id = 1")
            .ok());
    ASSERT_EQ(count("SELECT count(*) FROM tasks WHERE state = 'open'"), 2);
    auto task = count("SELECT min(id) FROM tasks WHERE customer_id = " + std::to_string(id_of("C-77")));
    ASSERT_TRUE(
        complete_task(ledger->db(), task, TaskOutcome::contacted, "Ana disse que volta sábado", clock.now())
            .ok());
    // She buys again: new actions are pending when she asks to be forgotten.
    buy("S-4", customer("C-77", "Ana Souza"), "2026-04-05T12:00:00-03:00");
    ASSERT_GT(count("SELECT count(*) FROM jobs WHERE state = 'pending' AND customer_id = " +
                    std::to_string(id_of("C-77"))),
              0);
    // Two bad POS lines: one with her CPF and POS id, one that is not about her.
    ASSERT_TRUE(
        ledger->db()
            .exec(
                "INSERT INTO quarantine (source, file, origin, line, byte_offset, raw_hash, raw, reason, "
                "at) VALUES ('pdv', 'sales.jsonl', '1:2', 7, 900, 1, CAST('{\"type\":\"sale\",\"id\":\"S-9\","
                "\"customer\":{\"id\":\"C-77\",\"cpf\":\"529.982.247-25\"},\"total\":\"abc\"}' AS BLOB), "
                "'\"total\": \"abc\" is not an amount', 0), ('pdv', 'sales.jsonl', '1:2', 8, 990, 2, "
                "CAST('{\"type\":\"sale\",\"id\":\"S-10\",\"total\":\"x\"}' AS BLOB), "
                "'\"total\": \"x\" is not an amount', 0)")
            .ok());
    ana_id = id_of("C-77");
  }

  // Every cell of every table (but the erasure's own POS ids) that holds one of `values`.
  std::vector<std::string> cells_holding(const std::vector<std::string>& values) {
    std::vector<std::string> found;
    std::vector<std::pair<std::string, std::string>> columns;  // (table, column)
    auto list = ledger->db().prepare(
        "SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c WHERE m.type = 'table' AND "
        "m.name NOT LIKE 'sqlite_%' AND m.name != 'erased_pos_ids' ORDER BY 1, c.cid");
    EXPECT_TRUE(list.ok());
    while (*list->step())
      columns.emplace_back(list->text(0), list->text(1));
    for (const auto& [table, column] : columns) {
      auto rows = ledger->db().prepare("SELECT CAST(\"" + column + "\" AS TEXT) FROM " + table);
      EXPECT_TRUE(rows.ok()) << table << "." << column;
      while (*rows->step()) {
        if (rows->is_null(0)) continue;
        const std::string cell(rows->text(0));
        for (const auto& v : values) {
          if (cell.find(v) != std::string::npos)
            found.push_back(table + "." + column + " holds \"" + v + "\": " + cell);
        }
      }
    }
    return found;
  }

  std::int64_t ana_id = 0;
};

TEST_F(Erasure, NothingPersonalIsLeftAndTheSalesStay) {
  ASSERT_FALSE(cells_holding(kAnas).empty()) << "the history holds her details before";
  const auto revenue = count("SELECT sum(total_cents) FROM sales");
  const std::string hers = " customer_id = " + std::to_string(ana_id);
  const auto pending = count("SELECT count(*) FROM jobs WHERE state = 'pending' AND" + hers);
  const auto messages = count("SELECT count(*) FROM messages WHERE" + hers);
  const auto intents = count("SELECT count(*) FROM messages WHERE state = 'intent' AND" + hers);
  ASSERT_EQ(messages, 3) << "the rating SMS of each record and the 15-day SMS";
  ASSERT_EQ(intents, 2);
  ASSERT_EQ(pending, 3) << "rating, 15 and 30 days from her last purchase";

  auto forgotten = forget_customer(*ledger, ErasureRequest{ana_id, ErasureRequester::customer, false});
  ASSERT_TRUE(forgotten.ok()) << forgotten.error().message;
  const auto& e = forgotten->erasure;
  EXPECT_TRUE(forgotten->written);
  EXPECT_FALSE(forgotten->already);
  EXPECT_EQ(e.key, "centro:erasure:" + std::to_string(ana_id));
  EXPECT_EQ(e.pos_ids, (std::vector<std::string>{"C-77", "C-78"}));
  EXPECT_EQ(e.counts.fields, (std::vector<std::string>{"name", "phone", "email", "cpf", "birthday"}));
  EXPECT_EQ(e.counts.consents, 1);
  EXPECT_EQ(e.counts.other_pos_ids, 1);
  EXPECT_EQ(e.counts.merge_records, 1);
  EXPECT_EQ(e.counts.jobs_cancelled, pending);
  EXPECT_EQ(e.counts.tasks, 1);  // the done task with a link and a note
  EXPECT_EQ(e.counts.tasks_cancelled, 0);
  EXPECT_EQ(e.counts.messages, messages);
  EXPECT_EQ(e.counts.messages_stopped, intents) << "the SMS no channel had taken are never sent";
  EXPECT_EQ(e.counts.quarantined_lines, 1);
  EXPECT_EQ(e.counts.sales_kept, 3);

  for (const auto& cell : cells_holding(kAnas))
    ADD_FAILURE() << cell;
  EXPECT_TRUE(cells_holding({"Bruno Lima"}).size() >= 1) << "a neighbour's details stay";
  EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE CAST(raw AS TEXT) LIKE '%S-10%'"), 1);
  // The sales, their items and the store's figures stay, without a person.
  EXPECT_EQ(count("SELECT sum(total_cents) FROM sales"), revenue);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(ana_id)), 3);
  EXPECT_EQ(
      count("SELECT count(*) FROM sale_items i JOIN sales s ON s.id = i.sale_id WHERE s.pos_id = 'S-1'"), 1);
  EXPECT_EQ(count("SELECT purchases FROM customer_stats WHERE customer_id = " + std::to_string(ana_id)), 3);
  EXPECT_EQ(
      count("SELECT count(*) FROM customers WHERE erased_at IS NOT NULL AND id = " + std::to_string(ana_id)),
      1);
  // Her actions are cancelled with the reason, the messages she got keep their rule and moment.
  EXPECT_EQ(
      count("SELECT count(*) FROM jobs WHERE state = 'pending' AND customer_id = " + std::to_string(ana_id)),
      0);
  EXPECT_EQ(count("SELECT count(*) FROM decisions WHERE reason = 'erased'"), pending + intents)
      << "a decision per cancelled job and per message that will never be sent";
  EXPECT_EQ(
      text("SELECT group_concat(state) FROM (SELECT state FROM messages WHERE" + hers + " ORDER BY id)"),
      "sent,cancelled,cancelled");
  EXPECT_EQ(text("SELECT error FROM message_receipts"), "30006: [erased] is unreachable");
  EXPECT_EQ(
      text("SELECT body FROM messages WHERE id = 1"),
      "Oi, [erased]! Obrigado pela visita à Loja Centro. Como foi o seu atendimento? Sua opinião leva 1 "
      "minuto: https://r.example/rate");
  EXPECT_EQ(text("SELECT outcome || ' ' || note FROM tasks WHERE state = 'done'"), "contacted [erased]");
  // The erasure row says nothing personal: its summary is counts.
  EXPECT_EQ(text("SELECT requested_by FROM erasures"), "customer");
  EXPECT_EQ(text("SELECT json_extract(summary, '$.sales_kept') FROM erasures"), "3");

  // Forgetting again does nothing and says when it was done.
  clock.set(at("2026-04-06T12:00:00-03:00"));
  auto again = forget_customer(*ledger, ErasureRequest{ana_id});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->already);
  EXPECT_FALSE(again->written);
  EXPECT_EQ(again->erasure.key, e.key);
  EXPECT_EQ(again->erasure.erased_at, e.erased_at);
  EXPECT_EQ(again->erasure.counts.sales_kept, 3);
  EXPECT_EQ(again->erasure.pos_ids, e.pos_ids);
  EXPECT_EQ(count("SELECT count(*) FROM erasures"), 1);
  auto by_pos = erasure_of_pos_id(ledger->db(), "C-78");
  ASSERT_TRUE(by_pos.ok() && *by_pos);
  EXPECT_EQ((*by_pos)->key, e.key);
}

TEST_F(Erasure, ALaterSaleWithTheSamePosIdOrCpfStartsANewRecord) {
  ASSERT_TRUE(forget_customer(*ledger, ErasureRequest{ana_id}).ok());
  clock.set(at("2026-04-10T10:00:00-03:00"));
  // The POS still has her: the same POS id, name and phone, no word on consent.
  apply_all(
      {sale("S-20", 5'000, customer("C-77", "Ana Souza", "(11) 98765-4321"), "2026-04-10T10:00:00-03:00")});
  const auto again = id_of("C-77");
  EXPECT_NE(again, ana_id);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(ana_id)), 3);
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id = " + std::to_string(again)), 1);
  auto consents = consents_of(ledger->db(), again);
  ASSERT_TRUE(consents.ok());
  ASSERT_EQ(consents->size(), 3U) << "every channel refused until she grants one again";
  for (const auto& c : *consents) {
    EXPECT_FALSE(c.granted);
    EXPECT_EQ(c.source, "erasure");
  }
  auto erasure = erasure_of_customer(ledger->db(), ana_id);
  ASSERT_TRUE(erasure.ok() && *erasure);
  EXPECT_EQ((*erasure)->seen_again, 1);
  EXPECT_EQ((*erasure)->seen_again_at, at("2026-04-10T10:00:00-03:00"));
  // Her rating SMS is skipped: she refused, as far as Régua knows.
  run_until("2026-04-10T18:00:00-03:00");
  EXPECT_EQ(text("SELECT reason FROM decisions WHERE customer_id = " + std::to_string(again)), "opted_out");
  // A grant from the POS lifts it.
  CustomerInfo yes = customer("C-77");
  yes.consent = {ConsentChange{Channel::sms, true}};
  apply_all({CustomerUpdate{yes, at("2026-04-10T19:00:00-03:00")}});
  auto sms = consent_for(ledger->db(), again, Channel::sms);
  ASSERT_TRUE(sms.ok());
  EXPECT_EQ(*sms, std::optional<bool>(true));

  // A fiscal note with only her CPF: not kept, so a new customer like any other, not the old history.
  CustomerInfo by_cpf;
  by_cpf.cpf = "529.982.247-25";
  by_cpf.name = "Ana Souza";
  apply_all({sale("S-21", 3'000, by_cpf, "2026-04-11T10:00:00-03:00")});
  const auto fiscal = customer_of("S-21");
  EXPECT_NE(fiscal, ana_id);
  EXPECT_EQ(count("SELECT count(*) FROM consents WHERE customer_id = " + std::to_string(fiscal)), 0);
}

TEST_F(Erasure, AForgottenRecordIsNeitherMergedNorListedAndADryRunChangesNothing) {
  const auto bruno = id_of("C-5");
  auto dry = forget_customer(*ledger, ErasureRequest{bruno, ErasureRequester::store, true});
  ASSERT_TRUE(dry.ok()) << dry.error().message;
  EXPECT_FALSE(dry->written);
  EXPECT_EQ(dry->erasure.counts.fields, (std::vector<std::string>{"name", "phone"}));
  EXPECT_EQ(text("SELECT name FROM customers WHERE id = " + std::to_string(bruno)), "Bruno Lima");
  EXPECT_EQ(count("SELECT count(*) FROM erasures"), 0);

  ASSERT_TRUE(forget_customer(*ledger, ErasureRequest{ana_id}).ok());
  auto merge = merge_customers(*ledger, MergeRequest{bruno, {ana_id}, false});
  ASSERT_FALSE(merge.ok());
  EXPECT_NE(merge.error().message.find("was forgotten"), std::string::npos) << merge.error().message;
  // A segment's list (what a campaign exports) leaves her out; its count still has her purchases.
  const SegmentPolicy& policy = engine->policy();
  auto compiled = compile_segment(ledger->db(), "purchases >= 1", policy, 20'550);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  std::vector<std::int64_t> listed;
  auto s = for_each_in_segment(ledger->db(), *compiled, policy, 20'550, [&](const SegmentMember& m) {
    listed.push_back(m.id);
    return Status{};
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(listed, (std::vector<std::int64_t>{bruno}));
  auto unknown = forget_customer(*ledger, ErasureRequest{9'999});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::usage);
}

}  // namespace
}  // namespace regua
