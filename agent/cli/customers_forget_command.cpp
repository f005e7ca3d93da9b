// `regua-agent customers forget ID [--requested-by WHO] [--dry-run] [--json]`: erases a customer's
// personal data and says what was erased, cancelled and kept (local/identity/erasure.hpp;
// docs/identity.md, docs/cli.md). Forgetting again says when it was done.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "local/core/timestamp.hpp"
#include "local/identity/customer_ref.hpp"
#include "local/identity/erasure.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

std::string list_text(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + (i == "email" ? std::string("e-mail")
                                        : i == "cpf" ? std::string("CPF")
                                                     : i);
  return out.empty() ? "no details (none were on file)" : out;
}

ordered_json outcome_json(const ErasureOutcome& o) {
  const auto& e = o.erasure;
  const auto& c = e.counts;
  return {
      {"erasure", e.key},
      {"customer", e.customer_id},
      {"pos_ids", e.pos_ids},
      {"requested_by", requester_name(e.requested_by)},
      {"erased_at", format_utc(e.erased_at)},
      {"already", o.already},
      {"written", o.written},
      {"erased",
       {{"fields", c.fields},
        {"consents", c.consents},
        {"other_pos_ids", c.other_pos_ids},
        {"merge_records", c.merge_records},
        {"messages", c.messages},
        {"tasks", c.tasks},
        {"decisions", c.decisions},
        {"quarantined_lines", c.quarantined_lines}}},
      {"cancelled",
       {{"jobs", c.jobs_cancelled}, {"tasks", c.tasks_cancelled}, {"messages_not_sent", c.messages_stopped}}},
      {"kept", {{"sales", c.sales_kept}}},
      {"seen_again", e.seen_again},
      {"seen_again_at",
       e.seen_again_at ? ordered_json(format_utc(*e.seen_again_at)) : ordered_json(nullptr)}};
}

std::string requested_text(ErasureRequester who) {
  switch (who) {
    case ErasureRequester::customer:
      return "at the customer's request";
    case ErasureRequester::store:
      return "at the store's request";
    case ErasureRequester::authority:
      return "at an authority's request";
  }
  return "";
}

void print_erasure(const std::string& ref, const ErasureOutcome& o, const StoreZone& zone) {
  const auto& e = o.erasure;
  const auto& c = e.counts;
  if (o.already) {
    fmt::print("Customer {} was already forgotten on {} (erasure {}): nothing left to erase.\n", ref,
               zone.readable(e.erased_at), e.key);
  } else {
    fmt::print("{} customer {} (#{}), {}: erasure {}.\n", o.written ? "Forgot" : "Would forget", ref,
               e.customer_id, requested_text(e.requested_by), e.key);
    fmt::print("  erased: {}; {} consent answer(s), {} other POS id(s), {} merge record(s)\n",
               list_text(c.fields), c.consents, c.other_pos_ids, c.merge_records);
    fmt::print(
        "  erased in what Régua wrote: {} message(s), {} task(s), {} decision(s); {} quarantined line(s)\n",
        c.messages, c.tasks, c.decisions, c.quarantined_lines);
    fmt::print(
        "  cancelled: {} planned rule action(s), {} open task(s); {} message(s) not yet sent stopped\n",
        c.jobs_cancelled, c.tasks_cancelled, c.messages_stopped);
    fmt::print("  kept without a person: {} sale(s) and their items (fiscal records, the store's figures)\n",
               c.sales_kept);
  }
  std::string ids;
  for (const auto& p : e.pos_ids)
    ids += (ids.empty() ? "" : ", ") + p;
  if (e.seen_again > 0) {
    fmt::print(
        "The POS has sent {} {} time(s) since (last on {}): each time a new record started. Delete the "
        "customer in the POS too.\n",
        ids, e.seen_again, zone.readable(*e.seen_again_at));
  } else if (!o.already && !e.pos_ids.empty()) {
    fmt::print(
        "Delete the customer in the POS too: news with {} would start a new record "
        "(docs/identity.md#forgetting-a-customer).\n",
        ids);
  }
  if (!o.written && !o.already)
    fmt::print("Dry run: nothing was written. Run again without --dry-run to erase.\n");
}

}  // namespace

int customers_forget_command(const AgentConfig& config, const CustomersOptions& options) {
  const TzStoreZone zone(*config.store.zone);
  const std::string& ref = options.refs.at(0);
  const auto requested_by = requester_from_name(options.requested_by);
  if (!requested_by) {
    return report_error(
        make_error(ErrorKind::usage, "--requested-by \"" + options.requested_by +
                                         "\" is not allowed (allowed: customer, store, authority)"));
  }
  SystemClock clock;
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();

  auto found = find_customer_ref(db, ref);
  if (!found) return report_error(found.error());
  Result<ErasureOutcome> outcome = make_error(ErrorKind::internal, "not run");
  if (*found) {
    outcome = forget_customer(*ledger, ErasureRequest{(*found)->id, *requested_by, options.dry_run});
  } else {
    // A POS id that no longer names anyone: forgotten before, or never known.
    auto before = erasure_of_pos_id(db, ref.starts_with("pos:") ? std::string_view(ref).substr(4) : ref);
    if (!before) return report_error(before.error());
    if (!*before) {
      return report_error(
          make_error(ErrorKind::usage, "no customer \"" + ref +
                                           "\" in the ledger: give the POS's customer id (as in "
                                           "its sales), or #N for the ledger's number; nothing was "
                                           "erased"));
    }
    outcome = ErasureOutcome{std::move(**before), true, false};
  }
  if (!outcome) return report_error(outcome.error());
  if (options.json) {
    fmt::print("{}\n", outcome_json(*outcome).dump(2, ' ', false, ordered_json::error_handler_t::replace));
  } else {
    print_erasure(ref, *outcome, zone);
  }
  return kExitOk;
}

}  // namespace regua
