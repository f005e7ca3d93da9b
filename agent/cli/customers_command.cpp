// `regua-agent customers duplicates` and `regua-agent customers merge`: docs/cli.md and
// docs/identity.md describe them. The work is in local/identity (duplicates.hpp, merge.hpp); this
// file reads the command line and prints, and hands `consent` and `forget` to their own files.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/identity/customer_json.hpp"
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

int duplicates(const AgentConfig& config, bool json) {
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto begun = ledger->db().exec("BEGIN");
  auto report = begun ? find_duplicates(ledger->db()) : Result<DuplicateReport>(begun.error());
  (void)ledger->db().exec("COMMIT");
  if (!report) return report_error(report.error());

  if (json) {
    fmt::print("{}\n", duplicates_json(*report).dump(2, ' ', false, ordered_json::error_handler_t::replace));
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
    fmt::print("{}\n",
               merge_outcome_json(*outcome).dump(2, ' ', false, ordered_json::error_handler_t::replace));
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
