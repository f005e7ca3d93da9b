#include "local/rules/rule_schema.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "local/analysis/filter_parser.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/rules/durations.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kDurationAllowed =
    "a duration: a number and a unit m, h, d or w (\"90m\", \"1h\", \"3d\")";

// Kinds are written as lists in `kinds`: the trigger kinds, or "message"/"task" for action fields.
constexpr std::array kFields{
    RuleField{"id", RawType::string, "", "1 to 64 lower-case letters, digits, '-' or '_'", "required",
              "the rule's stable name: stores and HQ refer to it; a store rule with a default rule's id "
              "replaces it"},
    RuleField{"enabled", RawType::boolean, "", "true or false", "true", "false turns the rule off"},
    RuleField{"description", RawType::string, "", "any text", "\"\"", "what the rule is for, for people"},
    RuleField{"priority", RawType::integer, "", "0 to 100", "50",
              "under the per-customer cap the rule with the lower priority yields"},
    RuleField{"conditions", RawType::string, "", "a filter of the filter language (docs/segments.md)", "none",
              "must hold when the action fires, e.g. \"purchases_last(90) >= 4\""},
    RuleField{"holdout", RawType::integer, "", "0 to 50 (percent)", "[rules] holdout (10)",
              "the share of customers the rule would reach who get nothing: its control group, the same "
              "customers always (docs/kpis.md)"},
    RuleField{"attribution_window", RawType::string, "", "a duration from \"1h\" to \"90d\"", "\"7d\"",
              "a purchase this long after a send (or a held-out would-be send) counts as its conversion"},
    RuleField{"trigger.kind", RawType::string, "",
              "\"after_purchase\", \"days_without_purchase\", \"nth_purchase\", \"registration\", "
              "\"birthday\", \"cell_entered\", \"recurring\"",
              "required", "what starts the rule"},
    RuleField{"trigger.delay", RawType::string, "after_purchase nth_purchase registration cell_entered",
              kDurationAllowed, "required for after_purchase; else \"0\"",
              "how long after the trigger; whole days count calendar days at the same wall-clock time"},
    RuleField{
        "trigger.at", RawType::string,
        "after_purchase nth_purchase registration cell_entered days_without_purchase birthday recurring",
        "a store-local time \"HH:MM\"", "\"10:00\" for days_without_purchase, birthday, recurring; else none",
        "the time of day the action is due (needs a delay in whole days)"},
    RuleField{"trigger.days", RawType::integer, "days_without_purchase", "1 to 3650", "required",
              "days without buying since the last purchase"},
    RuleField{"trigger.n", RawType::integer, "nth_purchase", "1 to 1000", "required",
              "which purchase (3: the third)"},
    RuleField{"trigger.days_before", RawType::integer, "birthday", "0 to 60", "0",
              "days before the birthday (0: on the day)"},
    RuleField{"trigger.cell", RawType::string, "cell_entered",
              "a lifecycle cell code, e.g. \"loyal_slipping\"", "required",
              "the matrix cell whose entry starts the rule"},
    RuleField{"trigger.segment", RawType::string, "recurring",
              "a segment name: a cell code, an RFM segment or a [[segment]]", "required",
              "who the campaign is for, evaluated at each run"},
    RuleField{"trigger.every", RawType::string, "recurring", "\"week\" or \"month\"", "required",
              "how often the campaign runs"},
    RuleField{"trigger.weekday", RawType::string, "recurring",
              "\"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\", \"saturday\", \"sunday\"",
              "\"monday\"", "the day of a weekly campaign"},
    RuleField{"trigger.day_of_month", RawType::integer, "recurring", "1 to 28", "1",
              "the day of a monthly campaign"},
    RuleField{"action.kind", RawType::string, "", "\"message\" or \"task\"", "required",
              "an automatic message, or a task for staff"},
    RuleField{"action.channel", RawType::string, "message task",
              "message: \"sms\", \"whatsapp\", \"email\"; task: also \"call\"",
              "required for a message; "
              "\"whatsapp\" for a task",
              "how the customer is reached (for a task: the channel suggested to staff)"},
    RuleField{"action.template", RawType::string, "message task", "text with placeholders (docs/rules.md)",
              "required for a message",
              "the message; for a task, the text staff send (a WhatsApp task's link "
              "carries it)"},
    RuleField{"action.subject", RawType::string, "message", "text with placeholders", "\"{store}\"",
              "the subject of an e-mail"},
    RuleField{"action.title", RawType::string, "task", "text with placeholders", "required",
              "what the task list shows"},
    RuleField{"action.instructions", RawType::string, "task", "text with placeholders", "\"\"",
              "what staff should do and say"},
    RuleField{"action.due_in", RawType::string, "task", kDurationAllowed, "\"1d\"",
              "the task is overdue this long after it is created"},
    RuleField{"action.expires_in", RawType::string, "task", kDurationAllowed, "\"7d\"",
              "an open task expires this long after it is created (at least due_in)"},
    RuleField{"guards.cancel_if_bought", RawType::boolean, "", "true or false",
              "true for days_without_purchase, cell_entered, recurring; else false",
              "cancel the job (and close the task) when the customer buys after the trigger"},
    RuleField{"guards.max_lateness", RawType::string, "", kDurationAllowed, "per trigger (docs/rules.md)",
              "how long after its planned moment the action may still happen (downtime, quiet hours, cap); "
              "later it is skipped"},
    RuleField{"guards.quiet_hours", RawType::boolean, "", "true or false", "true",
              "a message waits for the end of the store's quiet hours"},
    RuleField{"guards.cap", RawType::boolean, "", "true or false", "true",
              "the action counts toward and obeys the per-customer cap"},
};

