#include "agent/connectors/csv_decoder.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "agent/connectors/store_time.hpp"
#include "agent/connectors/wall_time_format.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

Error reject_csv(std::string reason) {
  return make_error(ErrorKind::input, std::move(reason));
}

std::string quoted_csv_text(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

bool same_name(std::string_view a, std::string_view b) {
  a = trim(a);
  b = trim(b);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A quantity in the file's number format ("1,5" with a decimal comma); goods sold by weight have
// fractions.
std::optional<double> parse_quantity(std::string_view text, const AmountFormat& format) {
  std::string plain;
  for (const char c : text) {
    if (format.thousands_separator != '\0' && c == format.thousands_separator) continue;
    plain += c == format.decimal_separator ? '.' : c;
  }
  double q = 0;
  const auto [end, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), q);
  if (ec != std::errc{} || end != plain.data() + plain.size() || !std::isfinite(q) || q <= 0) {
    return std::nullopt;
  }
  return q;
}

}  // namespace

CsvDecoder::CsvDecoder(CsvOptions options, const StoreConfig& store)
    : options_(std::move(options)),
      store_(store),
      fields_(options_.dialect.delimiter, options_.dialect.quote) {
  positions_.fill(-1);
  bool by_name = false;
  for (std::size_t i = 0; i < kCsvFieldCount; ++i) {
    const auto& ref = options_.columns[i];
    if (!ref) continue;
    if (ref->index > 0) positions_[i] = ref->index - 1;
    if (!ref->name.empty()) by_name = true;
  }
  positions_known_ = !by_name;
  if (by_name) {
    header_problem_ =
        "the columns are named in [source.columns] but the file's header line has not been read (the agent "
        "resumed in the middle of a file whose first line it could not read)";
  }
}

Status CsvDecoder::learn_header(std::string_view line) {
  std::string buffer;
  auto text = to_utf8(line, options_.dialect.encoding, buffer);
  if (!text) return reject_csv("the header line: " + text.error().message);
  if (auto s = fields_.split(*text); !s) return reject_csv("the header line: " + s.error().message);
  header_.clear();
  for (std::size_t c = 0; c < fields_.size(); ++c)
    header_.emplace_back(trim(fields_[c]));

  std::string missing;
  for (std::size_t i = 0; i < kCsvFieldCount; ++i) {
    const auto& ref = options_.columns[i];
    if (!ref || ref->name.empty()) continue;
    positions_[i] = -1;
    for (std::size_t c = 0; c < header_.size(); ++c) {
      if (same_name(header_[c], ref->name)) {
        positions_[i] = static_cast<int>(c);
        break;
      }
    }
    if (positions_[i] < 0) {
      if (!missing.empty()) missing += ", ";
      missing +=
          quoted_csv_text(ref->name) + " (" + std::string(csv_field_key(static_cast<CsvField>(i))) + ")";
    }
  }
  if (missing.empty()) {
    positions_known_ = true;
    header_problem_.clear();
    return {};
  }
  std::string columns;
  for (const auto& h : header_) {
    if (!columns.empty()) columns += ", ";
    columns += quoted_csv_text(h);
  }
  positions_known_ = false;
  header_problem_ =
      "the header line has no column " + missing + " named in [source.columns]; its columns are " + columns +
      " (is the delimiter right? it is " +
      (options_.dialect.delimiter == '\t' ? std::string("a tab")
                                          : quoted_csv_text(std::string(1, options_.dialect.delimiter))) +
      ")";
  return reject_csv(header_problem_);
}

void CsvDecoder::learn_header_from(const std::filesystem::path& file) {
  if (!options_.dialect.header) return;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  (void)learn_header(line);
}

Result<std::optional<Event>> CsvDecoder::decode_at(std::string_view line, std::int64_t number) {
  if (number == 1 && options_.dialect.header) {
    if (auto s = learn_header(line); !s) return s.error();
    return std::optional<Event>{};
  }
  return decode(line);
}

Result<std::optional<Event>> CsvDecoder::decode(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return std::optional<Event>{};
  if (line.size() > kMaxLineBytes)
    return reject_csv("the row is longer than 1 MiB; a sale is never that long");
  auto text = to_utf8(line, options_.dialect.encoding, converted_);
  if (!text) return text.error();
  if (auto s = fields_.split(*text); !s) return s.error();
  if (!positions_known_) return reject_csv(header_problem_);
  if (!header_.empty() && fields_.size() == header_.size()) {
    bool is_header = true;
    for (std::size_t c = 0; c < header_.size() && is_header; ++c)
      is_header = trim(fields_[c]) == header_[c];
    if (is_header) return std::optional<Event>{};
  }
  auto event = decode_row();
  if (!event) return event.error();
  return std::optional<Event>{std::move(*event)};
}

std::string CsvDecoder::describe(CsvField f) const {
  const auto i = static_cast<std::size_t>(f);
  const auto& ref = options_.columns[i];
  std::string out = "column " + std::to_string(positions_[i] + 1) + " (";
  if (ref && !ref->name.empty()) out += quoted_csv_text(ref->name) + ", ";
  out += std::string(csv_field_meaning(f)) + ")";
  return out;
}

Error CsvDecoder::bad(CsvField f, std::string_view why) const {
  return reject_csv(describe(f) + (why.starts_with("is ") ? " " : ": ") + std::string(why));
}

Result<std::string_view> CsvDecoder::field(CsvField f) const {
  const int at = positions_[static_cast<std::size_t>(f)];
  if (at < 0) return std::string_view{};
  if (static_cast<std::size_t>(at) >= fields_.size()) {
    return reject_csv("the row has " + std::to_string(fields_.size()) + " column(s), so " + describe(f) +
                      " is missing (is the delimiter right?)");
  }
  return trim(fields_[static_cast<std::size_t>(at)]);
}

