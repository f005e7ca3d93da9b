#pragma once
// The per-format options of a [[source]]: how a CSV file is laid out and which column holds what
// ([source.csv], [source.columns]), and how a folder of fiscal XML documents is read ([source.nfe]).
// docs/config.md lists every key with its default; docs/connectors.md explains the formats.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agent/connectors/text_encoding.hpp"
#include "local/core/money.hpp"

namespace regua {

// What a CSV column can hold. One row is one sale; the item columns describe a single item of it.
enum class CsvField {
  sale_id,
  datetime,  // date and time in one column
  date,      // or the date here...
  time,      // ...and the time of day here
  total,
  customer_id,
  customer_name,
  customer_phone,
  customer_cpf,
  customer_email,
  customer_birthday,
  item_sku,
  item_name,
  item_quantity,
  item_price,
};
inline constexpr std::size_t kCsvFieldCount = 15;

// The key of a field in [source.columns] ("sale_id", "customer_name", ...).
std::string_view csv_field_key(CsvField field);
// What it is, for messages ("the sale id", "the customer's name").
std::string_view csv_field_meaning(CsvField field);

// A column, by its name in the header line or by its 1-based position.
struct CsvColumnRef {
  std::string name;  // empty when by position
  int index = 0;     // 1-based when by position, else 0
};

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';  // '\0': fields are never quoted
  bool header = true;
  TextEncoding encoding = TextEncoding::utf8;
  AmountFormat amounts;         // decimal separator '.' and no thousands separator by default
  std::string datetime_format;  // empty: ISO 8601 (e.g. 2026-03-01T14:05:00-03:00 or 2026-03-01 14:05)
  std::string date_format = "%Y-%m-%d";
  std::string time_format = "%H:%M:%S";
  std::string birthday_format;  // empty: the date format
};

struct CsvOptions {
  CsvDialect dialect;
  std::array<std::optional<CsvColumnRef>, kCsvFieldCount> columns;

  [[nodiscard]] const std::optional<CsvColumnRef>& column(CsvField f) const {
    return columns[static_cast<std::size_t>(f)];
  }
};

struct NfeOptions {
  std::filesystem::path processed_dir;  // empty: processed documents stay where they are
  std::int64_t settle_ms = 2000;        // a file must be unchanged this long before it is read
};

}  // namespace regua
