#include "local/identity/customer_fields.hpp"

#include <chrono>
#include <cstring>

#include "local/core/hash.hpp"
#include "local/identity/birthday.hpp"
#include "local/identity/cpf.hpp"
#include "local/identity/email.hpp"
#include "local/identity/name.hpp"
#include "local/identity/text.hpp"

namespace regua {
namespace {

// How good a field is: 0 none, 1 kept as written but invalid, 2 valid.
int rank(const std::optional<std::string>& v) {
  return v ? 2 : 0;
}
int rank(const std::optional<CheckedText>& v) {
  return !v ? 0 : v->valid ? 2 : 1;
}
int rank(const std::optional<PhoneField>& v) {
  return !v ? 0 : v->parsed.valid() ? 2 : 1;
}

template <class Field>
bool take_news(Field& stored, std::int64_t stored_at, const Field& news, std::int64_t news_at) {
  if (!news) return false;
  const int better = rank(news) - rank(stored);
  if (better < 0 || (better == 0 && (news_at < stored_at || news == stored))) return false;
  stored = news;
  return true;
}

template <class Field>
bool changes_nothing(const Field& stored, const Field& news) {
  return !news || rank(news) < rank(stored) || news == stored;
}

template <class Field>
bool take_if_better(Field& survivor, const Field& other) {
  if (rank(other) <= rank(survivor)) return false;
  survivor = other;
  return true;
}

std::optional<std::string> trimmed_field(const std::optional<std::string>& raw) {
  if (!raw) return std::nullopt;
  const auto t = trim_space(*raw);
  if (t.empty()) return std::nullopt;
  return std::string(t);
}

// `raw` is trimmed and not empty.
CheckedText checked_text(std::string raw, std::optional<std::string> normalised) {
  if (normalised) return {std::move(*normalised), true};
  return {std::move(raw), false};
}

}  // namespace

bool describes_anyone(const CustomerInfo& info) {
  const auto given = [](const std::optional<std::string>& v) { return v && !trim_space(*v).empty(); };
  return !info.pos_id.empty() || given(info.name) || given(info.phone) || given(info.email) ||
         given(info.cpf) || given(info.birthday);
}

CustomerFields normalise_fields(const CustomerInfo& info, const PhoneNormaliser& phones, int reference_year,
                                const CustomerFields* known) {
  // A value written exactly as the ledger already holds it (valid, so normalised) normalises to
  // itself: every rule is idempotent. Returning customers mostly repeat their details, so this
  // skips the work, the phone parse above all.
  auto same_valid = [](const std::optional<CheckedText>& stored, std::string_view raw) {
    return stored && stored->valid && stored->text == raw;
  };
  CustomerFields f;
  if (auto raw = trimmed_field(info.name)) {
    f.name = known != nullptr && known->name == *raw ? known->name : normalise_name(*raw);
  }
  if (auto raw = trimmed_field(info.phone)) {
    if (known != nullptr && known->phone && known->phone->raw == *raw) {
      f.phone = known->phone;
    } else {
      f.phone = PhoneField{*raw, phones.normalise(*raw)};
      if (!f.phone->parsed.valid()) f.phone->parsed.e164.clear();
    }
  }
  if (auto raw = trimmed_field(info.email)) {
    f.email = known != nullptr && same_valid(known->email, *raw) ? known->email
                                                                 : checked_text(*raw, valid_email(*raw));
  }
  if (auto raw = trimmed_field(info.cpf)) {
    f.cpf =
        known != nullptr && same_valid(known->cpf, *raw) ? known->cpf : checked_text(*raw, valid_cpf(*raw));
  }
  if (auto raw = trimmed_field(info.birthday)) {
    f.birthday = known != nullptr && same_valid(known->birthday, *raw)
                     ? known->birthday
                     : checked_text(*raw, parse_birthday(*raw, reference_year));
  }
  return f;
}

bool absorb_news(CustomerFields& stored, std::int64_t stored_at, const CustomerFields& news,
                 std::int64_t news_at) {
  bool changed = take_news(stored.name, stored_at, news.name, news_at);
  changed |= take_news(stored.phone, stored_at, news.phone, news_at);
  changed |= take_news(stored.email, stored_at, news.email, news_at);
  changed |= take_news(stored.cpf, stored_at, news.cpf, news_at);
  changed |= take_news(stored.birthday, stored_at, news.birthday, news_at);
  return changed;
}

bool absorbs_nothing(const CustomerFields& stored, const CustomerFields& news) {
  return changes_nothing(stored.name, news.name) && changes_nothing(stored.phone, news.phone) &&
         changes_nothing(stored.email, news.email) && changes_nothing(stored.cpf, news.cpf) &&
         changes_nothing(stored.birthday, news.birthday);
}

std::uint64_t news_fingerprint(const CustomerInfo& info) {
  std::uint64_t h = kFnvOffset;
  for (const auto* field : {&info.name, &info.phone, &info.email, &info.cpf, &info.cnpj, &info.birthday}) {
    // Each field as its length (absent: all ones) and its bytes, so that no two inputs run together.
    const std::uint64_t length = *field ? (*field)->size() : ~std::uint64_t{0};
    char bytes[sizeof length];
    std::memcpy(bytes, &length, sizeof length);
    h = fnv1a64(std::string_view(bytes, sizeof bytes), h);
    if (*field) h = fnv1a64(**field, h);
  }
  return h;
}

bool fill_gaps(CustomerFields& survivor, const CustomerFields& other) {
  bool changed = take_if_better(survivor.name, other.name);
  changed |= take_if_better(survivor.phone, other.phone);
  changed |= take_if_better(survivor.email, other.email);
  changed |= take_if_better(survivor.cpf, other.cpf);
  changed |= take_if_better(survivor.birthday, other.birthday);
  return changed;
}

int year_of(std::int64_t unix_seconds) {
  const std::chrono::sys_seconds t{std::chrono::seconds{unix_seconds}};
  return static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)}.year());
}

}  // namespace regua
