#pragma once
// What forgetting a customer does to their rule actions (called by forget_customer(),
// local/identity/erasure.cpp, inside its transaction). Pending jobs are cancelled with reason
// `erased` (a decision each, as for any cancellation), open tasks are closed as cancelled, and
// message intents no channel has taken yet are cancelled (with a decision, as the send-time check
// does): nothing more reaches the person. What stays keeps no personal data: message recipients
// become "[erased]", and the person's details are replaced by "[erased]" in message subjects,
// bodies and provider errors (also those of delivery receipts), task titles, instructions, texts
// and notes (a task's contact link is removed) and decision details. The rows
// themselves stay, so that revenue per action still counts what each rule did.

#include <cstdint>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/identity/personal_values.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct ErasedActions {
  std::int64_t jobs_cancelled = 0;
  std::int64_t tasks_cancelled = 0;   // open tasks closed
  std::int64_t intents_stopped = 0;   // messages not yet sent, now never sent
  std::int64_t messages_cleared = 0;  // messages whose recipient (and texts) were erased
  std::int64_t tasks_cleared = 0;     // tasks whose texts or link held personal data
  std::int64_t decisions_cleared = 0;
};

Result<ErasedActions> erase_actions(sqlite::Db& db, std::int64_t customer_id, const PersonalValues& values,
                                    Seconds now);

}  // namespace regua
