// libFuzzer target: the JSON Lines decoder on arbitrary bytes, one line at a time as the file
// readers hand them over (padded). It must never crash, and whatever it accepts must be sound.

#include <cstddef>
#include <cstdint>
#include <string>

#include <date/tz.h>

#include "agent/connectors/jsonl_decoder.hpp"

namespace {

const regua::StoreConfig& store() {
  static const regua::StoreConfig s = [] {
    regua::StoreConfig c;
    c.id = "centro";
    c.zone = date::locate_zone("America/Sao_Paulo");
    return c;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const regua::ManualClock clock(regua::Seconds{std::chrono::seconds{1'772'000'000}});
  static regua::JsonlDecoder decoder(store(), clock);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string padded;
  std::size_t start = 0;
  while (start <= input.size()) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    padded.assign(input.substr(start, end - start));
    const std::size_t length = padded.size();
    padded.append(regua::kLinePadding, '\0');
    auto event = decoder.decode(std::string_view(padded.data(), length));
    if (event.ok() && *event) {
      if (const auto* sale = std::get_if<regua::Sale>(&**event)) {
        if (sale->pos_id.empty() || sale->total < 0) __builtin_trap();
        for (const auto& item : sale->items) {
          if (item.unit_price < 0 || !(item.quantity > 0)) __builtin_trap();
        }
      }
    } else if (!event.ok() && event.error().message.empty()) {
      __builtin_trap();  // every quarantined line needs a reason
    }
    start = end + 1;
  }
  return 0;
}
