#include "local/ledger/quarantine.hpp"

namespace regua {

Result<std::vector<QuarantinedInput>> recent_quarantine(sqlite::Db& db, int limit) {
  auto stmt = db.prepare(
      "SELECT id, source, file, line, byte_offset, raw, reason, at FROM quarantine ORDER BY id DESC LIMIT "
      "?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, std::int64_t{limit});
  std::vector<QuarantinedInput> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    QuarantinedInput q;
    q.id = stmt->int64(0);
    q.source = stmt->text(1);
    q.file = stmt->text(2);
    q.line = stmt->int64(3);
    q.byte_offset = stmt->int64(4);
    q.raw = stmt->text(5);
    q.reason = stmt->text(6);
    q.at = Seconds{std::chrono::seconds{stmt->int64(7)}};
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace regua
