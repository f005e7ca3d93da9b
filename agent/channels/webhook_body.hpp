#pragma once
// The `webhook` channel's request body: a JSON template written by the store, with placeholders
// `{{name}}` filled for each message. A value goes in JSON-escaped without quotes, so the template
// writes the quotes: "text": "{{text}}" (and {{id}} bare, a number).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace regua {

// Every field of a message: ref, id, channel, to, subject, text, rule, customer.
inline constexpr std::string_view kDefaultWebhookBody =
    R"({"ref": "{{ref}}", "id": {{id}}, "channel": "{{channel}}", "to": "{{to}}", "subject": "{{subject}}", )"
    R"("text": "{{text}}", "rule": "{{rule}}", "customer": "{{customer}}"})";

// Why `body` is not a usable template (an unknown placeholder, not JSON once filled); nullopt when it is.
std::optional<std::string> check_webhook_body(std::string_view body);

// Fills `body`: `value(name)` gives each placeholder's value (nullopt: empty).
std::string render_webhook_body(std::string_view body,
                                const std::function<std::optional<std::string>(std::string_view)>& value);

}  // namespace regua
