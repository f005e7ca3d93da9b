#include "local/ledger/checkpoints.hpp"

#include "local/core/hash.hpp"

namespace regua {

Result<std::optional<FileCheckpoint>> load_checkpoint(sqlite::Db& db, const std::string& source) {
  auto stmt = db.prepare(
      "SELECT file_device, file_inode, byte_offset, line, fingerprint_len, fingerprint FROM checkpoints "
      "WHERE source = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, std::string_view(source));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<FileCheckpoint>{};
  FileCheckpoint cp;
  cp.source = source;
  cp.device = static_cast<std::uint64_t>(stmt->int64(0));
  cp.inode = static_cast<std::uint64_t>(stmt->int64(1));
  cp.byte_offset = stmt->int64(2);
  cp.line = stmt->int64(3);
  cp.fingerprint_len = stmt->int64(4);
  cp.fingerprint = static_cast<std::uint64_t>(stmt->int64(5));
  stmt->reset();
  return std::optional<FileCheckpoint>{cp};
}

Status save_checkpoint(sqlite::Db& db, const FileCheckpoint& cp, std::int64_t now) {
  auto stmt = db.prepare(
      "INSERT INTO checkpoints (source, file_device, file_inode, byte_offset, line, fingerprint_len, "
      "fingerprint, "
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (source) DO UPDATE SET file_device = excluded.file_device, file_inode = "
      "excluded.file_inode, "
      "byte_offset = excluded.byte_offset, line = excluded.line, fingerprint_len = excluded.fingerprint_len, "
      "fingerprint = excluded.fingerprint, updated_at = excluded.updated_at");
  if (!stmt) return stmt.error();
  stmt->bind(1, std::string_view(cp.source))
      .bind(2, as_sql_int(cp.device))
      .bind(3, as_sql_int(cp.inode))
      .bind(4, cp.byte_offset)
      .bind(5, cp.line)
      .bind(6, cp.fingerprint_len)
      .bind(7, as_sql_int(cp.fingerprint))
      .bind(8, now);
  return stmt->run();
}

}  // namespace regua
