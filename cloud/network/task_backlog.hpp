#pragma once
// The stores' task backlogs as the hub holds them (the newest state of each `task` record): open
// tasks, and of them the overdue ones (past `due_at`), per store: seed 009's "zero the tasks".
// Pure functions over HubStore::entities(store, "task").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/storage/hub_store.hpp"

namespace regua::hub {

struct HubTask {
  std::int64_t id = 0;  // the store's task number (the `task` of an HQ order)
  std::string state;    // open, done, archived, cancelled, expired
  std::optional<std::int64_t> due_at;
  nlohmann::json record;  // as the store sent it

  [[nodiscard]] bool open() const { return state == "open"; }
  [[nodiscard]] bool overdue(std::int64_t now) const { return open() && due_at && *due_at < now; }
};

// Task records (kind "task"), in task number order; a record without a readable key is skipped.
std::vector<HubTask> tasks_from_records(const std::vector<StoredRecord>& records);

struct TaskBacklog {
  std::string store;
  std::int64_t open = 0;
  std::int64_t overdue = 0;
  std::optional<std::int64_t> oldest_due_at;  // of the open tasks
};

TaskBacklog backlog_of(std::string store, const std::vector<HubTask>& tasks, std::int64_t now);

nlohmann::json task_json(const HubTask& task, std::int64_t now);

}  // namespace regua::hub
