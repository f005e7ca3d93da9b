#include "agent/cli/decision_format.hpp"

#include "local/rules/templates.hpp"

namespace regua {
namespace {

nlohmann::ordered_json optional(const std::optional<std::string>& s) {
  return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr);
}

// Keeps a multi-line text on the indented lines it is printed on.
std::string indent(std::string_view text, std::string_view pad) {
  std::string out;
  for (const char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

std::string decision_customer(const DecisionView& d) {
  return d.customer_pos_id ? *d.customer_pos_id : "#" + std::to_string(d.customer_id);
}

nlohmann::ordered_json decision_json(const DecisionView& d, const StoreZone& zone) {
  nlohmann::ordered_json j;
  j["at"] = zone.iso(d.at);
  j["rule"] = d.rule_id;
  j["customer"] = decision_customer(d);
  j["decision"] = d.decision;
  j["action"] = d.action;
  j["channel"] = d.channel;
  j["reason"] = d.reason;
  j["detail"] = d.detail;
  j["occurrence"] = d.occurrence;
  j["planned_at"] = zone.iso(d.planned_at);
  if (d.until) j["until"] = zone.iso(*d.until);
  if (d.message_id) {
    j["recipient"] = optional(d.recipient);
    if (d.subject) j["subject"] = *d.subject;
    j["text"] = optional(d.text);
    if (d.channel == "sms" && d.text) j["sms_segments"] = sms_length(*d.text).segments;
  }
  if (d.task_id) {
    j["task"] = *d.task_id;
    j["title"] = optional(d.title);
    j["instructions"] = optional(d.instructions);
    j["text"] = optional(d.text);
    j["link"] = optional(d.link);
    if (d.task_due_at) j["due_at"] = zone.iso(*d.task_due_at);
    if (d.task_expires_at) j["expires_at"] = zone.iso(*d.task_expires_at);
  }
  return j;
}

std::string decision_text(const DecisionView& d, const StoreZone& zone, bool with_customer) {
  std::string out = zone.readable(d.at) + "  " + d.rule_id + "  ";
  if (with_customer) out += decision_customer(d) + "  ";
  out += d.decision + " (" + d.reason + ")";
  if (!d.detail.empty()) out += ": " + d.detail;
  if (d.until) out += "; until " + zone.readable(*d.until);
  out += '\n';
  constexpr std::string_view kPad = "    ";
  if (d.message_id) {
    // The detail already says the channel and the recipient: what follows is what they read.
    if (d.subject) out += std::string(kPad) + "subject: " + *d.subject + '\n';
    out += std::string(kPad) + indent(d.text.value_or(""), kPad) + '\n';
    if (d.channel == "sms" && d.text) {
      // Each part is billed: worth a line when there is more than one.
      const SmsLength length = sms_length(*d.text);
      if (length.segments > 1) {
        out += std::string(kPad) + "(billed as " + std::to_string(length.segments) +
               " SMS: " + std::to_string(length.units) + " " +
               std::string(sms_encoding_name(length.encoding)) +
               (length.encoding == SmsEncoding::gsm7 ? " septets)" : " characters)") + '\n';
      }
    }
  }
  if (d.task_id) {
    out += std::string(kPad) + "task #" + std::to_string(*d.task_id) + " (" + d.channel +
           "): " + d.title.value_or("");
    if (d.task_due_at) out += "; due " + zone.readable(*d.task_due_at);
    out += '\n';
    if (d.instructions && !d.instructions->empty())
      out += std::string(kPad) + indent(*d.instructions, kPad) + '\n';
    if (d.link) out += std::string(kPad) + *d.link + '\n';
  }
  return out;
}

std::string json_line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

}  // namespace regua
