#include "agent/config/source_options.hpp"

#include "agent/config/source_options_reader.hpp"
#include "agent/connectors/wall_time_format.hpp"

namespace regua {
namespace {

struct FieldInfo {
  std::string_view key;
  std::string_view meaning;
};

constexpr std::array<FieldInfo, kCsvFieldCount> kFields{{
    {"sale_id", "the sale id"},
    {"datetime", "the date and time"},
    {"date", "the date"},
    {"time", "the time of day"},
    {"total", "the total"},
    {"customer_id", "the customer id"},
    {"customer_name", "the customer's name"},
    {"customer_phone", "the customer's phone"},
    {"customer_cpf", "the customer's CPF"},
    {"customer_email", "the customer's e-mail"},
    {"customer_birthday", "the customer's birthday"},
    {"item_sku", "the item's code"},
    {"item_name", "the item's name"},
    {"item_quantity", "the item's quantity"},
    {"item_price", "the item's unit price"},
}};

std::string quoted_option(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// A one-character setting such as the delimiter; "\t" and "tab" mean a tab.
std::optional<char> single_char(TomlTable& t, std::string_view key, bool allow_empty) {
  auto value = t.string(key);
  if (!value) return std::nullopt;
  if (*value == "\\t" || *value == "tab") return '\t';
  if (value->empty() && allow_empty) return '\0';
  if (value->size() != 1 || static_cast<unsigned char>((*value)[0]) >= 0x80) {
    t.bad_value(key, quoted_option(*value) + " must be exactly one ASCII character" +
                         (allow_empty ? std::string(" or \"\" for none") : std::string()));
    return std::nullopt;
  }
  return (*value)[0];
}

std::optional<std::string> time_format(TomlTable& t, std::string_view key, WallTimeParts needs) {
  auto value = t.string(key);
  if (!value) return std::nullopt;
  if (auto s = check_wall_time_format(*value, needs); !s) {
    t.bad_value(key, s.error().message);
    return std::nullopt;
  }
  return value;
}

void read_dialect(const toml::table* table, const std::string& label, CsvDialect& d, ConfigErrors& errors) {
  TomlTable t(table, label, errors);
  if (auto c = single_char(t, "delimiter", false)) d.delimiter = *c;
  if (auto c = single_char(t, "quote", true)) d.quote = *c;
  if (auto h = t.boolean("header")) d.header = *h;
  if (auto e = t.choice("encoding", {"utf-8", "windows-1252", "iso-8859-1"})) {
    d.encoding = *text_encoding_from_name(*e);
  }
  if (auto c = t.choice("decimal_separator", {".", ","})) d.amounts.decimal_separator = (*c)[0];
  if (auto c = t.choice("thousands_separator", {"", ".", ",", " "})) {
    d.amounts.thousands_separator = c->empty() ? '\0' : (*c)[0];
  }
  if (auto f = time_format(t, "datetime_format", WallTimeParts::date_and_time)) d.datetime_format = *f;
  if (auto f = time_format(t, "date_format", WallTimeParts::date)) d.date_format = *f;
  if (auto f = time_format(t, "time_format", WallTimeParts::time)) d.time_format = *f;
  if (auto f = time_format(t, "birthday_format", WallTimeParts::date)) d.birthday_format = *f;
  t.reject_unknown_keys();

  if (d.amounts.thousands_separator == d.amounts.decimal_separator) {
    t.bad_value("thousands_separator", "must differ from decimal_separator");
  }
  if (d.delimiter == d.quote) t.bad_value("quote", "must differ from the delimiter");
  if (d.delimiter == d.amounts.decimal_separator && d.quote == '\0') {
    t.bad_value("quote", "amounts with a decimal separator equal to the delimiter need quoting");
  }
}

void read_columns(const toml::table* table, const std::string& label, bool header, CsvOptions& csv,
                  ConfigErrors& errors) {
  TomlTable t(table, label, errors);
  for (std::size_t i = 0; i < kCsvFieldCount; ++i) {
    const auto key = kFields[i].key;
    const toml::node* node = t.get(key);
    if (node == nullptr) continue;
    CsvColumnRef ref;
    if (const auto* name = node->as_string()) {
      ref.name = name->get();
      if (ref.name.empty()) {
        t.bad_value(key, "must name a column of the header line, or give its position (1, 2, ...)");
        continue;
      }
      if (!header) {
        t.bad_value(key,
                    "names the column " + quoted_option(ref.name) +
                        " but the file has no header line (header = false): give its position instead (1 "
                        "for the first column)");
        continue;
      }
    } else if (const auto* index = node->as_integer()) {
      if (index->get() < 1 || index->get() > 1000) {
        t.bad_value(key, std::to_string(index->get()) + " is not a column position (1 is the first column)");
        continue;
      }
      ref.index = static_cast<int>(index->get());
    } else {
      t.bad_value(key, "must be a column name (a string) or a column position (an integer from 1), not " +
                           std::string(describe_type(node->type())));
      continue;
    }
    csv.columns[i] = std::move(ref);
  }
  t.reject_unknown_keys();

  const auto has = [&](CsvField f) { return csv.column(f).has_value(); };
  if (!has(CsvField::sale_id)) t.bad_value("sale_id", "is required: which column holds the sale's id");
  if (!has(CsvField::total)) t.bad_value("total", "is required: which column holds the sale's total");
  if (has(CsvField::datetime) && (has(CsvField::date) || has(CsvField::time))) {
    t.bad_value("datetime", "give either datetime (date and time in one column) or date and time, not both");
  } else if (!has(CsvField::datetime) && !has(CsvField::date)) {
    t.bad_value("datetime",
                "is required: which column holds when the sale happened (or date, with time if it has its "
                "own column)");
  } else if (has(CsvField::time) && !has(CsvField::date)) {
    t.bad_value("time", "needs date too");
  }
  const bool any_item = has(CsvField::item_sku) || has(CsvField::item_name) || has(CsvField::item_quantity);
  if (any_item && !has(CsvField::item_price)) {
    t.bad_value("item_price", "is required when other item columns are given: the item's unit price");
  }
}

}  // namespace

std::string_view csv_field_key(CsvField field) {
  return kFields[static_cast<std::size_t>(field)].key;
}

std::string_view csv_field_meaning(CsvField field) {
  return kFields[static_cast<std::size_t>(field)].meaning;
}

void read_source_options(const toml::table& source, TomlTable& t, const std::filesystem::path& base,
                         std::string_view kind, CsvOptions& csv, NfeOptions& nfe, ConfigErrors& errors) {
  const std::string where = " of " + t.label();
  const auto sub = [&](std::string_view key) -> const toml::table* {
    t.allow(key);
    const toml::node* node = source.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      errors.add(node->source(), "source." + std::string(key) + where + " must be a table: [source." +
                                     std::string(key) + "]");
      return nullptr;
    }
    return node->as_table();
  };
  const auto only_for = [&](std::string_view key, std::string_view kind_needed) {
    if (const toml::node* node = source.get(key); node != nullptr && kind != kind_needed) {
      errors.add(node->source(), "[source." + std::string(key) + "]" + where + " only applies to kind = \"" +
                                     std::string(kind_needed) + "\"");
    }
  };
  const toml::table* csv_table = sub("csv");
  const toml::table* columns_table = sub("columns");
  const toml::table* nfe_table = sub("nfe");
  only_for("csv", "csv");
  only_for("columns", "csv");
  only_for("nfe", "nfe");

  if (kind == "csv") {
    read_dialect(csv_table, "[source.csv]" + where, csv.dialect, errors);
    if (columns_table == nullptr) {
      t.bad_value("columns",
                  "[source.columns] is missing: a CSV source needs at least sale_id, datetime (or date) and "
                  "total, e.g. [source.columns] sale_id = \"Cupom\"");
    } else {
      read_columns(columns_table, "[source.columns]" + where, csv.dialect.header, csv, errors);
    }
  }
  if (kind == "nfe") {
    TomlTable n(nfe_table, "[source.nfe]" + where, errors);
    if (auto dir = n.string("processed_dir"); dir && !dir->empty()) {
      nfe.processed_dir = config_relative_path(base, *dir);
    }
    nfe.settle_ms = n.integer("settle_ms", 0, 3'600'000).value_or(nfe.settle_ms);
    n.reject_unknown_keys();
  }
}

}  // namespace regua
