// libFuzzer target: message templates (local/rules/templates.hpp): parsing, rendering with and
// without the customer's values, and the SMS length of what renders. A template that parses
// renders in both languages without a placeholder left in the text.

#include <cstddef>
#include <cstdint>
#include <string>

#include "local/rules/templates.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  regua::sms_length(text);
  auto parsed = regua::parse_template(text);
  if (!parsed) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (parsed->keys().size() > text.size()) __builtin_trap();
  const regua::TemplateValues none = [](std::string_view) { return std::optional<std::string>{}; };
  const regua::TemplateValues some = [](std::string_view key) {
    return key.size() % 2 == 0 ? std::optional<std::string>("Ana {x}") : std::optional<std::string>{};
  };
  for (const auto language : {regua::Language::pt_br, regua::Language::en}) {
    for (const auto* values : {&none, &some}) {
      const auto out = regua::render_template(*parsed, *values, language);
      regua::sms_length(out);
    }
  }
  regua::whatsapp_link("+5511987654321", text);
  return 0;
}
