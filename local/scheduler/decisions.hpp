#pragma once
// Every decision the scheduler takes about a job (fired, deferred, skipped, cancelled, holdout) is a row of
// the ledger's `decisions` table with its reason: `regua-agent why` prints a customer's timeline
// from it and `regua-agent simulate` prints a whole replay.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/rules/guards.hpp"
#include "local/rules/rule.hpp"

namespace regua {

// holdout: the customer is in the rule's control group; everything else held, nothing was sent.
enum class Decision { fired, deferred, skipped, cancelled, holdout };
std::string_view decision_name(Decision decision);
std::optional<Decision> decision_from_name(std::string_view name);

struct DecisionInput {
  std::int64_t job_id = 0;
  std::int64_t customer_id = 0;
  std::string_view rule_id;
  std::string_view action;   // message, task
  std::string_view channel;  // sms, whatsapp, email, call
  Seconds at{};
  Decision decision = Decision::fired;
  Reason reason = Reason::due;
  // Recorded instead of reason_code(reason) when set: a reason that is no guard's, such as a fired
  // task expiring unanswered ("task_expired"), need not widen the guards' Reason.
  std::string_view code;
  std::string detail;
  std::optional<Seconds> until;  // deferred: the new due moment
  std::optional<std::int64_t> message_id, task_id;
};

class DecisionLog {
 public:
  static Result<DecisionLog> create(sqlite::Db& db);
  Status record(const DecisionInput& d);

 public:
  // Empty until assigned from create(); lets an owner hold one by value.
  DecisionLog() = default;

 private:
  sqlite::Stmt insert_;
};

// A decision with what it concerns, as `why` and `simulate` print it.
struct DecisionView {
  std::int64_t id = 0;
  Seconds at{};
  std::string rule_id;
  std::int64_t customer_id = 0;
  std::optional<std::string> customer_pos_id, customer_name;
  std::string decision;  // its name
  std::string reason;    // its code
  std::string detail;
  std::optional<Seconds> until;
  std::string action, channel;
  std::string occurrence;
  Seconds planned_at{};
  // A fired message
  std::optional<std::int64_t> message_id;
  std::optional<std::string> recipient, subject, text;
  // A fired task (text is what staff send)
  std::optional<std::int64_t> task_id;
  std::optional<std::string> title, instructions, link;
  std::optional<Seconds> task_due_at, task_expires_at;
};

// Calls `each` for every decision (of one customer when `customer_id` is set), in the order taken.
Status for_each_decision(sqlite::Db& db, std::optional<std::int64_t> customer_id,
                         const std::function<Status(const DecisionView&)>& each);

// How many decisions of each kind and reason each rule took in [from, to): the automations page's
// sends and skips by reason.
struct DecisionCount {
  std::string rule_id, decision, reason;
  std::int64_t count = 0;
};
Result<std::vector<DecisionCount>> count_decisions(sqlite::Db& db, Seconds from, Seconds to);

}  // namespace regua
