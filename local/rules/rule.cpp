#include "local/rules/rule.hpp"

#include <algorithm>
#include <array>

#include "local/core/enum_names.hpp"
#include "local/core/hash.hpp"
#include "local/rules/durations.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 7> kTriggerNames{
    "after_purchase", "days_without_purchase", "nth_purchase", "registration",
    "birthday",       "cell_entered",          "recurring"};

constexpr std::array<std::string_view, 4> kChannelNames{"sms", "whatsapp", "email", "call"};

}  // namespace

std::string_view trigger_kind_name(TriggerKind kind) {
  return kTriggerNames[static_cast<std::size_t>(kind)];
}

std::optional<TriggerKind> trigger_kind_from_name(std::string_view name) {
  return enum_from_name<TriggerKind>(kTriggerNames, name);
}

std::string_view action_kind_name(ActionKind kind) {
  return kind == ActionKind::message ? "message" : "task";
}

std::string_view contact_channel_name(ContactChannel channel) {
  return kChannelNames[static_cast<std::size_t>(channel)];
}

std::optional<ContactChannel> contact_channel_from_name(std::string_view name) {
  return enum_from_name<ContactChannel>(kChannelNames, name);
}

std::uint64_t Rule::fingerprint() const {
  // Every field that changes what the rule does, each followed by a separator that cannot occur in
  // it, so that two different rules never hash the same text.
  std::string text;
  const auto add = [&](std::string_view v) {
    text += v;
    text += '\x1f';
  };
  const auto num = [&](std::int64_t v) { add(std::to_string(v)); };
  add(id);
  num(enabled ? 1 : 0);
  num(priority);
  add(conditions);
  add(trigger_kind_name(trigger.kind));
  num(trigger.delay.count());
  num(trigger.at ? trigger.at->count() : -1);
  num(trigger.days);
  num(trigger.n);
  num(trigger.days_before);
  add(trigger.cell);
  add(trigger.segment);
  num(static_cast<int>(trigger.every));
  num(trigger.weekday);
  num(trigger.day_of_month);
  add(action_kind_name(action.kind));
  add(contact_channel_name(action.channel));
  add(action.text.source);
  add(action.subject.source);
  add(action.title.source);
  add(action.instructions.source);
  num(action.due_in.count());
  num(action.expires_in.count());
  num(guards.cancel_if_bought ? 1 : 0);
  num(guards.max_lateness.count());
  num(guards.quiet_hours ? 1 : 0);
  num(guards.cap ? 1 : 0);
  return fnv1a64(text);
}

std::vector<std::string> Rule::placeholders() const {
  std::vector<std::string> out;
  for (const Template* t : {&action.text, &action.subject, &action.title, &action.instructions}) {
    for (auto& k : t->keys()) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(std::move(k));
    }
  }
  return out;
}

}  // namespace regua
