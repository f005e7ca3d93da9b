#include "agent/connectors/jsonl_decoder.hpp"

#include <algorithm>
#include <cmath>

#include <simdjson.h>

#include "agent/connectors/store_time.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

static_assert(kLinePadding >= simdjson::SIMDJSON_PADDING);

Error reject_jsonl(std::string reason) {
  return make_error(ErrorKind::input, std::move(reason));
}

std::string quoted_jsonl_text(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// A field's name as error messages give it ("ts", "customer.phone", "items[2].price"), put
// together only when a message needs it: building it for every field of every line cost a string
// or two per field.
struct JsonlFieldName {
  JsonlFieldName(const char* name) : key(name) {}  // NOLINT(google-explicit-constructor): a plain name
  JsonlFieldName(std::string_view parent_name, std::string_view key_name)
      : parent(parent_name), key(key_name) {}
  JsonlFieldName(std::string_view parent_name, std::size_t parent_index, std::string_view key_name)
      : parent(parent_name), index(parent_index), key(key_name) {}

  [[nodiscard]] std::string quoted() const {
    std::string text(parent);
    if (index != std::string::npos) text += "[" + std::to_string(index) + "]";
    if (!text.empty() && !key.empty()) text += ".";
    text += key;
    return quoted_jsonl_text(text);
  }

  std::string_view parent;
  std::size_t index = std::string::npos;
  std::string_view key;
};

std::string_view type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "true/false";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

std::string json_error_reason(simdjson::error_code code) {
  switch (code) {
    case simdjson::UTF8_ERROR:
      return "the line is not valid UTF-8 text (is the POS writing another encoding, such as Windows-1252?)";
    case simdjson::UNCLOSED_STRING:
      return "not valid JSON: a string is not closed (is the line cut short?)";
    case simdjson::CAPACITY:
      return "the line is longer than 1 MiB; a POS event is never that long";
    case simdjson::EMPTY:
      return "the line is empty";
    default:
      return std::string("not valid JSON (") + simdjson::error_message(code) + ")";
  }
}

// Ids may be written as strings or as whole numbers; either way they are kept as text.
Result<std::string> read_id(element v, const JsonlFieldName& field) {
  switch (v.type()) {
    case element_type::STRING: {
      std::string_view s = v.get_string().value_unsafe();
      if (s.empty()) return reject_jsonl(field.quoted() + " is empty");
      if (s.size() > 200) return reject_jsonl(field.quoted() + " is longer than 200 characters");
      return std::string(s);
    }
    case element_type::INT64:
      return std::to_string(v.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(v.get_uint64().value_unsafe());
    default:
      return reject_jsonl(field.quoted() + " must be a string or a whole number, not " +
                          std::string(type_name(v.type())));
  }
}

Result<std::optional<std::string>> read_text(element v, const JsonlFieldName& field) {
  if (v.type() == element_type::NULL_VALUE) return std::optional<std::string>{};
  if (v.type() != element_type::STRING) {
    return reject_jsonl(field.quoted() + " must be a string, not " + std::string(type_name(v.type())));
  }
  return std::optional<std::string>{std::string(v.get_string().value_unsafe())};
}

// Amounts come as decimal strings ("129.90", read exactly) or JSON numbers (129.9). A number is
// binary floating point: it is taken to the nearest cent when it is a cent amount up to float
// noise (a POS that computed 19.99 * 3 writes 59.970000000000006), and refused otherwise.
Result<Cents> read_amount(element v, const JsonlFieldName& field) {
  std::string number;  // a JSON integer, as text
  std::string_view text;
  switch (v.type()) {
    case element_type::STRING:
      text = v.get_string().value_unsafe();
      break;
    case element_type::INT64:
      number = std::to_string(v.get_int64().value_unsafe());
      text = number;
      break;
    case element_type::UINT64:
      number = std::to_string(v.get_uint64().value_unsafe());
      text = number;
      break;
    case element_type::DOUBLE: {
      const double cents = v.get_double().value_unsafe() * 100;
      const double rounded = std::round(cents);
      if (!std::isfinite(cents) || std::fabs(cents) > 9e15)
        return reject_jsonl(field.quoted() + " is too large");
      if (rounded < 0) return reject_jsonl(field.quoted() + ": amounts cannot be negative");
      if (std::fabs(cents - rounded) > 1e-6 * std::max(1.0, std::fabs(cents))) {
        return reject_jsonl(field.quoted() + " has more than two decimal places");
      }
      return static_cast<Cents>(rounded);
    }
    default:
      return reject_jsonl(field.quoted() + " must be an amount such as \"129.90\", not " +
                          std::string(type_name(v.type())));
  }
  auto cents = parse_amount(text);
  if (!cents) return reject_jsonl(field.quoted() + ": " + cents.error().message);
  return *cents;
}

Result<Seconds> read_time(element v, const JsonlFieldName& field, const date::time_zone& zone) {
  if (v.type() != element_type::STRING) {
    return reject_jsonl(field.quoted() +
                        " must be a date-time string such as \"2026-03-01T14:05:00-03:00\", not " +
                        std::string(type_name(v.type())));
  }
  auto t = parse_store_time(v.get_string().value_unsafe(), zone);
  if (!t) return reject_jsonl(field.quoted() + ": " + t.error().message);
  return *t;
}

// Birthdays are kept as YYYY-MM-DD when they can be read, else as written (flagged by data quality).
std::string normalise_birthday(std::string_view text) {
  if (auto d = parse_date(text)) return format_date(*d);
  if (text.size() == 10 && text[2] == '/' && text[5] == '/') {  // DD/MM/YYYY, the Brazilian way
    const std::string iso = std::string(text.substr(6, 4)) + "-" + std::string(text.substr(3, 2)) + "-" +
                            std::string(text.substr(0, 2));
    if (auto d = parse_date(iso)) return format_date(*d);
  }
  return std::string(text);
}

Status read_consent(element v, const JsonlFieldName& field, bool granted, std::vector<ConsentChange>& out) {
  simdjson::dom::array channels;
  if (v.get_array().get(channels) != simdjson::SUCCESS) {
    return reject_jsonl(field.quoted() + " must be a list of channels such as [\"sms\"], not " +
                        std::string(type_name(v.type())));
  }
  for (element c : channels) {
    std::string_view name;
    if (c.get_string().get(name) != simdjson::SUCCESS)
      return reject_jsonl(field.quoted() + " must list channel names");
    const auto channel = channel_from_name(name);
    if (!channel) {
      return reject_jsonl(field.quoted() + " names an unknown channel " + quoted_jsonl_text(name) +
                          " (allowed: \"sms\", \"whatsapp\", \"email\")");
    }
    out.push_back({*channel, granted});
  }
  return {};
}

Result<CustomerInfo> read_customer(element v) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) {
    return reject_jsonl("\"customer\" must be an object, not " + std::string(type_name(v.type())));
  }
  CustomerInfo c;
  bool has_id = false;
  for (auto field : obj) {
    const std::string_view key = field.key;
    const JsonlFieldName name("customer", key);
    if (key == "id") {
      auto id = read_id(field.value, name);
      if (!id) return id.error();
      c.pos_id = std::move(*id);
      has_id = true;
      continue;
    }
    std::optional<std::string>* target = nullptr;
    if (key == "name") target = &c.name;
    if (key == "phone") target = &c.phone;
    if (key == "email") target = &c.email;
    if (key == "cpf") target = &c.cpf;
    if (key == "birthday") target = &c.birthday;
    if (target != nullptr) {
      auto text = read_text(field.value, name);
      if (!text) return text.error();
      *target = std::move(*text);
      if (*target && target->value().empty()) target->reset();
    } else if (key == "opt_out" || key == "opt_in") {
      if (auto s = read_consent(field.value, name, key == "opt_in", c.consent); !s) return s.error();
    }
  }
  if (!has_id) return reject_jsonl("\"customer\" has no \"id\" (the POS's customer code)");
  if (c.birthday) c.birthday = normalise_birthday(*c.birthday);
  return c;
}

