#pragma once
// A retention rule as the engine runs it: a trigger (when and for whom), conditions (the filter
// language of local/analysis), an action (a message, or a task for staff) and guards (what keeps it
// from being stale, late, too frequent or rude). Rules are built from any source (the store's TOML
// file, the embedded default pack, later the hub's rule packs) by rule_schema.hpp, which is the one
// place that says which fields exist, their types, defaults and allowed values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/rules/templates.hpp"

namespace regua {

enum class TriggerKind {
  after_purchase,         // a time after each purchase (1 hour, 3 days)
  days_without_purchase,  // N days after the last purchase, once per inactivity episode
  nth_purchase,           // after the customer's N-th purchase, once per customer
  registration,           // after the customer first appears (welcome), once per customer
  birthday,               // N days before (or on) the birthday, once a year
  cell_entered,           // entering a lifecycle matrix cell (segment_events)
  recurring,              // a weekly or monthly campaign for a segment
};
std::string_view trigger_kind_name(TriggerKind kind);
std::optional<TriggerKind> trigger_kind_from_name(std::string_view name);

enum class Every { week, month };

struct Trigger {
  TriggerKind kind = TriggerKind::after_purchase;
  // after_purchase, nth_purchase, registration, cell_entered. A delay in whole days (or with `at`)
  // is counted in calendar days of the store, at the same wall-clock time (or at `at`); a delay in
  // hours or minutes is exact elapsed time.
  std::chrono::seconds delay{0};
  std::optional<std::chrono::minutes> at;  // store-local time of day
  int days = 0;                            // days_without_purchase
  int n = 0;                               // nth_purchase
  int days_before = 0;                     // birthday
  std::string cell;                        // cell_entered: a cell code
  std::string segment;                     // recurring: a segment name (cell, RFM or the store's own)
  Every every = Every::week;               // recurring
  int weekday = 0;                         // recurring weekly: 0 Monday .. 6 Sunday
  int day_of_month = 1;                    // recurring monthly: 1..28
};

enum class ActionKind { message, task };
std::string_view action_kind_name(ActionKind kind);

// How the customer is reached: the channel of a message, or the one a task suggests to staff.
enum class ContactChannel { sms, whatsapp, email, call };
std::string_view contact_channel_name(ContactChannel channel);
std::optional<ContactChannel> contact_channel_from_name(std::string_view name);

struct Action {
  ActionKind kind = ActionKind::message;
  ContactChannel channel = ContactChannel::sms;
  Template text;            // message: its text; task: the text staff send (the wa.me link carries it)
  std::string text_origin;  // where the text was written ("rules.toml:14"), for warnings about it
  Template subject;         // e-mail messages
  Template title;           // task
  Template instructions;
  std::chrono::seconds due_in{0};  // task: due this long after it is created
  std::chrono::seconds expires_in{0};
};

struct Guards {
  bool cancel_if_bought = false;         // cancelled when the customer buys after the trigger
  std::chrono::seconds max_lateness{0};  // after its planned moment; later it is skipped
  bool quiet_hours = true;               // messages wait for the end of the store's quiet hours
  bool cap = true;                       // counts toward and obeys the per-customer cap
};

// How the rule's revenue is measured (docs/kpis.md): a share of the customers it would reach get
// nothing (the control group), and purchases within a window after each send count for it.
struct Measurement {
  std::optional<int> holdout_percent;  // 0..50; none: the store's [rules] holdout (10 by default)
  std::chrono::seconds attribution{std::chrono::days{7}};
};

struct Rule {
  std::string id;  // stable: stores and HQ refer to it
  bool enabled = true;
  std::string description;
  int priority = 50;       // 0..100; under the cap the lower-priority rule yields
  std::string conditions;  // filter language; empty: none
  Trigger trigger;
  Action action;
  Guards guards;
  Measurement measurement;
  std::string origin;  // where it was defined ("rules.toml:12", "default pack"), for messages

  // A hash of everything that decides what the rule does: the engine notices a changed rule and
  // re-plans its pending jobs. The measurement is left out: it is read when a job fires (holdout)
  // and when revenue is measured (attribution), so a change of it has nothing to re-plan.
  [[nodiscard]] std::uint64_t fingerprint() const;
  // The placeholders its templates use.
  [[nodiscard]] std::vector<std::string> placeholders() const;
};

}  // namespace regua
