#pragma once
// The PhoneNormaliser the agent injects into ingest: Google's libphonenumber (Debian's
// libphonenumber-dev), which knows every country's numbering plan, so "(11) 98765-4321",
// "0 21 11 98765-4321" (with a carrier code) and "+55 11 98765-4321" are all +5511987654321, a
// mobile, and "(11) 3456-7890" is a landline.

#include <optional>
#include <string>
#include <string_view>

#include "local/core/result.hpp"
#include "local/identity/phone.hpp"

namespace regua {

// Whether libphonenumber knows `region` (an ISO 3166-1 alpha-2 code such as "BR").
bool is_phone_region(std::string_view region);

class LibphonenumberNormaliser final : public PhoneNormaliser {
 public:
  // `region`: where numbers written without a country code are from, the store's country ([store]
  // country). An ErrorKind::config error when libphonenumber does not know it.
  static Result<LibphonenumberNormaliser> create(std::string_view region);

  // Numbers the plan calls FIXED_LINE_OR_MOBILE (the USA and others, where the number does not
  // tell) count as mobile: a message to them may reach a phone; a landline simply rejects it.
  [[nodiscard]] NormalisedPhone normalise(std::string_view raw) const override;

  // Always through PhoneNumberUtil::Parse, without the shortcut normalise() may take: the reference
  // the tests compare the shortcut with.
  [[nodiscard]] NormalisedPhone normalise_by_parsing(std::string_view raw) const;

  [[nodiscard]] const std::string& region() const { return region_; }

 private:
  LibphonenumberNormaliser(std::string region, int country_code)
      : region_(std::move(region)), country_code_(country_code) {}
  [[nodiscard]] std::optional<NormalisedPhone> national_digits(std::string_view raw) const;

  std::string region_;
  int country_code_;
};

}  // namespace regua
