// `regua-agent customers duplicates` and `regua-agent customers merge`: docs/cli.md and
// docs/identity.md describe them. The work is in local/identity (duplicates.hpp, merge.hpp); this
// file reads the command line and prints, and hands `consent` and `forget` to their own files.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"
#include "local/core/money.hpp"
#include "local/core/timestamp.hpp"
#include "local/identity/cpf.hpp"
#include "local/identity/customer_book.hpp"
#include "local/identity/duplicates.hpp"
#include "local/identity/merge.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

ordered_json text_or_null(const std::optional<std::string>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json record_json(const CustomerRecord& r) {
  const auto& f = r.fields;
  ordered_json j{{"id", r.id}, {"pos_id", text_or_null(r.pos_id)}, {"name", text_or_null(f.name)}};
  j["phone"] = f.phone ? ordered_json(f.phone->raw) : ordered_json(nullptr);
  j["phone_e164"] =
      f.phone && f.phone->parsed.valid() ? ordered_json(f.phone->parsed.e164) : ordered_json(nullptr);
  j["phone_kind"] = f.phone ? ordered_json(phone_kind_name(f.phone->parsed.kind)) : ordered_json(nullptr);
  for (const auto& [key, field] :
       {std::pair{"email", &f.email}, {"cpf", &f.cpf}, {"birthday", &f.birthday}}) {
    j[key] = *field ? ordered_json((*field)->text) : ordered_json(nullptr);
    j[std::string(key) + "_valid"] = *field && (*field)->valid;
  }
  j["info_at"] = format_utc(Seconds{std::chrono::seconds{r.info_at}});
  return j;
}

ordered_json overview_json(const CustomerOverview& o) {
  ordered_json j = record_json(o.record);
  j["sales"] = o.sales;
  j["total_cents"] = o.total_cents;
  j["last_sale_at"] = o.last_sale_at
                          ? ordered_json(format_utc(Seconds{std::chrono::seconds{*o.last_sale_at}}))
                          : ordered_json(nullptr);
  return j;
}

std::string shared_text(const SharedValue& s) {
  switch (s.key) {
    case SharedKey::cpf:
      return "CPF " + format_cpf(s.value);
    case SharedKey::mobile:
      return "mobile " + s.value;
    case SharedKey::email:
      return "e-mail " + s.value;
  }
  return s.value;
}

// One line per field worth showing; invalid values are marked so people see why they do not count.
std::string details(const CustomerRecord& r) {
  const auto& f = r.fields;
  std::vector<std::string> parts;
  if (f.phone) {
    parts.push_back(f.phone->parsed.valid()
                        ? fmt::format("{} ({})", f.phone->parsed.e164, phone_kind_name(f.phone->parsed.kind))
                        : fmt::format("phone \"{}\" (not valid)", f.phone->raw));
  }
  if (f.email)
    parts.push_back(f.email->valid ? f.email->text : fmt::format("e-mail \"{}\" (not valid)", f.email->text));
  if (f.cpf) {
    parts.push_back(f.cpf->valid ? "CPF " + format_cpf(f.cpf->text)
                                 : fmt::format("CPF \"{}\" (not valid)", f.cpf->text));
  }
  if (f.birthday) {
    parts.push_back(f.birthday->valid ? "born " + f.birthday->text
                                      : fmt::format("birthday \"{}\" (not a date)", f.birthday->text));
  }
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "no contact details" : out;
}

// The record to keep when a person does not say: the one with the most sales, then the oldest.
std::int64_t suggested_keep(const DuplicateGroup& g) {
  const auto best = std::max_element(g.members.begin(), g.members.end(), [](const auto& a, const auto& b) {
    return a.sales != b.sales ? a.sales < b.sales : a.record.id > b.record.id;
  });
  return best->record.id;
}

int duplicates(const AgentConfig& config, bool json) {
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto begun = ledger->db().exec("BEGIN");
  auto report = begun ? find_duplicates(ledger->db()) : Result<DuplicateReport>(begun.error());
  (void)ledger->db().exec("COMMIT");
  if (!report) return report_error(report.error());

  if (json) {
    ordered_json groups = ordered_json::array();
    for (const auto& g : report->groups) {
      ordered_json shared = ordered_json::array();
      for (const auto& s : g.shared)
        shared.push_back({{"key", shared_key_name(s.key)}, {"value", s.value}});
      ordered_json members = ordered_json::array();
      for (const auto& m : g.members)
        members.push_back(overview_json(m));
      groups.push_back({{"shared", std::move(shared)},
                        {"suggested_keep", suggested_keep(g)},
                        {"customers", std::move(members)}});
    }
    ordered_json placeholders = ordered_json::array();
    for (const auto& p : report->placeholders)
      placeholders.push_back({{"key", shared_key_name(p.key)}, {"value", p.value}, {"records", p.records}});
    fmt::print("{}\n",
               ordered_json{{"groups", std::move(groups)}, {"placeholders", std::move(placeholders)}}.dump(
                   2, ' ', false, ordered_json::error_handler_t::replace));
    return kExitOk;
  }

  if (report->groups.empty()) {
    fmt::print("No duplicate customer records: no two share a valid CPF, a mobile or a valid e-mail.\n");
  } else {
    fmt::print("{} group(s) of customer records that look like one person each.\n", report->groups.size());
  }
  int n = 0;
  for (const auto& g : report->groups) {
    std::string shared;
    for (const auto& s : g.shared)
      shared += (shared.empty() ? "" : ", ") + shared_text(s);
    fmt::print("\nGroup {} (same {})\n", ++n, shared);
    std::string merge_args;
    const auto keep = suggested_keep(g);
    for (const auto& m : g.members) {
      const auto& r = m.record;
      fmt::print("  #{:<6} {:<12} {}\n          {}\n          {} sale(s), {} in total{}\n", r.id,
                 r.pos_id ? "pos " + *r.pos_id : "(no POS id)", r.fields.name.value_or("(no name)"),
                 details(r), m.sales, format_cents(m.total_cents),
                 m.last_sale_at
                     ? ", last on " + format_utc(Seconds{std::chrono::seconds{*m.last_sale_at}}).substr(0, 10)
                     : "");
      if (r.id != keep) merge_args += " " + std::to_string(r.id);
    }
    fmt::print("  to merge: regua-agent customers merge {}{} --dry-run\n", keep, merge_args);
  }
  if (!report->placeholders.empty()) {
    fmt::print(
        "\nOn too many records to mean one person (placeholders someone typed; clear them in the POS):\n");
    for (const auto& p : report->placeholders)
      fmt::print("  {} on {} records\n", shared_text(p), p.records);
  }
  return kExitOk;
}

std::string consent_text(const std::vector<ConsentState>& consents) {
  if (consents.empty()) return "none recorded";
  std::string out;
  for (const auto& c : consents)
    out +=
        fmt::format("{}{}: {}", out.empty() ? "" : ", ", channel_name(c.channel), c.granted ? "yes" : "no");
  return out;
}

void print_merge(const MergeOutcome& o) {
  const auto& a = o.after;
  fmt::print("{} {} record(s) into customer {}{}: {} sale(s) moved; it {} {} sale(s).\n",
             o.written ? "Merged" : "Would merge", o.merged.size(), a.id,
             a.pos_id ? " (pos " + *a.pos_id + ")" : "", o.sales_moved, o.written ? "now has" : "would have",
             o.survivor_sales);
  for (const auto& m : o.merged) {
    fmt::print("  #{} {}: {} sale(s)\n", m.id, m.pos_id ? "pos " + *m.pos_id : "(no POS id)", m.sales_moved);
  }
  fmt::print("The customer {}:\n  {}\n  {}\n  consent: {}\n", o.written ? "now" : "would be",
             a.fields.name.value_or("(no name)"), details(a), consent_text(o.consents));
  if (!o.written) fmt::print("Dry run: nothing was written. Run again without --dry-run to merge.\n");
}

int merge(const AgentConfig& config, const CustomersOptions& options) {
  if (options.refs.size() < 2) {
    return report_error(make_error(ErrorKind::usage,
                                   "customers merge needs the customer to keep and at least one "
                                   "to merge into it: customers merge KEEP OTHER..."));
  }
  auto phones = LibphonenumberNormaliser::create(config.store.country);
  if (!phones) return report_error(phones.error());
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  if (auto s = normalise_stored_customers(ledger->db(), *phones); !s) return report_error(s.error());
  MergeRequest request;
  request.dry_run = options.dry_run;
  for (std::size_t i = 0; i < options.refs.size(); ++i) {
    auto id = resolve_customer(ledger->db(), options.refs[i]);
    if (!id) return report_error(id.error());
    if (i == 0) {
      request.keep = *id;
    } else {
      request.others.push_back(*id);
    }
  }
  auto outcome = merge_customers(*ledger, request);
  if (!outcome) return report_error(outcome.error());
  if (options.json) {
    ordered_json merged = ordered_json::array();
    for (const auto& m : outcome->merged)
      merged.push_back({{"id", m.id}, {"pos_id", text_or_null(m.pos_id)}, {"sales_moved", m.sales_moved}});
    ordered_json consents = ordered_json::array();
    for (const auto& c : outcome->consents)
      consents.push_back({{"channel", channel_name(c.channel)}, {"granted", c.granted}});
    ordered_json j{{"written", outcome->written},
                   {"survivor", record_json(outcome->after)},
                   {"before", record_json(outcome->before)},
                   {"merged", std::move(merged)},
                   {"sales_moved", outcome->sales_moved},
                   {"survivor_sales", outcome->survivor_sales},
                   {"consents", std::move(consents)}};
    fmt::print("{}\n", j.dump(2, ' ', false, ordered_json::error_handler_t::replace));
  } else {
    print_merge(*outcome);
  }
  return kExitOk;
}

}  // namespace

int customers_command(const AgentConfig& config, const CustomersOptions& options) {
  switch (options.action) {
    case CustomersOptions::Action::duplicates:
      return duplicates(config, options.json);
    case CustomersOptions::Action::merge:
      return merge(config, options);
    case CustomersOptions::Action::consent:
      return customers_consent_command(config, options);
    case CustomersOptions::Action::forget:
      return customers_forget_command(config, options);
  }
  return kExitUsage;
}

}  // namespace regua
