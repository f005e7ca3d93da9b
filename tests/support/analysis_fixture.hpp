#pragma once
// A ledger with an Ingestor and the store's segment policy (limits, a real IANA zone), with
// shorthands for the tests of local/analysis: sales and cancellations at given POS times, the
// stored figures, the segment events, and the clock the refreshes read.

#include <string>
#include <vector>

#include <date/tz.h>
#include <gtest/gtest.h>

#include "agent/analysis/store_days.hpp"
#include "local/analysis/customer_stats.hpp"
#include "local/analysis/segment_events.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {

struct EventRow {
  std::int64_t customer_id = 0;
  std::optional<std::string> cell, previous;
  std::string day, cause;
  std::int64_t purchases = 0;
};

class AnalysisTest : public IdentityTest {
 protected:
  explicit AnalysisTest(const char* zone = "America/Sao_Paulo") {
    policy.local_day = store_local_day(*date::locate_zone(zone));
  }

  // Gives the ingestor the policy: cell changes are then recorded at ingest.
  void track() { ingestor->stats().use_policy(&policy); }

  static CustomerInfo person(const std::string& pos_id) {
    CustomerInfo c;
    c.pos_id = pos_id;
    c.name = "Cliente " + pos_id;
    return c;
  }

  void buy(const std::string& sale, const std::string& customer, std::string_view when,
           Cents total = 10'000) {
    apply_all({IdentityTest::sale(
        sale, total, customer.empty() ? std::optional<CustomerInfo>{} : person(customer), when)});
  }

  void cancel(const std::string& sale, std::string_view when) { apply_all({Cancel{sale, at(when)}}); }

  std::int64_t id_of(const std::string& pos_id) {
    return count("SELECT coalesce((SELECT id FROM customers WHERE pos_id = '" + pos_id + "'), -1)");
  }

  std::optional<CustomerFigures> figures(const std::string& pos_id) {
    auto f = load_customer_figures(ledger->db(), id_of(pos_id));
    EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message);
    return f.ok() ? *f : std::nullopt;
  }

  std::vector<EventRow> events(const std::string& pos_id = "") {
    std::string sql = "SELECT customer_id, cell, previous_cell, day, cause, purchases FROM segment_events";
    if (!pos_id.empty()) sql += " WHERE customer_id = " + std::to_string(id_of(pos_id));
    sql += " ORDER BY id";
    auto stmt = ledger->db().prepare(sql);
    EXPECT_TRUE(stmt.ok());
    std::vector<EventRow> out;
    while (stmt.ok()) {
      auto row = stmt->step();
      if (!row.ok() || !*row) break;
      out.push_back({stmt->int64(0), stmt->optional_text(1), stmt->optional_text(2),
                     std::string(stmt->text(3)), std::string(stmt->text(4)), stmt->int64(5)});
    }
    return out;
  }

  RefreshReport refresh() {
    auto r = refresh_segments(ledger->db(), policy, clock);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : RefreshReport{};
  }

  std::int64_t today() { return policy.local_day(clock.now()); }

  SegmentPolicy policy;
};

}  // namespace regua::test
