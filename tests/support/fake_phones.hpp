#pragma once
// A stand-in PhoneNormaliser for tests of local/, which must not depend on libphonenumber: Brazilian
// numbers only, by digit count. "(11) 98765-4321" is mobile +5511987654321, "(11) 3456-7890" a
// landline, anything else invalid. Agent tests use the real one (tests/support/phones.hpp).

#include <string>

#include "local/identity/phone.hpp"

namespace regua::test {

class FakePhones final : public PhoneNormaliser {
 public:
  [[nodiscard]] NormalisedPhone normalise(std::string_view raw) const override {
    std::string digits;
    for (const char c : raw) {
      if (c >= '0' && c <= '9') digits += c;
    }
    if (digits.size() == 13 && digits.starts_with("55")) digits.erase(0, 2);
    if (digits.size() == 11 && digits[2] == '9') return {"+55" + digits, PhoneKind::mobile};
    if (digits.size() == 10 && digits[2] >= '2' && digits[2] <= '5')
      return {"+55" + digits, PhoneKind::fixed_line};
    return {};
  }
};

}  // namespace regua::test
