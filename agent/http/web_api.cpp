#include "agent/http/web_api.hpp"

#include "local/rules/templates.hpp"

namespace regua {
namespace {

nlohmann::json nullable(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

std::string phone_digits(std::string_view phone) {
  std::string digits;
  for (const char c : phone)
    if (c >= '0' && c <= '9') digits += c;
  return digits;
}

nlohmann::json inbox_task_json(const TaskRow& t, const StoreZone& zone) {
  const std::string phone = t.customer_phone.value_or("");
  nlohmann::json j{
      {"id", t.id},
      {"state", task_state_name(t.state)},
      {"overdue", t.overdue},
      {"rule", t.rule_id},
      {"customer", t.customer_pos_id ? *t.customer_pos_id : "#" + std::to_string(t.customer_id)},
      {"name", nullable(t.customer_name)},
      {"phone", nullable(t.customer_phone)},
      {"channel", t.channel},
      {"title", t.title},
      {"instructions", t.instructions},
      {"text", t.text},
      {"link", nullable(t.link)},
      {"due_at", zone.iso(t.due_at)},
      {"expires_at", zone.iso(t.expires_at)},
      {"closed_at", t.closed_at ? nlohmann::json(zone.iso(*t.closed_at)) : nlohmann::json(nullptr)},
      {"outcome", nullable(t.outcome)},
  };
  const auto wa = inbox_whatsapp_link(phone, t.text);
  const auto tel = tel_link(phone);
  j["whatsapp"] = wa.empty() ? nlohmann::json(nullptr) : nlohmann::json(wa);
  j["tel"] = tel.empty() ? nlohmann::json(nullptr) : nlohmann::json(tel);
  return j;
}

}  // namespace

std::string inbox_whatsapp_link(std::string_view phone, std::string_view text) {
  // wa.me needs the country code: only a phone in international form gets a link.
  if (!phone.starts_with('+') || phone_digits(phone).size() < 8) return {};
  return whatsapp_link(phone, text);
}

std::string tel_link(std::string_view phone) {
  const auto digits = phone_digits(phone);
  if (digits.empty()) return {};
  return std::string("tel:") + (phone.starts_with('+') ? "+" : "") + digits;
}

Result<nlohmann::json> inbox_json(sqlite::Db& db, const StoreZone& zone, Seconds now) {
  auto tasks = list_tasks(db, TaskState::open, now);
  if (!tasks) return tasks.error();
  const Seconds tomorrow = zone.to_utc(zone.day(now) + 1, std::chrono::seconds(0));
  nlohmann::json list = nlohmann::json::array();
  std::int64_t overdue = 0, later = 0;
  for (const auto& t : *tasks) {
    if (t.due_at >= tomorrow) {
      ++later;
      continue;
    }
    if (t.overdue) ++overdue;
    list.push_back(inbox_task_json(t, zone));
  }
  return nlohmann::json{{"now", zone.iso(now)},
                        {"today", static_cast<std::int64_t>(list.size()) - overdue},
                        {"overdue", overdue},
                        {"later", later},
                        {"tasks", std::move(list)}};
}

Result<nlohmann::json> close_task_json(sqlite::Db& db, const StoreZone& zone, std::int64_t id,
                                       std::optional<std::string_view> outcome_name, std::string_view note,
                                       Seconds now) {
  std::optional<TaskOutcome> outcome;
  if (outcome_name) {
    outcome = task_outcome_from_name(*outcome_name);
    if (!outcome) {
      return make_error(ErrorKind::usage,
                        "\"outcome\": \"" + std::string(*outcome_name) +
                            "\" is not an outcome (contacted, no_answer, sold, wrong_number)");
    }
  }
  {
    auto txn = sqlite::Transaction::begin(db);
    if (!txn) return txn.error();
    auto done = outcome ? complete_task(db, id, *outcome, note, now) : archive_task(db, id, now);
    if (!done) return done.error();
    if (auto s = txn->commit(); !s) return s.error();
  }
  auto task = find_task(db, id, now);
  if (!task) return task.error();
  if (!*task)
    return make_error(ErrorKind::internal, "task #" + std::to_string(id) + " was closed and is gone");
  return inbox_task_json(**task, zone);
}

}  // namespace regua
