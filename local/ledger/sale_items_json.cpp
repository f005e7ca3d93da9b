#include "local/ledger/sale_items_json.hpp"

#include <charconv>
#include <cmath>

namespace regua {
namespace {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;  // UTF-8 as it came: the decoders only let valid UTF-8 through
    }
  }
  out += '"';
}

template <typename Number>
void append_json_number(std::string& out, Number value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, ec == std::errc{} ? end : buffer);
}

}  // namespace

void append_sale_items_json(std::string& out, std::span<const SaleItem> items) {
  out += '[';
  bool first = true;
  for (const SaleItem& item : items) {
    if (!first) out += ',';
    first = false;
    out += '[';
    append_json_string(out, item.sku);
    out += ',';
    append_json_string(out, item.name);
    out += ',';
    // The decoders refuse a quantity that is not a finite number; null keeps the text valid JSON
    // should one ever slip through.
    if (std::isfinite(item.quantity)) {
      append_json_number(out, item.quantity);  // shortest text that reads back as the same double
    } else {
      out += "null";
    }
    out += ',';
    append_json_number(out, item.unit_price);
    out += ']';
  }
  out += ']';
}

}  // namespace regua