Result<SaleItem> read_item(element v, std::size_t index) {
  const JsonlFieldName where("items", index, "");
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS)
    return reject_jsonl(where.quoted() + " must be an object");
  SaleItem item;
  bool has_price = false;
  for (auto field : obj) {
    const std::string_view key = field.key;
    const JsonlFieldName name("items", index, key);
    if (key == "sku") {
      auto sku = read_id(field.value, name);
      if (!sku) return sku.error();
      item.sku = std::move(*sku);
    } else if (key == "name") {
      auto text = read_text(field.value, name);
      if (!text) return text.error();
      item.name = text->value_or("");
    } else if (key == "qty") {
      double q = 0;
      if (field.value.get_double().get(q) != simdjson::SUCCESS || !std::isfinite(q) || q <= 0) {
        return reject_jsonl(name.quoted() + " must be a positive number");
      }
      item.quantity = q;
    } else if (key == "price") {
      auto price = read_amount(field.value, name);
      if (!price) return price.error();
      item.unit_price = *price;
      has_price = true;
    }
  }
  if (!has_price) return reject_jsonl(where.quoted() + " has no \"price\"");
  return item;
}

}  // namespace

struct JsonlDecoder::Impl {
  Impl(const StoreConfig& s, const Clock& c) : parser(kMaxLineBytes), store(s), clock(c) {}

  Result<Event> decode_sale(object obj);
  Result<Event> decode_cancel(object obj);
  Result<Event> decode_customer(object obj);

  simdjson::dom::parser parser;
  const StoreConfig& store;
  const Clock& clock;
};

JsonlDecoder::JsonlDecoder(const StoreConfig& store, const Clock& clock)
    : impl_(std::make_unique<Impl>(store, clock)) {}

JsonlDecoder::~JsonlDecoder() = default;

