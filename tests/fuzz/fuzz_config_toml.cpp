// libFuzzer target: the agent's configuration file (TOML, docs/config.md) through its one reader:
// whatever the text, it is a configuration or an error naming the file, the line and the key.

#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = regua::parse_config(text, "/etc/regua/agent.toml");
  if (!config && config.error().message.empty()) __builtin_trap();
  return 0;
}
