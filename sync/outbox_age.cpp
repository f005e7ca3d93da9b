#include "sync/outbox_age.hpp"

#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/ledger/ledger_info.hpp"
#include "local/ledger/outbox.hpp"

namespace regua::sync {
namespace {

constexpr std::string_view kOutboxMarksKey = "sync.outbox_marks";

using OutboxMarks = std::vector<std::pair<std::int64_t, std::int64_t>>;  // (sequence, store clock)

Result<OutboxMarks> read_outbox_marks(sqlite::Db& db) {
  auto text = read_ledger_info(db, kOutboxMarksKey);
  if (!text) return text.error();
  OutboxMarks marks;
  if (!*text) return marks;
  const auto j = nlohmann::json::parse(**text, nullptr, false);
  if (!j.is_array()) return marks;  // unreadable: start again (the lag reads low for a while)
  for (const auto& m : j) {
    if (m.is_array() && m.size() == 2 && m[0].is_number_integer() && m[1].is_number_integer())
      marks.emplace_back(m[0].get<std::int64_t>(), m[1].get<std::int64_t>());
  }
  return marks;
}

}  // namespace

Status mark_outbox_progress(sqlite::Db& db, Seconds now) {
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto depth = outbox_depth(db);
  if (!depth) return depth.error();
  auto marks = read_outbox_marks(db);
  if (!marks) return marks.error();
  const auto before = marks->size();
  std::erase_if(*marks, [&](const auto& m) { return m.first <= depth->acked; });
  bool changed = marks->size() != before;
  if (depth->newest > depth->acked && (marks->empty() || marks->back().first < depth->newest)) {
    marks->emplace_back(depth->newest, now.time_since_epoch().count());
    changed = true;
  }
  if (marks->size() > kMaxOutboxMarks) {
    OutboxMarks thinned;
    for (std::size_t i = 0; i < marks->size(); ++i) {
      if (i % 2 == 0 || i + 1 == marks->size()) thinned.push_back((*marks)[i]);
    }
    *marks = std::move(thinned);
  }
  if (!changed) return {};
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [seq, at] : *marks)
    j.push_back({seq, at});
  if (auto s = write_ledger_info(db, kOutboxMarksKey, j.dump()); !s) return s;
  return txn->commit();
}

Result<std::optional<std::int64_t>> oldest_waiting_at(sqlite::Db& db, std::int64_t before, Seconds now) {
  auto ack = outbox_ack(db);
  if (!ack) return ack.error();
  auto stmt = db.prepare("SELECT min(seq) FROM outbox WHERE seq > ?1 AND seq < ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, ack->seq).bind(2, before);
  auto row = stmt->step();
  if (!row) return row.error();
  const bool none = stmt->is_null(0);
  const auto oldest = none ? 0 : stmt->int64(0);
  stmt->reset();
  if (none) return std::optional<std::int64_t>{};
  auto marks = read_outbox_marks(db);
  if (!marks) return marks.error();
  for (const auto& [seq, at] : *marks) {
    if (seq >= oldest) return std::optional<std::int64_t>(at);
  }
  return std::optional<std::int64_t>(now.time_since_epoch().count());
}

}  // namespace regua::sync
