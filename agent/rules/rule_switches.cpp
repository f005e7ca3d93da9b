#include "agent/rules/rule_switches.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace regua {
namespace {

constexpr std::string_view kRulesOffKey = "web.rules_off";

}  // namespace

Result<std::vector<std::string>> rules_switched_off(sqlite::Db& db) {
  auto stmt = db.prepare("SELECT value FROM ledger_info WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, kRulesOffKey);
  auto row = stmt->step();
  if (!row) return row.error();
  std::vector<std::string> off;
  if (!*row) return off;
  const auto j = nlohmann::json::parse(stmt->text(0), nullptr, false);
  if (!j.is_array()) {
    return make_error(ErrorKind::ledger, "ledger_info " + std::string(kRulesOffKey) +
                                             " is not a JSON array of rule ids; turn the rules off again "
                                             "from the automations page");
  }
  for (const auto& id : j)
    if (id.is_string()) off.push_back(id.get<std::string>());
  std::sort(off.begin(), off.end());
  return off;
}

Result<bool> switch_rule(sqlite::Db& db, std::string_view rule_id, bool running) {
  auto off = rules_switched_off(db);
  if (!off) return off.error();
  const auto it = std::find(off->begin(), off->end(), rule_id);
  if (running == (it == off->end())) return false;
  if (running) {
    off->erase(it);
  } else {
    off->emplace_back(rule_id);
    std::sort(off->begin(), off->end());
  }
  auto stmt = db.prepare(
      "INSERT INTO ledger_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value");
  if (!stmt) return stmt.error();
  stmt->bind(1, kRulesOffKey).bind(2, nlohmann::json(*off).dump());
  if (auto s = stmt->run(); !s) return s.error();
  return true;
}

void apply_rule_switches(StoreRules& rules, const std::vector<std::string>& off) {
  auto& running = rules.settings.rules;
  for (auto it = running.begin(); it != running.end();) {
    if (std::binary_search(off.begin(), off.end(), it->id)) {
      rules.off.push_back(it->id);
      it = running.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace regua
