#include "cloud/storage/pg_connection.hpp"

#include <regex>

#include <libpq-fe.h>

namespace regua::hub::pg {
namespace {

std::string first_line_of(std::string_view sql) {
  const auto start = sql.find_first_not_of(" \n");
  if (start == std::string_view::npos) return {};
  const auto text = sql.substr(start);
  const auto end = text.find('\n');
  return std::string(text.substr(0, std::min<std::size_t>(end, 100)));
}

std::string trimmed_message(const char* message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
    m.pop_back();
  return m;
}

}  // namespace

std::string redacted_conninfo(const std::string& conninfo) {
  // key=value form: `password=...` (quoted or not); URI form: postgresql://user:secret@host.
  static const std::regex kKeyValue(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))", std::regex::icase);
  static const std::regex kUri(R"(^(postgres(?:ql)?://[^:/@]*):[^@/]*@)", std::regex::icase);
  return "PostgreSQL (" +
         std::regex_replace(std::regex_replace(conninfo, kKeyValue, "$1***"), kUri, "$1:***@") + ")";
}

void Rows::Free::operator()(pg_result* r) const {
  PQclear(r);
}

Rows::Rows(pg_result* result) : result_(result) {}

const pg_result* Rows::raw() const {
  return result_.get();
}

int Rows::size() const {
  return result_ ? PQntuples(result_.get()) : 0;
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string Rows::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t Rows::int64(int row, int column) const {
  return std::stoll(PQgetvalue(result_.get(), row, column));
}

void Connection::Close::operator()(pg_conn* c) const {
  PQfinish(c);
}

Result<Connection> Connection::open(const std::string& conninfo) {
  Connection out;
  out.conn_.reset(PQconnectdb(conninfo.c_str()));
  if (!out.conn_) return make_error(ErrorKind::io, "PostgreSQL: out of memory while connecting");
  if (PQstatus(out.conn_.get()) != CONNECTION_OK) {
    // Named by its parts, never by the string itself (it may hold a password).
    return make_error(ErrorKind::io, "cannot connect to " + redacted_conninfo(conninfo) + ": " +
                                         trimmed_message(PQerrorMessage(out.conn_.get())) +
                                         ": check [hub] postgresql and that the server runs");
  }
  const char* host = PQhost(out.conn_.get());
  out.where_ = std::string("PostgreSQL at ") + (host != nullptr ? host : "?") + ":" +
               PQport(out.conn_.get()) + "/" + PQdb(out.conn_.get());
  // Keep the server's notices (e.g. "relation already exists, skipping") out of the hub's output.
  PQsetNoticeProcessor(
      out.conn_.get(), [](void*, const char*) {}, nullptr);
  return out;
}

Status Connection::exec(std::string_view sql) {
  // PQexec runs several statements in one string (a migration); the last result carries an error.
  Rows rows(PQexec(conn_.get(), std::string(sql).c_str()));
  if (const auto status = PQresultStatus(rows.raw());
      status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return failure(rows.raw(), sql);
  }
  return {};
}

Error Connection::failure(const pg_result* result, std::string_view sql) const {
  std::string message =
      trimmed_message(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool lost = PQstatus(conn_.get()) != CONNECTION_OK;
  return make_error(lost ? ErrorKind::io : ErrorKind::ledger,
                    where_ + ": " + message +
                        (state != nullptr ? " (SQLSTATE " + std::string(state) + ")" : "") + " in \"" +
                        first_line_of(sql) + "\"" +
                        (lost ? ": the connection to the server is lost (the hub stops; restart it)" : ""));
}

Result<Rows> Connection::query(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p ? p->c_str() : nullptr);
  const std::string statement(sql);
  pg_result* result = PQexecParams(conn_.get(), statement.c_str(), static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0);
  Rows rows(result);
  const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(result, sql);
  return rows;
}

Result<std::int64_t> Connection::query_int(std::string_view sql, const std::vector<Param>& params,
                                           std::int64_t fallback) {
  auto rows = query(sql, params);
  if (!rows) return rows.error();
  if (rows->size() == 0 || rows->is_null(0, 0)) return fallback;
  return rows->int64(0, 0);
}

Result<Transaction> Transaction::begin(Connection& conn) {
  if (auto s = conn.query("BEGIN"); !s) return s.error();
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr) (void)conn_->query("ROLLBACK");
}

Status Transaction::commit() {
  auto* conn = conn_;
  conn_ = nullptr;
  if (auto s = conn->query("COMMIT"); !s) return s.error();
  return {};
}

std::string text_array(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string int_array(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(items[i]);
  }
  return out + "}";
}

}  // namespace regua::hub::pg
