// libFuzzer target: a rule pack as HQ sends it on down/rules (docs/protocol.md): the envelope, the
// pack's header, then its body (a rules file, TOML) through the rules file reader and the one rule
// schema (local/rules/rule_schema.hpp) that every source of rules goes through. Whatever the input,
// nothing crashes and every refusal names where and why.

#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/rules/rule_file.hpp"
#include "local/rules/rule_schema.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/rule_pack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // A payload with a header line is a whole message; anything else is taken as the body alone, so
  // that the fuzzer reaches the rules reader without first finding a valid header.
  std::string body(input);
  if (auto envelope = regua::sync::decode_envelope(input); envelope && envelope->type == "rules") {
    auto pack = regua::sync::decode_rule_pack(*envelope);
    if (!pack) {
      if (pack.error().message.empty()) __builtin_trap();
      return 0;
    }
    body = pack->rules;
  }
  auto raw = regua::parse_rule_file(body, "rule pack version 1");
  if (!raw) {
    if (raw.error().message.empty()) __builtin_trap();
    return 0;
  }
  for (const auto& r : *raw) {
    auto rule = regua::build_rule(r, regua::RuleContext{});
    if (!rule && rule.error().message.empty()) __builtin_trap();
  }
  return 0;
}
