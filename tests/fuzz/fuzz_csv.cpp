// libFuzzer target: the CSV decoder on arbitrary bytes. The first byte picks one of three dialects
// (a Brazilian Windows-1252 export with named columns, a plain comma file by position, a tab file
// without quoting); the rest are the file's lines, the first of them its header.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <date/tz.h>

#include "agent/connectors/csv_decoder.hpp"

namespace {

using regua::CsvColumnRef;
using regua::CsvField;

const regua::StoreConfig& store() {
  static const regua::StoreConfig s = [] {
    regua::StoreConfig c;
    c.id = "centro";
    c.zone = date::locate_zone("America/Sao_Paulo");
    return c;
  }();
  return s;
}

void map(regua::CsvOptions& o, CsvField f, CsvColumnRef ref) {
  o.columns[static_cast<std::size_t>(f)] = std::move(ref);
}

regua::CsvOptions dialect(int which) {
  regua::CsvOptions o;
  auto& d = o.dialect;
  switch (which % 3) {
    case 0:
      d.delimiter = ';';
      d.encoding = regua::TextEncoding::windows1252;
      d.amounts = {',', '.'};
      d.datetime_format = "%d/%m/%Y %H:%M";
      map(o, CsvField::sale_id, {"Cupom", 0});
      map(o, CsvField::datetime, {"Data", 0});
      map(o, CsvField::total, {"Valor", 0});
      map(o, CsvField::customer_id, {"Cliente", 0});
      map(o, CsvField::customer_name, {"Nome", 0});
      map(o, CsvField::customer_birthday, {"Nascimento", 0});
      map(o, CsvField::item_quantity, {"Qtd", 0});
      map(o, CsvField::item_price, {"Preco", 0});
      break;
    case 1:
      d.header = false;
      map(o, CsvField::sale_id, {"", 1});
      map(o, CsvField::date, {"", 2});
      map(o, CsvField::time, {"", 3});
      map(o, CsvField::total, {"", 4});
      map(o, CsvField::customer_cpf, {"", 5});
      map(o, CsvField::item_name, {"", 6});
      map(o, CsvField::item_price, {"", 7});
      d.time_format = "%H:%M";
      break;
    default:
      d.delimiter = '\t';
      d.quote = '\0';
      d.encoding = regua::TextEncoding::iso88591;
      map(o, CsvField::sale_id, {"", 1});
      map(o, CsvField::datetime, {"", 2});
      map(o, CsvField::total, {"", 3});
      break;
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  regua::CsvDecoder decoder(dialect(data[0]), store());
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string padded;
  std::size_t start = 0;
  std::int64_t number = 0;
  while (start <= input.size()) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    padded.assign(input.substr(start, end - start));
    const std::size_t length = padded.size();
    padded.append(regua::kLinePadding, '\0');
    auto event = decoder.decode_at(std::string_view(padded.data(), length), ++number);
    if (event.ok() && *event) {
      const auto& sale = std::get<regua::Sale>(**event);
      if (sale.pos_id.empty() || sale.total < 0 || sale.items.size() > 1) __builtin_trap();
    } else if (!event.ok() && event.error().message.empty()) {
      __builtin_trap();
    }
    start = end + 1;
  }
  return 0;
}
