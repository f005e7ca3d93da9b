#include "cloud/network/task_backlog.hpp"

#include <algorithm>
#include <charconv>

namespace regua::hub {

std::vector<HubTask> tasks_from_records(const std::vector<StoredRecord>& records) {
  std::vector<HubTask> out;
  for (const auto& r : records) {
    constexpr std::string_view kPrefix = "task:";
    if (r.key.rfind(kPrefix, 0) != 0) continue;
    HubTask t;
    const auto* first = r.key.data() + kPrefix.size();
    const auto* last = r.key.data() + r.key.size();
    if (auto [end, ec] = std::from_chars(first, last, t.id); ec != std::errc{} || end != last) continue;
    t.record = nlohmann::json::parse(r.body, nullptr, false);
    if (!t.record.is_object()) continue;
    t.state = t.record.value("state", std::string{});
    if (auto due = t.record.find("due_at"); due != t.record.end() && due->is_number_integer())
      t.due_at = due->get<std::int64_t>();
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const HubTask& a, const HubTask& b) { return a.id < b.id; });
  return out;
}

TaskBacklog backlog_of(std::string store, const std::vector<HubTask>& tasks, std::int64_t now) {
  TaskBacklog b{std::move(store), 0, 0, std::nullopt};
  for (const auto& t : tasks) {
    if (!t.open()) continue;
    ++b.open;
    if (t.overdue(now)) ++b.overdue;
    if (t.due_at && (!b.oldest_due_at || *t.due_at < *b.oldest_due_at)) b.oldest_due_at = t.due_at;
  }
  return b;
}

nlohmann::json task_json(const HubTask& task, std::int64_t now) {
  nlohmann::json out = task.record;
  out.erase("seq");
  out.erase("kind");
  out["id"] = task.id;
  out["overdue"] = task.overdue(now);
  return out;
}

}  // namespace regua::hub
