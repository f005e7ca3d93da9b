#include "local/ledger/sqlite.hpp"

#include <utility>

namespace regua::sqlite {
namespace {

// Plain words for the failures a store can do something about.
std::string advice(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:
      return " (the disk is full: free some space; nothing was lost and the agent resumes where it stopped)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another process holds the ledger locked: check that only one agent runs per ledger)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return " (the ledger file is damaged or is not a ledger: restore it from a backup)";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return " (check that the file and its folder exist and that this user may write to them)";
    case SQLITE_IOERR:
      return " (the disk reported an error: check the disk and the system log)";
    default:
      return "";
  }
}

}  // namespace

Error make_error_for(sqlite3* db, std::string_view what, int code) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  const int primary = code & 0xff;
  // A constraint failure is about the data being written, not the ledger: callers may quarantine it.
  const ErrorKind kind = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ? ErrorKind::incompatible
                         : primary == SQLITE_CONSTRAINT                        ? ErrorKind::input
                                                                               : ErrorKind::ledger;
  return make_error(kind, "ledger " + std::string(file != nullptr ? file : "(unknown)") + ": " +
                              std::string(what) + ": " + detail + advice(code));
}

Stmt::Stmt(Stmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int index, std::int64_t v) {
  sqlite3_bind_int64(stmt_, index, v);
  return *this;
}

Stmt& Stmt::bind(int index, double v) {
  sqlite3_bind_double(stmt_, index, v);
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view v) {
  sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::bind_ref(int index, std::string_view v) {
  sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::bind_ref(int index, const std::optional<std::string>& v) {
  return v ? bind_ref(index, std::string_view(*v)) : bind_null(index);
}

Stmt& Stmt::bind_blob(int index, std::string_view v) {
  sqlite3_bind_blob64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Stmt& Stmt::bind(int index, const std::optional<std::string>& v) {
  return v ? bind(index, std::string_view(*v)) : bind_null(index);
}

Result<bool> Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  // sqlite3_reset returns the same error again; read the message before it.
  Error e =
      make_error_for(sqlite3_db_handle(stmt_), std::string("running \"") + sqlite3_sql(stmt_) + "\"", rc);
  sqlite3_reset(stmt_);
  return e;
}

Status Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
}

std::int64_t Stmt::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Stmt::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string_view Stmt::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

bool Stmt::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

bool Stmt::is_integer(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER;
}

std::optional<std::string> Stmt::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return std::string(text(column));
}

std::optional<std::int64_t> Stmt::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<bool> Stmt::optional_flag(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column) != 0;
}

std::optional<Seconds> Stmt::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return from_unix(int64(column));
}

Db::Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void configure_process() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

Result<Db> Db::open(const std::filesystem::path& path, OpenMode mode) {
  configure_process();
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case OpenMode::read_write_create:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case OpenMode::read_write:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  Db db;
  db.path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) return db.error("opening", rc);
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Status Db::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return error("running \"" + text.substr(0, 80) + "\"", rc);
  return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) return error("preparing \"" + std::string(sql.substr(0, 80)) + "\"", rc);
  return Stmt(stmt);
}

Result<std::int64_t> Db::query_int(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorKind::internal, "query \"" + std::string(sql) + "\" returned no row");
  const auto v = stmt->int64(0);
  stmt->reset();
  return v;
}

std::int64_t Db::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}
int Db::changes() const {
  return sqlite3_changes(db_);
}

Error Db::error(std::string_view what, int code) const {
  if (db_ == nullptr)
    return make_error(ErrorKind::ledger, "ledger " + path_.string() + ": " + std::string(what) + ": " +
                                             sqlite3_errstr(code) + advice(code));
  return make_error_for(db_, what, code);
}

Result<Transaction> Transaction::begin(Db& db) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s.error();
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  auto s = db_->exec("COMMIT");
  if (!s) return s;  // the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace regua::sqlite
