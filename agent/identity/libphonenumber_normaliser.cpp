#include "agent/identity/libphonenumber_normaliser.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace regua {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Longer input is not a phone number; libphonenumber refuses past 250 characters anyway.
constexpr std::size_t kMaxRaw = 64;

PhoneKind kind_of(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::MOBILE:
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
      return PhoneKind::mobile;
    case PhoneNumberUtil::FIXED_LINE:
      return PhoneKind::fixed_line;
    case PhoneNumberUtil::UNKNOWN:
      return PhoneKind::invalid;
    default:
      return PhoneKind::other;
  }
}

// GetNumberType is UNKNOWN for a number that is not valid: no separate IsValidNumber needed.
NormalisedPhone describe(const PhoneNumberUtil& util, const PhoneNumber& number) {
  NormalisedPhone out;
  out.kind = kind_of(util.GetNumberType(number));
  if (out.kind == PhoneKind::invalid) return {};
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  return out;
}

}  // namespace

bool is_phone_region(std::string_view region) {
  try {
    return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(std::string(region)) != 0;
  } catch (...) {
    return false;
  }
}

Result<LibphonenumberNormaliser> LibphonenumberNormaliser::create(std::string_view region) {
  if (!is_phone_region(region)) {
    return make_error(ErrorKind::config, "[store] country: \"" + std::string(region) +
                                             "\" is not a country code libphonenumber knows (use the two "
                                             "letters of ISO 3166-1, e.g. \"BR\")");
  }
  const int code = PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(std::string(region));
  return LibphonenumberNormaliser(std::string(region), code);
}

// Parse() runs a dozen ICU regular expressions: about 15 µs a number, measured as most of the cost of
// ingesting a new customer (bench/ingest). A Brazilian number written as its bare national
// significant number (area code and number: 10 or 11 digits, with spaces, dots, dashes or
// parentheses) needs none of them: no Brazilian national significant number begins with 0 or 90
// (the national and collect-call prefixes Parse strips), and Parse keeps the country code 55 as
// an area code when the whole is a valid number. So the digits are the national number as they
// are, and libphonenumber's own metadata says whether it is valid and what kind (GetNumberType).
// Anything else, or a number the metadata does not accept, goes through Parse. A test compares the
// two paths on many generated numbers.
std::optional<NormalisedPhone> LibphonenumberNormaliser::national_digits(std::string_view raw) const {
  if (region_ != "BR") return std::nullopt;
  std::uint64_t national = 0;
  int digits = 0;
  for (const char c : raw) {
    if (c >= '0' && c <= '9') {
      if (digits == 0 && c == '0') return std::nullopt;
      national = national * 10 + static_cast<std::uint64_t>(c - '0');
      ++digits;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (digits != 10 && digits != 11) return std::nullopt;
  PhoneNumber number;
  number.set_country_code(country_code_);
  number.set_national_number(national);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  auto out = describe(util, number);
  if (!out.valid()) return std::nullopt;
  return out;
}

NormalisedPhone LibphonenumberNormaliser::normalise(std::string_view raw) const {
  if (raw.empty() || raw.size() > kMaxRaw) return {};
  // libphonenumber reports errors by return value; the guard is for allocation failures, so that
  // nothing escapes into ingest.
  try {
    if (auto quick = national_digits(raw)) return *quick;
  } catch (...) {
    return {};
  }
  return normalise_by_parsing(raw);
}

NormalisedPhone LibphonenumberNormaliser::normalise_by_parsing(std::string_view raw) const {
  if (raw.empty() || raw.size() > kMaxRaw) return {};
  try {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(std::string(raw), region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return {};
    return describe(util, number);
  } catch (...) {
    return {};
  }
}

}  // namespace regua
