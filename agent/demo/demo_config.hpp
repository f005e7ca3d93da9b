#pragma once
// The embedded default: a demo store on its own ledger, fed by a POS file in its own folder.

#include <string_view>

namespace regua {

inline constexpr std::string_view kDemoConfig = R"toml(# Régua demo store, written by `regua-agent demo`.
# Every key, with its default, is explained in docs/config.md.

[store]
id = "demo"
name = "Loja Demo"
timezone = "America/Sao_Paulo"

[ledger]
path = "ledger.db"

[[source]]
name = "pdv"
kind = "jsonl"
path = "pos/sales.jsonl"
)toml";

}  // namespace regua
