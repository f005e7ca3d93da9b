// libFuzzer target: the segment filter language, from text to SQL. Whatever the parser accepts must
// compile to a condition that SQLite prepares and runs on a real ledger schema (an in-memory ledger
// made by the migrations), with one bound parameter per "?": a filter can never inject SQL or
// produce a query that fails at run time.

#include <cstddef>
#include <cstdint>
#include <string>

#include <sqlite3.h>

#include "local/analysis/filter_parser.hpp"
#include "local/analysis/filter_sql.hpp"
#include "local/analysis/sql_local_day.hpp"
#include "local/ledger/migrations.hpp"
#include "local/ledger/sqlite.hpp"

namespace {

regua::sqlite::Db& ledger() {
  static regua::sqlite::Db db = [] {
    auto opened = regua::sqlite::Db::open(":memory:", regua::sqlite::OpenMode::read_write_create);
    if (!opened || !regua::migrate_ledger(*opened)) __builtin_trap();
    return std::move(*opened);
  }();
  return db;
}

const regua::LocalDay& utc_days() {
  static const regua::LocalDay day = [](regua::Seconds t) {
    const auto s = regua::to_unix(t);
    return s >= 0 ? s / regua::kSecondsPerDay : (s - regua::kSecondsPerDay + 1) / regua::kSecondsPerDay;
  };
  return day;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tree = regua::parse_filter(text);
  if (!tree) {
    if (tree.error().message.empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  regua::FilterContext context;
  context.today = 20'500;
  regua::RfmCutpoints cut;
  cut.customers = 100;
  cut.recency = {300, 120, 60, 20};
  cut.frequency = {1, 2, 4, 8};
  cut.monetary = {5'000, 20'000, 50'000, 100'000};
  context.rfm = cut;
  auto compiled = regua::compile_filter(*tree, context);
  if (!compiled) {
    if (compiled.error().message.empty()) __builtin_trap();
    return 0;
  }
  auto& db = ledger();
  static auto local_day = regua::SqlLocalDay::install(db, utc_days());
  if (!local_day) __builtin_trap();
  const std::string sql =
      "SELECT count(*) " + regua::filter_from_clause(*compiled) + " WHERE " + compiled->where;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) __builtin_trap();
  const int placeholders = sqlite3_bind_parameter_count(raw);
  sqlite3_finalize(raw);
  if (placeholders != static_cast<int>(compiled->params.size())) __builtin_trap();
  auto stmt = db.prepare(sql);
  if (!stmt) __builtin_trap();  // the parser accepted what SQL cannot run
  regua::bind_params(*stmt, compiled->params);
  if (!stmt->step()) __builtin_trap();
  return 0;
}
