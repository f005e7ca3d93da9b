#pragma once
// Reconciles the three places a store's sales live: the POS's own files (JSON Lines), the store's
// ledger and the hub's store. Every sale of the POS is in the ledger and at the hub once, in the
// state the POS left it (cancelled or not, its total); the hub holds each sale record the ledger's
// triggers produced exactly once (a sale's insert and its cancellation), in the store's order; and,
// when the sync is drained, the hub's contiguous mark is the store's recorded ack. Issue 8's load
// test reuses it for many stores.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace regua::hub {
class HubStore;
}

namespace regua::test {

struct Reconciliation {
  std::int64_t pos_sales = 0, ledger_sales = 0, hub_sales = 0;
  std::int64_t hub_sale_records = 0, expected_sale_records = 0;
  std::int64_t ledger_acked = 0, ledger_waiting = 0, hub_contiguous = 0;
  std::vector<std::string> problems;  // empty: everything reconciles

  [[nodiscard]] bool ok() const { return problems.empty(); }
  [[nodiscard]] std::string text() const;
};

// `drained`: also require that nothing waits in the outbox and the hub acked all of it.
Reconciliation reconcile_sync(const std::vector<std::filesystem::path>& pos_files,
                              const std::filesystem::path& ledger, const std::filesystem::path& hub_db,
                              const std::string& store, bool drained = true);
// The same, reading the hub through its storage interface (either backend: PostgreSQL for replicas).
Reconciliation reconcile_sync(const std::vector<std::filesystem::path>& pos_files,
                              const std::filesystem::path& ledger, hub::HubStore& hub,
                              const std::string& store, bool drained = true);

}  // namespace regua::test
