#pragma once
// Raises the ledger's commits to a full sync for as long as it lives. The ledger runs with
// synchronous = NORMAL because what a tailed file produced can be read again after a power cut; a
// commit whose input cannot be read again (an event posted over HTTP and acknowledged, a send
// intent) must reach the disk before the caller acts on it. Create it outside a transaction.

#include "local/core/result.hpp"
#include "local/ledger/ledger.hpp"

namespace regua {

class DurableCommits {
 public:
  explicit DurableCommits(Ledger& ledger)
      : db_(&ledger.db()), status_(db_->exec("PRAGMA synchronous = FULL")) {}
  ~DurableCommits() { (void)db_->exec("PRAGMA synchronous = NORMAL"); }
  DurableCommits(const DurableCommits&) = delete;
  DurableCommits& operator=(const DurableCommits&) = delete;

  // Whether the sync level could be raised; commit nothing that needs it when not.
  [[nodiscard]] const Status& status() const { return status_; }

 private:
  sqlite::Db* db_;
  Status status_;
};

}  // namespace regua
