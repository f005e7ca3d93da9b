#pragma once
// application/x-www-form-urlencoded, as Twilio takes its requests and sends its callbacks: pairs in
// order, '+' for a space, %XX for the rest of the reserved bytes.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regua {

using FormFields = std::vector<std::pair<std::string, std::string>>;

std::string form_encode(const FormFields& fields);
// nullopt when a %XX escape is broken.
std::optional<FormFields> form_decode(std::string_view body);
// The value of the first field named `name`, or nullopt.
std::optional<std::string> form_value(const FormFields& fields, std::string_view name);

}  // namespace regua
