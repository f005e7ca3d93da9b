#include "local/scheduler/jobs.hpp"

#include <array>

#include "local/core/clock.hpp"
#include "local/core/enum_names.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 4> kJobStates{"pending", "fired", "skipped", "cancelled"};

constexpr std::string_view kJobColumns =
    "id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, state, action, channel";

}  // namespace

std::string_view job_state_name(JobState state) {
  return kJobStates[static_cast<std::size_t>(state)];
}

std::optional<JobState> job_state_from_name(std::string_view name) {
  return enum_from_name<JobState>(kJobStates, name);
}

Result<JobStore> JobStore::create(sqlite::Db& db) {
  JobStore s;
  s.db_ = &db;
  const std::string cols(kJobColumns);
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string sql;
  };
  for (const auto& [stmt, sql] : {
           Prepared{&s.insert_,
                    "INSERT INTO jobs (rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, "
                    "priority, action, channel, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?8, "
                    "?9, 'pending', ?7) "
                    "ON CONFLICT (rule_id, customer_id, occurrence) DO NOTHING"},
           Prepared{&s.find_, "SELECT " + cols +
                                  " FROM jobs WHERE rule_id = ?1 AND customer_id = ?2 AND occurrence = ?3"},
           Prepared{&s.pending_of_,
                    "SELECT " + cols + " FROM jobs WHERE customer_id = ?1 AND state = 'pending' ORDER BY id"},
           Prepared{&s.due_, "SELECT " + cols +
                                 " FROM jobs WHERE state = 'pending' AND due_at <= ?1 "
                                 "ORDER BY due_at, priority DESC, id LIMIT ?2"},
           Prepared{
               &s.next_due_,
               "SELECT due_at FROM jobs WHERE state = 'pending' ORDER BY due_at, priority DESC, id LIMIT 1"},
           Prepared{&s.defer_, "UPDATE jobs SET due_at = ?2 WHERE id = ?1 AND state = 'pending'"},
           Prepared{&s.replan_,
                    "UPDATE jobs SET planned_at = ?2, due_at = ?2, priority = ?3 WHERE id = ?1 AND state = "
                    "'pending'"},
           Prepared{
               &s.reopen_,
               "UPDATE jobs SET state = 'pending', due_at = planned_at, decided_at = NULL, reason = NULL "
               "WHERE rule_id = ?1 AND customer_id = ?2 AND occurrence = ?3 AND state = 'cancelled' AND "
               "reason = ?4"},
           Prepared{&s.close_,
                    "UPDATE jobs SET state = ?2, decided_at = ?3, reason = ?4 WHERE id = ?1 AND state = "
                    "'pending'"},
       }) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error().within("preparing the scheduler's jobs");
    *stmt = std::move(*prepared);
  }
  return s;
}

Result<std::vector<Job>> JobStore::read(sqlite::Stmt& stmt) {
  std::vector<Job> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error().within("reading scheduled jobs");
    if (!*row) break;
    Job j;
    j.id = stmt.int64(0);
    j.rule_id = std::string(stmt.text(1));
    j.customer_id = stmt.int64(2);
    j.occurrence = std::string(stmt.text(3));
    j.occurred_at = from_unix(stmt.int64(4));
    j.planned_at = from_unix(stmt.int64(5));
    j.due_at = from_unix(stmt.int64(6));
    j.priority = static_cast<int>(stmt.int64(7));
    j.state = job_state_from_name(stmt.text(8)).value_or(JobState::pending);
    j.action = std::string(stmt.text(9));
    j.channel = std::string(stmt.text(10));
    out.push_back(std::move(j));
  }
  return out;
}

Result<bool> JobStore::insert(const Job& job, Seconds now) {
  insert_.bind_ref(1, std::string_view(job.rule_id))
      .bind(2, job.customer_id)
      .bind_ref(3, std::string_view(job.occurrence))
      .bind(4, to_unix(job.occurred_at))
      .bind(5, to_unix(job.planned_at))
      .bind(6, std::int64_t{job.priority})
      .bind(7, to_unix(now))
      .bind_ref(8, std::string_view(job.action))
      .bind_ref(9, std::string_view(job.channel));
  if (auto s = insert_.run(); !s) {
    return s.error().within("planning rule " + job.rule_id + " for customer " +
                            std::to_string(job.customer_id));
  }
  return db_->changes() > 0;
}

Result<std::optional<Job>> JobStore::find(std::string_view rule_id, std::int64_t customer_id,
                                          std::string_view occurrence) {
  find_.bind_ref(1, rule_id).bind(2, customer_id).bind_ref(3, occurrence);
  auto rows = read(find_);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Job>{};
  return std::optional<Job>(std::move(rows->front()));
}

Result<std::vector<Job>> JobStore::pending_of(std::int64_t customer_id) {
  pending_of_.bind(1, customer_id);
  return read(pending_of_);
}

Result<std::vector<Job>> JobStore::due(Seconds now, int limit) {
  due_.bind(1, to_unix(now)).bind(2, std::int64_t{limit});
  return read(due_);
}

Result<std::optional<Seconds>> JobStore::next_due() {
  auto row = next_due_.step();
  if (!row) return row.error().within("finding the next due job");
  std::optional<Seconds> out;
  if (*row) out = from_unix(next_due_.int64(0));
  next_due_.reset();
  return out;
}

Status JobStore::defer(std::int64_t id, Seconds due) {
  defer_.bind(1, id).bind(2, to_unix(due));
  return defer_.run();
}

Status JobStore::replan(std::int64_t id, Seconds planned, int priority) {
  replan_.bind(1, id).bind(2, to_unix(planned)).bind(3, std::int64_t{priority});
  return replan_.run();
}

Result<bool> JobStore::close(std::int64_t id, JobState state, Seconds when, std::string_view reason) {
  close_.bind(1, id).bind(2, job_state_name(state)).bind(3, to_unix(when)).bind_ref(4, reason);
  if (auto s = close_.run(); !s) return s.error().within("closing job " + std::to_string(id));
  return db_->changes() > 0;
}

Result<bool> JobStore::reopen(std::string_view rule_id, std::int64_t customer_id, std::string_view occurrence,
                              std::string_view reason) {
  reopen_.bind_ref(1, rule_id).bind(2, customer_id).bind_ref(3, occurrence).bind_ref(4, reason);
  if (auto s = reopen_.run(); !s) return s.error().within("reopening a job of rule " + std::string(rule_id));
  return db_->changes() > 0;
}

}  // namespace regua
