#include "agent/channels/webhook_body.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

namespace regua {
namespace {

constexpr std::array<std::string_view, 8> kWebhookFields{"ref",     "id",   "channel", "to",
                                                         "subject", "text", "rule",    "customer"};

// The JSON string escape of `text`, without the quotes.
std::string json_escaped(const std::string& text) {
  const std::string quoted =
      nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

// Calls `each(name)` for every placeholder and returns the body with each replaced; stops at the
// first unknown name (returned in `unknown`).
std::string fill_webhook_body(std::string_view body,
                              const std::function<std::optional<std::string>(std::string_view)>& value,
                              std::optional<std::string>& unknown) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    const auto open = body.find("{{", at);
    if (open == std::string_view::npos) break;
    const auto close = body.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(body.substr(at, open - at));
    const std::string_view name = body.substr(open + 2, close - open - 2);
    if (std::find(kWebhookFields.begin(), kWebhookFields.end(), name) == kWebhookFields.end()) {
      unknown = std::string(name);
      return out;
    }
    out += json_escaped(value(name).value_or(""));
    at = close + 2;
  }
  out.append(body.substr(at));
  return out;
}

}  // namespace

std::optional<std::string> check_webhook_body(std::string_view body) {
  std::optional<std::string> unknown;
  const std::string sample = fill_webhook_body(
      body, [](std::string_view name) { return std::optional<std::string>(name == "id" ? "1" : "x"); },
      unknown);
  if (unknown) {
    std::string allowed;
    for (const auto f : kWebhookFields)
      allowed += (allowed.empty() ? "" : ", ") + std::string("{{") + std::string(f) + "}}";
    return "{{" + *unknown + "}} is not a placeholder (allowed: " + allowed + ")";
  }
  const auto parsed = nlohmann::json::parse(sample, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return "is not a JSON object once its placeholders are filled (write the quotes around string "
           "placeholders: \"text\": \"{{text}}\")";
  }
  return std::nullopt;
}

std::string render_webhook_body(std::string_view body,
                                const std::function<std::optional<std::string>(std::string_view)>& value) {
  std::optional<std::string> unknown;
  return fill_webhook_body(body, value, unknown);
}

}  // namespace regua
