#pragma once
// Scheduled jobs: rows of the ledger's `jobs` table, one per (rule, customer, trigger occurrence),
// so that whatever runs twice (a replayed sale, a planner after a restart) plans an occurrence once
// and its action happens at most once. Statements are prepared once: planning runs inside every
// sale's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class JobState { pending, fired, skipped, cancelled };
std::string_view job_state_name(JobState state);
std::optional<JobState> job_state_from_name(std::string_view name);

struct Job {
  std::int64_t id = 0;
  std::string rule_id;
  std::int64_t customer_id = 0;
  std::string occurrence;
  Seconds occurred_at{};
  Seconds planned_at{};
  Seconds due_at{};
  int priority = 0;
  std::string action;   // message, task
  std::string channel;  // sms, whatsapp, email, call
  JobState state = JobState::pending;
};

class JobStore {
 public:
  // Must not outlive `db`.
  static Result<JobStore> create(sqlite::Db& db);

  // Inserts a pending job unless its (rule, customer, occurrence) exists; true when inserted.
  Result<bool> insert(const Job& job, Seconds now);
  // The job of an occurrence, in any state.
  Result<std::optional<Job>> find(std::string_view rule_id, std::int64_t customer_id,
                                  std::string_view occurrence);
  Result<std::vector<Job>> pending_of(std::int64_t customer_id);
  // Pending jobs due at or before `now`, in firing order (due, higher priority first, id).
  Result<std::vector<Job>> due(Seconds now, int limit);
  Result<std::optional<Seconds>> next_due();
  // Moves a pending job's due moment (a deferral).
  Status defer(std::int64_t id, Seconds due);
  // Re-plans a pending job (its rule changed, or the birthday moved).
  Status replan(std::int64_t id, Seconds planned, int priority);
  // Makes a job closed as cancelled with `reason` pending again, due at its planned moment (the
  // purchase that cancelled it was itself cancelled); false when there is no such job.
  Result<bool> reopen(std::string_view rule_id, std::int64_t customer_id, std::string_view occurrence,
                      std::string_view reason);
  // Closes a pending job; false when it was not pending any more.
  Result<bool> close(std::int64_t id, JobState state, Seconds at, std::string_view reason);

 public:
  // Empty until assigned from create(); lets an owner hold one by value.
  JobStore() = default;

 private:
  Result<std::vector<Job>> read(sqlite::Stmt& stmt);
  sqlite::Db* db_ = nullptr;
  sqlite::Stmt insert_, find_, pending_of_, due_, next_due_, defer_, replan_, close_, reopen_;
};

}  // namespace regua
