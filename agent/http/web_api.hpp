#pragma once
// The JSON the web app's endpoints answer, built from the same local/ functions the commands use
// (list_tasks, complete_task, ...), so that a page and `regua-agent tasks --json` never disagree.
// Kept apart from HTTP so that it can be tested on a ledger alone.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/rules/store_zone.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {

// The inbox: open tasks due before the end of the store's day (today's and overdue ones).
Result<nlohmann::json> inbox_json(sqlite::Db& db, const StoreZone& zone, Seconds now);

// Closes a task as done with an outcome, or archives it (outcome empty), in one transaction, and
// answers the task as it now is. ErrorKind::usage for an unknown task or outcome, input for a task
// that is no longer open.
Result<nlohmann::json> close_task_json(sqlite::Db& db, const StoreZone& zone, std::int64_t id,
                                       std::optional<std::string_view> outcome, std::string_view note,
                                       Seconds now);

// local/rules' wa.me link for a phone in international form (+CC...); empty for anything else,
// since wa.me cannot place a number without its country code.
std::string inbox_whatsapp_link(std::string_view phone, std::string_view text);
// tel:+<digits> (or tel:<digits> without a country code); empty without digits.
std::string tel_link(std::string_view phone);

}  // namespace regua