constexpr std::array<std::string_view, 3> kSections{"trigger", "action", "guards"};

constexpr std::array<std::string_view, 7> kWeekdays{"monday", "tuesday",  "wednesday", "thursday",
                                                    "friday", "saturday", "sunday"};

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string value_type_text(const RawValue& v) {
  if (std::holds_alternative<std::int64_t>(v.value)) return "a whole number";
  if (std::holds_alternative<bool>(v.value)) return "true or false";
  if (std::holds_alternative<std::string>(v.value)) return "a string";
  return std::get<RawOther>(v.value).type;
}

const RuleField* find_field(std::string_view key) {
  for (const auto& f : kFields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

bool applies(const RuleField& f, std::string_view kind) {
  if (f.kinds.empty()) return true;
  std::string_view rest = f.kinds;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (rest.substr(0, space) == kind) return true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return false;
}

// Reads the fields of one RawRule, remembering which were read, and collects every mistake.
class Reader {
 public:
  Reader(const RawRule& raw, std::vector<std::string>& errors) : raw_(raw), errors_(errors) {
    for (const auto& [key, value] : raw.fields)
      values_.emplace(key, &value);
  }

  void set_name(const std::string& id) { name_ = "rule " + quote(id); }
  [[nodiscard]] const std::string& name() const { return name_.empty() ? raw_.label : name_; }

  const RawValue* find(std::string_view key) {
    used_.emplace(key);
    auto it = values_.find(std::string(key));
    return it == values_.end() ? nullptr : it->second;
  }
  [[nodiscard]] bool has(std::string_view key) const { return values_.count(std::string(key)) != 0; }

  void bad(std::string_view key, const std::string& what) {
    auto it = values_.find(std::string(key));
    const std::string& where = it != values_.end() ? it->second->origin : raw_.origin;
    errors_.push_back(where + ": " + name() + " " + std::string(key) + ": " + what);
  }

  void missing(std::string_view key, std::string_view what) {
    errors_.push_back(raw_.origin + ": " + name() + " needs " + std::string(key) + " (" + std::string(what) +
                      ")");
  }

  std::optional<std::string> string(std::string_view key) {
    const RawValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&v->value)) return *s;
    bad(key, "must be a string, not " + value_type_text(*v));
    return std::nullopt;
  }

  std::optional<std::string> required_string(std::string_view key, std::string_view what) {
    if (!has(key)) {
      used_.emplace(key);
      missing(key, what);
      return std::nullopt;
    }
    auto s = string(key);
    if (s && s->empty()) {
      bad(key, "must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const RawValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    const auto* n = std::get_if<std::int64_t>(&v->value);
    if (n == nullptr) {
      bad(key, "must be a whole number, not " + value_type_text(*v));
      return std::nullopt;
    }
    if (*n < min || *n > max) {
      bad(key, std::to_string(*n) + " is out of range (allowed: " + std::to_string(min) + " to " +
                   std::to_string(max) + ")");
      return std::nullopt;
    }
    return *n;
  }

  std::optional<bool> boolean(std::string_view key) {
    const RawValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (const auto* b = std::get_if<bool>(&v->value)) return *b;
    bad(key, "must be true or false, not " + value_type_text(*v));
    return std::nullopt;
  }

  std::optional<std::string> choice(std::string_view key, std::span<const std::string_view> allowed) {
    auto s = string(key);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
    std::string list;
    for (const auto a : allowed)
      list += (list.empty() ? "" : ", ") + quote(a);
    bad(key, quote(*s) + " is not allowed (allowed: " + list + ")");
    return std::nullopt;
  }

  std::optional<std::chrono::seconds> duration(std::string_view key, std::chrono::seconds max) {
    auto s = string(key);
    if (!s) return std::nullopt;
    auto d = parse_duration(*s);
    if (!d) {
      bad(key, quote(*s) + " is not " + std::string(kDurationAllowed));
      return std::nullopt;
    }
    if (*d > max) {
      bad(key, quote(*s) + " is too long (at most " + format_duration(max) + ")");
      return std::nullopt;
    }
    return d;
  }

  std::optional<Template> text(std::string_view key) {
    auto s = string(key);
    if (!s) return std::nullopt;
    auto t = parse_template(*s);
    if (!t) {
      bad(key, t.error().message);
      return std::nullopt;
    }
    return std::move(*t);
  }

  // Every field given that was not read: unknown, or not used by the rule's kinds.
  void reject_unused(std::string_view trigger_kind, std::string_view action_kind) {
    for (const auto& [key, value] : raw_.fields) {
      if (used_.count(key) != 0) continue;
      const RuleField* f = find_field(key);
      if (f == nullptr) {
        if (std::find(kSections.begin(), kSections.end(), key) != kSections.end()) {
          bad(key, "must be a table (write [rule." + key + "] after the [[rule]], or " + key +
                       " = { kind = ... })");
          continue;
        }
        std::string allowed;
        for (const auto& k : kFields)
          allowed += (allowed.empty() ? "" : ", ") + std::string(k.key);
        errors_.push_back(value.origin + ": " + name() + " has an unknown key " + quote(key) +
                          " (allowed: " + allowed + "; see docs/rules.md)");
        continue;
      }
      const bool trigger_field = key.starts_with("trigger.");
      const std::string_view kind = trigger_field ? trigger_kind : action_kind;
      std::string takes;
      for (const auto& k : kFields) {
        if (k.key.starts_with(trigger_field ? "trigger." : "action.") && k.key != "trigger.kind" &&
            k.key != "action.kind" && applies(k, kind)) {
          takes += (takes.empty() ? "" : ", ") + std::string(k.key);
        }
      }
      bad(key, std::string("is not used by ") + (trigger_field ? "trigger" : "action") + " kind " +
                   quote(kind) + " (it takes: " + (takes.empty() ? "nothing more" : takes) + ")");
    }
  }

 private:
  const RawRule& raw_;
  std::vector<std::string>& errors_;
  std::map<std::string, const RawValue*> values_;
  std::set<std::string, std::less<>> used_;
  std::string name_;
};

void read_trigger(Reader& r, Rule& rule, const RuleContext& context) {
  auto& t = rule.trigger;
  const std::string kind_name(trigger_kind_name(t.kind));
  const auto is = [&](std::string_view key) { return applies(*find_field(key), kind_name); };

  if (is("trigger.delay")) {
    const bool required = t.kind == TriggerKind::after_purchase;
    if (required && !r.has("trigger.delay")) {
      r.find("trigger.delay");
      r.missing("trigger.delay", "how long after the purchase, e.g. \"1h\" or \"3d\"");
    }
    if (auto d = r.duration("trigger.delay", std::chrono::days{3650})) t.delay = *d;
  }
  if (is("trigger.at")) {
    if (auto s = r.string("trigger.at")) {
      if (auto at = parse_time_of_day(*s)) {
        t.at = *at;
      } else {
        r.bad("trigger.at", quote(*s) + " is not a time of day (write \"HH:MM\", 00:00 to 23:59)");
      }
    }
    const bool day_based = t.kind == TriggerKind::days_without_purchase || t.kind == TriggerKind::birthday ||
                           t.kind == TriggerKind::recurring;
    if (!t.at && day_based && !r.has("trigger.at")) t.at = std::chrono::minutes{10 * 60};
    if (t.at && !day_based && !whole_days(t.delay)) {
      r.bad("trigger.at", "needs trigger.delay in whole days (\"0\", \"1d\", \"3d\"), not " +
                              quote(format_duration(t.delay)) +
                              ": a time of day is only meaningful on a day");
    }
  }
  if (is("trigger.days")) {
    if (!r.has("trigger.days")) {
      r.find("trigger.days");
      r.missing("trigger.days", "days without buying, 1 to 3650");
    }
    if (auto n = r.integer("trigger.days", 1, 3650)) t.days = static_cast<int>(*n);
  }
  if (is("trigger.n")) {
    if (!r.has("trigger.n")) {
      r.find("trigger.n");
      r.missing("trigger.n", "which purchase, 1 to 1000");
    }
    if (auto n = r.integer("trigger.n", 1, 1000)) t.n = static_cast<int>(*n);
  }
  if (is("trigger.days_before")) {
    if (auto n = r.integer("trigger.days_before", 0, 60)) t.days_before = static_cast<int>(*n);
  }
  if (is("trigger.cell")) {
    if (auto s = r.required_string("trigger.cell", "a lifecycle cell code, e.g. \"loyal_slipping\"")) {
      if (auto cell = cell_from_text(*s)) {
        t.cell = std::string(cell_code(*cell));
      } else {
        std::string list;
        for (int i = 0; i < kCells; ++i)
          list += (list.empty() ? "" : ", ") + std::string(cell_code(Cell::from_index(i)));
        r.bad("trigger.cell", quote(*s) + " is not a lifecycle cell (cells: " + list + ")");
      }
    }
  }
  if (is("trigger.segment")) {
    if (auto s = r.required_string("trigger.segment", "a segment name")) {
      if (auto found = find_segment(*s, context.segments, Language::en)) {
        t.segment = found->name;
      } else {
        r.bad("trigger.segment", quote(*s) +
                                     " is not a segment (a cell code such as \"promising_slipping\", an RFM "
                                     "segment such as \"at_risk\", or a [[segment]] of the configuration)");
      }
    }
  }
  if (is("trigger.every")) {
    constexpr std::array<std::string_view, 2> kEvery{"week", "month"};
    if (!r.has("trigger.every")) {
      r.find("trigger.every");
      r.missing("trigger.every", "\"week\" or \"month\"");
    }
    if (auto e = r.choice("trigger.every", kEvery)) t.every = *e == "week" ? Every::week : Every::month;
    // The field of the other period would be silently ignored, and "not used by recurring" would
    // contradict the list of what recurring takes: say which period it belongs to.
    const auto other_period = [&](std::string_view key, std::string_view period) {
      if (!r.has(key)) return;
      r.find(key);
      r.bad(key, "is only for trigger.every = " + quote(period));
    };
    if (t.every == Every::week) {
      if (auto w = r.choice("trigger.weekday", kWeekdays)) {
        t.weekday = static_cast<int>(std::find(kWeekdays.begin(), kWeekdays.end(), *w) - kWeekdays.begin());
      }
      other_period("trigger.day_of_month", "month");
    } else {
      if (auto d = r.integer("trigger.day_of_month", 1, 28)) t.day_of_month = static_cast<int>(*d);
      other_period("trigger.weekday", "week");
    }
  }
}

void read_action(Reader& r, Rule& rule) {
  auto& a = rule.action;
  if (a.kind == ActionKind::message) {
    constexpr std::array<std::string_view, 3> kChannels{"sms", "whatsapp", "email"};
    if (!r.has("action.channel")) {
      r.find("action.channel");
      r.missing("action.channel", "\"sms\", \"whatsapp\" or \"email\"");
    }
    if (auto c = r.choice("action.channel", kChannels)) a.channel = *contact_channel_from_name(*c);
    if (!r.has("action.template")) {
      r.find("action.template");
      r.missing("action.template", "the message's text");
    } else if (auto t = r.text("action.template")) {
      a.text_origin = r.find("action.template")->origin;
      if (t->empty()) {
        r.bad("action.template", "must not be empty");
      } else {
        a.text = std::move(*t);
      }
    }
    if (a.channel == ContactChannel::email) {
      if (auto s = r.text("action.subject")) a.subject = std::move(*s);
      if (a.subject.empty()) a.subject = *parse_template("{store}");
    } else if (r.has("action.subject")) {
      r.find("action.subject");
      r.bad("action.subject", "is only for channel \"email\"");
    }
    return;
  }
  constexpr std::array<std::string_view, 4> kChannels{"whatsapp", "sms", "email", "call"};
  a.channel = ContactChannel::whatsapp;
  if (auto c = r.choice("action.channel", kChannels)) a.channel = *contact_channel_from_name(*c);
  if (auto t = r.text("action.template")) a.text = std::move(*t);
  if (!r.has("action.title")) {
    r.find("action.title");
    r.missing("action.title", "what the task list shows");
  } else if (auto t = r.text("action.title")) {
    if (t->empty()) {
      r.bad("action.title", "must not be empty");
    } else {
      a.title = std::move(*t);
    }
  }
  if (auto t = r.text("action.instructions")) a.instructions = std::move(*t);
  a.due_in = r.duration("action.due_in", std::chrono::days{365}).value_or(std::chrono::days{1});
  a.expires_in = r.duration("action.expires_in", std::chrono::days{365}).value_or(std::chrono::days{7});
  if (a.expires_in < a.due_in) {
    r.bad(r.has("action.expires_in") ? "action.expires_in" : "action.due_in",
          "a task would expire (" + format_duration(a.expires_in) + ") before it is due (" +
              format_duration(a.due_in) + "): make expires_in at least due_in");
  }
}

void read_guards(Reader& r, Rule& rule) {
  auto& g = rule.guards;
  const auto k = rule.trigger.kind;
  g.cancel_if_bought = r.boolean("guards.cancel_if_bought")
                           .value_or(k == TriggerKind::days_without_purchase ||
                                     k == TriggerKind::cell_entered || k == TriggerKind::recurring);
  g.max_lateness =
      r.duration("guards.max_lateness", std::chrono::days{365}).value_or(default_max_lateness(rule.trigger));
  g.quiet_hours = r.boolean("guards.quiet_hours").value_or(true);
  g.cap = r.boolean("guards.cap").value_or(true);
}

void read_measurement(Reader& r, Rule& rule) {
  auto& m = rule.measurement;
  if (auto h = r.integer("holdout", 0, 50)) m.holdout_percent = static_cast<int>(*h);
  if (auto w = r.duration("attribution_window", std::chrono::days{90})) {
    if (*w < std::chrono::hours{1}) {
      r.bad("attribution_window", "\"" + format_duration(*w) + "\" is too short (at least \"1h\")");
    } else {
      m.attribution = *w;
    }
  }
}

}  // namespace

std::span<const RuleField> rule_fields() {
  return kFields;
}

std::span<const std::string_view> rule_sections() {
  return kSections;
}

bool is_rule_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::chrono::seconds default_max_lateness(const Trigger& trigger) {
  switch (trigger.kind) {
    case TriggerKind::after_purchase:
      // Leaves room for quiet hours (a purchase at 20:30 rated at 09:00 is 12.5 hours later).
      return trigger.delay < std::chrono::days{1} && !trigger.at ? std::chrono::seconds{18h}
                                                                 : std::chrono::seconds{std::chrono::days{2}};
    case TriggerKind::days_without_purchase:
    case TriggerKind::nth_purchase:
    case TriggerKind::cell_entered:
      return std::chrono::days{3};
    case TriggerKind::registration:
      return std::chrono::days{7};
    case TriggerKind::birthday:
      return 12h;  // the same day: 10:00 to 22:00
    case TriggerKind::recurring:
      return std::chrono::days{1};
  }
  return std::chrono::days{1};
}

Result<Rule> build_rule(const RawRule& raw, const RuleContext& context) {
  std::vector<std::string> errors;
  Reader r(raw, errors);
  Rule rule;
  rule.origin = raw.origin;

  if (auto id = r.required_string("id", "1 to 64 lower-case letters, digits, '-' or '_'")) {
    if (is_rule_id(*id)) {
      rule.id = *id;
      r.set_name(*id);
    } else {
      r.bad("id", quote(*id) + " is not a rule id (use 1 to 64 lower-case letters, digits, '-' or '_')");
    }
  }
  rule.enabled = r.boolean("enabled").value_or(true);
  rule.description = r.string("description").value_or("");
  rule.priority = static_cast<int>(r.integer("priority", 0, 100).value_or(50));
  if (auto c = r.string("conditions")) {
    if (auto parsed = parse_filter(*c); !parsed) {
      r.bad("conditions", parsed.error().message);
    } else {
      rule.conditions = *c;
    }
  }

  constexpr std::array<std::string_view, 7> kTriggers{
      "after_purchase", "days_without_purchase", "nth_purchase", "registration",
      "birthday",       "cell_entered",          "recurring"};
  std::string trigger_kind;
  if (!r.has("trigger.kind")) {
    r.find("trigger.kind");
    r.missing("trigger.kind",
              "one of after_purchase, days_without_purchase, nth_purchase, registration, "
              "birthday, cell_entered, recurring");
  } else if (auto k = r.choice("trigger.kind", kTriggers)) {
    trigger_kind = *k;
    rule.trigger.kind = *trigger_kind_from_name(*k);
    read_trigger(r, rule, context);
  }

  constexpr std::array<std::string_view, 2> kActions{"message", "task"};
  std::string action_kind;
  if (!r.has("action.kind")) {
    r.find("action.kind");
    r.missing("action.kind", "\"message\" or \"task\"");
  } else if (auto k = r.choice("action.kind", kActions)) {
    action_kind = *k;
    rule.action.kind = *k == "message" ? ActionKind::message : ActionKind::task;
    read_action(r, rule);
  }
  read_guards(r, rule);
  read_measurement(r, rule);

  // Fields of a kind that was not read (because the kind itself was wrong) are not reported twice.
  if (trigger_kind.empty()) {
    for (const auto& f : kFields)
      if (f.key.starts_with("trigger.")) r.find(f.key);
  }
  if (action_kind.empty()) {
    for (const auto& f : kFields)
      if (f.key.starts_with("action.")) r.find(f.key);
  }
  r.reject_unused(trigger_kind, action_kind);

  if (!errors.empty()) {
    std::string text;
    for (const auto& e : errors)
      text += (text.empty() ? "" : "\n") + e;
    return make_error(ErrorKind::config, text);
  }
  return rule;
}

}  // namespace regua