Result<std::optional<Event>> JsonlDecoder::decode(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return std::optional<Event>{};
  if (line.size() > kMaxLineBytes) return reject_jsonl(json_error_reason(simdjson::CAPACITY));

  element doc;
  if (auto error = impl_->parser.parse(line.data(), line.size(), false).get(doc);
      error != simdjson::SUCCESS) {
    return reject_jsonl(json_error_reason(error));
  }
  object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return reject_jsonl("each line must be one JSON object, this is " + std::string(type_name(doc.type())));
  }

  element version;
  if (obj["v"].get(version) == simdjson::SUCCESS) {
    std::int64_t v = 0;
    if (version.get_int64().get(v) != simdjson::SUCCESS || v != 1) {
      return reject_jsonl(
          "\"v\" says this line is in a format version this agent does not know (it reads version 1)");
    }
  }
  std::string_view type;
  element type_element;
  if (obj["type"].get(type_element) != simdjson::SUCCESS) {
    return reject_jsonl("missing \"type\" (\"sale\", \"cancel\" or \"customer\")");
  }
  if (type_element.get_string().get(type) != simdjson::SUCCESS) {
    return reject_jsonl("\"type\" must be a string: \"sale\", \"cancel\" or \"customer\"");
  }
  Result<Event> event = type == "sale"     ? impl_->decode_sale(obj)
                        : type == "cancel" ? impl_->decode_cancel(obj)
                        : type == "customer"
                            ? impl_->decode_customer(obj)
                            : Result<Event>(reject_jsonl("unknown \"type\" " + quoted_jsonl_text(type) +
                                                         " (expected \"sale\", \"cancel\" or \"customer\")"));
  if (!event) return event.error();
  return std::optional<Event>{std::move(*event)};
}

Result<Event> JsonlDecoder::Impl::decode_sale(object obj) {
  Sale sale;
  bool has_id = false, has_ts = false, has_total = false;
  for (auto field : obj) {
    const std::string_view key = field.key;
    if (key == "id") {
      auto id = read_id(field.value, "id");
      if (!id) return id.error();
      sale.pos_id = std::move(*id);
      has_id = true;
    } else if (key == "ts") {
      auto t = read_time(field.value, "ts", *store.zone);
      if (!t) return t.error();
      sale.sold_at = *t;
      has_ts = true;
    } else if (key == "total") {
      auto total = read_amount(field.value, "total");
      if (!total) return total.error();
      sale.total = *total;
      has_total = true;
    } else if (key == "store") {
      std::string_view s;
      if (field.value.get_string().get(s) != simdjson::SUCCESS)
        return reject_jsonl("\"store\" must be a string");
      if (s != store.id) {
        return reject_jsonl("the sale is for store " + quoted_jsonl_text(s) + " but this agent is store " +
                            quoted_jsonl_text(store.id) + " ([store] id in the configuration)");
      }
    } else if (key == "customer") {
      if (field.value.type() == element_type::NULL_VALUE) continue;
      auto customer = read_customer(field.value);
      if (!customer) return customer.error();
      sale.customer = std::move(*customer);
    } else if (key == "items") {
      simdjson::dom::array items;
      if (field.value.get_array().get(items) != simdjson::SUCCESS)
        return reject_jsonl("\"items\" must be an array");
      std::size_t index = 0;
      for (element item : items) {
        auto parsed = read_item(item, index++);
        if (!parsed) return parsed.error();
        sale.items.push_back(std::move(*parsed));
      }
    }
  }
  if (!has_id) return reject_jsonl("the sale has no \"id\" (the POS's sale number)");
  if (!has_ts) return reject_jsonl("the sale has no \"ts\" (when it happened)");
  if (!has_total) return reject_jsonl("the sale has no \"total\"");
  return Event{std::move(sale)};
}

Result<Event> JsonlDecoder::Impl::decode_cancel(object obj) {
  Cancel cancel;
  cancel.cancelled_at = clock.now();
  bool has_id = false;
  for (auto field : obj) {
    const std::string_view key = field.key;
    if (key == "id") {
      auto id = read_id(field.value, "id");
      if (!id) return id.error();
      cancel.sale_pos_id = std::move(*id);
      has_id = true;
    } else if (key == "ts") {
      auto t = read_time(field.value, "ts", *store.zone);
      if (!t) return t.error();
      cancel.cancelled_at = *t;
    }
  }
  if (!has_id)
    return reject_jsonl("the cancellation has no \"id\" (the POS's number of the sale it cancels)");
  return Event{std::move(cancel)};
}

Result<Event> JsonlDecoder::Impl::decode_customer(object obj) {
  CustomerUpdate update;
  update.at = clock.now();
  bool has_customer = false;
  for (auto field : obj) {
    const std::string_view key = field.key;
    if (key == "customer") {
      auto customer = read_customer(field.value);
      if (!customer) return customer.error();
      update.customer = std::move(*customer);
      has_customer = true;
    } else if (key == "ts") {
      auto t = read_time(field.value, "ts", *store.zone);
      if (!t) return t.error();
      update.at = *t;
    }
  }
  if (!has_customer) return reject_jsonl("the customer event has no \"customer\" object");
  return Event{std::move(update)};
}

}  // namespace regua
