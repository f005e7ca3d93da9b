// libFuzzer target: the fiscal XML reader on arbitrary bytes. It must never crash nor throw, refuse
// with a reason, and give every document it reads a kind that fits what it holds.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <date/tz.h>

#include "agent/connectors/fiscal_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const date::time_zone* zone = date::locate_zone("America/Sao_Paulo");
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto docs = regua::parse_fiscal_xml(bytes, *zone);
  if (!docs.ok()) {
    if (docs.error().message.empty()) __builtin_trap();
    return 0;
  }
  using Kind = regua::FiscalDocument::Kind;
  for (const auto& doc : *docs) {
    switch (doc.kind) {
      case Kind::sale: {
        const auto* sale = std::get_if<regua::Sale>(&doc.event);
        if (sale == nullptr || sale->pos_id.size() != 44 || sale->total < 0) __builtin_trap();
        break;
      }
      case Kind::cancellation:
        if (std::get_if<regua::Cancel>(&doc.event) == nullptr || doc.access_key.size() != 44)
          __builtin_trap();
        break;
      case Kind::ignored:
      case Kind::invalid:
        if (doc.reason.empty()) __builtin_trap();
        break;
    }
    if (doc.line < 0 || doc.byte_offset < 0 || static_cast<std::size_t>(doc.byte_offset) > size)
      __builtin_trap();
  }
  return 0;
}
