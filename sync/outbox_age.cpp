#include "sync/outbox_age.hpp"

#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/ledger/ledger_info.hpp"
#include "local/ledger/outbox.hpp"

namespace regua::sync {
namespace {

constexpr std::string_view kOutboxMarksKey = "sync.outbox_marks";
constexpr std::size_t kMaxOutboxMarks = 256;
constexpr std::int64_t kOutboxMarkEvery = 60;  // seconds between marks at most

using OutboxMarks = std::vector<std::pair<std::int64_t, std::int64_t>>;  // (seq, unix), ascending

Result<OutboxMarks> read_outbox_marks(sqlite::Db& db) {
  auto text = read_ledger_info(db, kOutboxMarksKey);
  if (!text) return text.error();
  OutboxMarks marks;
  if (!*text) return marks;
  const auto j = nlohmann::json::parse(**text, nullptr, false);
  if (!j.is_array()) return marks;
  for (const auto& m : j) {
    if (m.is_array() && m.size() == 2 && m[0].is_number_integer() && m[1].is_number_integer())
      marks.emplace_back(m[0].get<std::int64_t>(), m[1].get<std::int64_t>());
  }
  return marks;
}

// The first sequence still waiting (dropped rows leave gaps after the ack); 0: none.
Result<std::int64_t> first_waiting_seq(sqlite::Db& db, std::int64_t acked) {
  auto stmt = db.prepare("SELECT coalesce(min(seq), 0) FROM outbox WHERE seq > ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, acked);
  auto row = stmt->step();
  if (!row) return row.error();
  const auto seq = stmt->int64(0);
  stmt->reset();
  return seq;
}

}  // namespace

Status mark_outbox_time(sqlite::Db& db, Seconds now) {
  auto depth = outbox_depth(db);
  if (!depth) return depth.error();
  auto marks = read_outbox_marks(db);
  if (!marks) return marks.error();
  const auto before = *marks;
  // Marks the ack passed describe records that are gone.
  std::erase_if(*marks, [&](const auto& m) { return m.first <= depth->acked; });
  const auto t = to_unix(now);
  if (depth->waiting > 0 && (marks->empty() || (marks->back().first < depth->newest &&
                                                t - marks->back().second >= kOutboxMarkEvery))) {
    marks->emplace_back(depth->newest, t);
  }
  if (marks->size() > kMaxOutboxMarks) {
    // Every other mark goes; the first (since when the oldest record waits) and the newest stay. A
    // record whose mark went is dated by a later one: younger, never older than it is.
    OutboxMarks kept;
    for (std::size_t i = 0; i < marks->size(); ++i) {
      if (i % 2 == 0 || i + 1 == marks->size()) kept.push_back((*marks)[i]);
    }
    *marks = std::move(kept);
  }
  if (*marks == before) return {};
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [seq, at] : *marks)
    j.push_back({seq, at});
  return write_ledger_info(db, kOutboxMarksKey, j.dump());
}

Result<OutboxAge> read_outbox_age(sqlite::Db& db) {
  OutboxAge age;
  auto depth = outbox_depth(db);
  if (!depth) return depth.error();
  age.waiting = depth->waiting;
  if (age.waiting == 0) return age;
  auto first = first_waiting_seq(db, depth->acked);
  if (!first) return first.error();
  auto marks = read_outbox_marks(db);
  if (!marks) return marks.error();
  for (const auto& [seq, at] : *marks) {
    if (seq >= *first) {
      age.oldest_since = from_unix(at);
      break;
    }
  }
  return age;
}

}  // namespace regua::sync