Result<Event> CsvDecoder::decode_row() {
  const CsvDialect& d = options_.dialect;
  Sale sale;

  auto id = field(CsvField::sale_id);
  if (!id) return id.error();
  if (id->empty()) return bad(CsvField::sale_id, "is empty");
  if (id->size() > 200) return bad(CsvField::sale_id, "is longer than 200 characters");
  sale.pos_id = std::string(*id);

  // When the sale happened: one column with date and time, or a date column and a time column.
  std::chrono::local_seconds wall{};
  std::optional<std::chrono::minutes> offset;
  if (positions_[static_cast<std::size_t>(CsvField::datetime)] >= 0) {
    auto text = field(CsvField::datetime);
    if (!text) return text.error();
    if (text->empty()) return bad(CsvField::datetime, "is empty");
    if (d.datetime_format.empty()) {
      auto t = parse_store_time(*text, *store_.zone);
      if (!t) return bad(CsvField::datetime, t.error().message);
      sale.sold_at = *t;
    } else {
      auto t = parse_wall_time(*text, d.datetime_format);
      if (!t) return bad(CsvField::datetime, t.error().message);
      if (!t->date || !t->time_of_day) return bad(CsvField::datetime, "the format has no date or no time");
      wall = std::chrono::local_days{*t->date} + *t->time_of_day;
      offset = t->offset;
      sale.sold_at = offset ? Seconds{wall.time_since_epoch()} - *offset : wall_to_utc(wall, *store_.zone);
    }
  } else {
    auto date_text = field(CsvField::date);
    if (!date_text) return date_text.error();
    if (date_text->empty()) return bad(CsvField::date, "is empty");
    auto date = parse_wall_time(*date_text, d.date_format);
    if (!date) return bad(CsvField::date, date.error().message);
    if (!date->date) return bad(CsvField::date, "the date format has no day, month and year");
    wall = std::chrono::local_days{*date->date};
    offset = date->offset;
    if (positions_[static_cast<std::size_t>(CsvField::time)] >= 0) {
      auto time_text = field(CsvField::time);
      if (!time_text) return time_text.error();
      if (time_text->empty()) return bad(CsvField::time, "is empty");
      auto time = parse_wall_time(*time_text, d.time_format);
      if (!time) return bad(CsvField::time, time.error().message);
      if (!time->time_of_day) return bad(CsvField::time, "the time format has no hours and minutes");
      wall += *time->time_of_day;
      if (time->offset) offset = time->offset;
    }
    sale.sold_at = offset ? Seconds{wall.time_since_epoch()} - *offset : wall_to_utc(wall, *store_.zone);
  }

  auto total = field(CsvField::total);
  if (!total) return total.error();
  if (total->empty()) return bad(CsvField::total, "is empty");
  auto cents = parse_amount(*total, d.amounts);
  if (!cents) return bad(CsvField::total, cents.error().message);
  sale.total = *cents;

  // The customer: absent when every customer column is empty (an anonymous sale).
  CustomerInfo customer;
  bool has_customer = false;
  const std::pair<CsvField, std::optional<std::string>*> texts[] = {
      {CsvField::customer_name, &customer.name},
      {CsvField::customer_phone, &customer.phone},
      {CsvField::customer_cpf, &customer.cpf},
      {CsvField::customer_email, &customer.email},
      {CsvField::customer_birthday, &customer.birthday}};
  auto customer_id = field(CsvField::customer_id);
  if (!customer_id) return customer_id.error();
  if (customer_id->size() > 200) return bad(CsvField::customer_id, "is longer than 200 characters");
  customer.pos_id = std::string(*customer_id);
  has_customer = !customer_id->empty();
  for (const auto& [f, target] : texts) {
    auto text = field(f);
    if (!text) return text.error();
    if (text->empty()) continue;
    *target = std::string(*text);
    has_customer = true;
  }
  if (customer.birthday) {
    const std::string& format = d.birthday_format.empty() ? d.date_format : d.birthday_format;
    if (auto b = parse_wall_time(*customer.birthday, format); b && b->date) {
      customer.birthday = format_date(*b->date);
    } else if (auto iso = parse_date(*customer.birthday)) {
      customer.birthday = format_date(*iso);
    }  // else kept as written, for data quality to flag
  }
  if (has_customer) sale.customer = std::move(customer);

  // One item, when the item columns are mapped and filled.
  if (positions_[static_cast<std::size_t>(CsvField::item_price)] >= 0) {
    auto price = field(CsvField::item_price);
    auto sku = field(CsvField::item_sku);
    auto name = field(CsvField::item_name);
    auto quantity = field(CsvField::item_quantity);
    for (const auto* r : {&price, &sku, &name, &quantity}) {
      if (!*r) return r->error();
    }
    if (!price->empty()) {
      SaleItem item;
      auto unit = parse_amount(*price, d.amounts);
      if (!unit) return bad(CsvField::item_price, unit.error().message);
      item.unit_price = *unit;
      item.sku = std::string(*sku);
      item.name = std::string(*name);
      if (!quantity->empty()) {
        auto q = parse_quantity(*quantity, d.amounts);
        if (!q) {
          return bad(CsvField::item_quantity,
                     quoted_csv_text(*quantity) + " is not a positive number (decimal separator " +
                         quoted_csv_text(std::string(1, d.amounts.decimal_separator)) + ")");
        }
        item.quantity = *q;
      }
      sale.items.push_back(std::move(item));
    } else if (!sku->empty() || !name->empty() || !quantity->empty()) {
      return bad(CsvField::item_price, "is empty but the row describes an item");
    }
  }
  return Event{std::move(sale)};
}

}  // namespace regua
