#include "local/ledger/processed_files.hpp"

#include "local/core/hash.hpp"

namespace regua {
namespace {

Result<bool> exists(sqlite::Stmt& stmt) {
  auto row = stmt.step();
  if (!row) return row.error();
  if (*row) stmt.reset();
  return *row;
}

}  // namespace

Result<ProcessedFiles> ProcessedFiles::create(sqlite::Db& db) {
  ProcessedFiles p;
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string_view sql;
  };
  for (const auto& [stmt, sql] :
       {Prepared{&p.by_identity_,
                 "SELECT 1 FROM processed_files WHERE device = ?1 AND inode = ?2 AND size = ?3 AND "
                 "modified_ns = ?4"},
        Prepared{&p.by_content_, "SELECT 1 FROM processed_files WHERE content_hash = ?1 AND size = ?2"},
        Prepared{&p.insert_,
                 "INSERT INTO processed_files (source, file, device, inode, size, modified_ns, content_hash, "
                 "sales, "
                 "cancellations, ignored, quarantined, access_keys, note, processed_at) VALUES (?1, ?2, ?3, "
                 "?4, ?5, "
                 "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (content_hash, size) DO NOTHING"}}) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(*prepared);
  }
  return p;
}

Result<bool> ProcessedFiles::has_identity(std::uint64_t device, std::uint64_t inode, std::int64_t size,
                                          std::int64_t modified_ns) {
  by_identity_.bind(1, as_sql_int(device)).bind(2, as_sql_int(inode)).bind(3, size).bind(4, modified_ns);
  return exists(by_identity_);
}

Result<bool> ProcessedFiles::has_content(std::uint64_t content_hash, std::int64_t size) {
  by_content_.bind(1, as_sql_int(content_hash)).bind(2, size);
  return exists(by_content_);
}

Status ProcessedFiles::record(const ProcessedFile& f, std::int64_t now) {
  insert_.bind(1, std::string_view(f.source))
      .bind(2, std::string_view(f.file))
      .bind(3, as_sql_int(f.device))
      .bind(4, as_sql_int(f.inode))
      .bind(5, f.size)
      .bind(6, f.modified_ns)
      .bind(7, as_sql_int(f.content_hash))
      .bind(8, f.sales)
      .bind(9, f.cancellations)
      .bind(10, f.ignored)
      .bind(11, f.quarantined)
      .bind(12, std::string_view(f.access_keys));
  if (f.note.empty()) {
    insert_.bind_null(13);
  } else {
    insert_.bind(13, std::string_view(f.note));
  }
  insert_.bind(14, now);
  if (auto s = insert_.run(); !s) return s.error().within("recording the processed file " + f.file);
  return {};
}

Result<std::int64_t> count_processed_files(sqlite::Db& db) {
  return db.query_int("SELECT count(*) FROM processed_files");
}

}  // namespace regua
