// `regua-agent customers consent ID [--channel C --grant|--deny] [--json]`: a customer's consent per
// channel and what it allows under the store's [consent] policy; with --grant or --deny, the answer
// the customer gave to staff, recorded as the newest (docs/cli.md). The HTTP API does the same for
// the web app (agent/http/consents_route.cpp).

#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/identity/consent_json.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "local/identity/erasure.hpp"
#include "local/ledger/durable_commits.hpp"

namespace regua {
namespace {

// The customer `ref` names, or the error to print: unknown, or forgotten (nothing is kept).
Result<CustomerRef> named_customer(sqlite::Db& db, const std::string& ref, const StoreZone& zone) {
  auto found = find_customer_ref(db, ref);
  if (!found) return found.error();
  std::optional<Erasure> erased;
  if (*found && (*found)->erased) {
    auto e = erasure_of_customer(db, (*found)->id);
    if (!e) return e.error();
    erased = std::move(*e);
  } else if (!*found) {
    auto e = erasure_of_pos_id(db, ref.starts_with("pos:") ? std::string_view(ref).substr(4) : ref);
    if (!e) return e.error();
    erased = std::move(*e);
  }
  if (erased) {
    return make_error(ErrorKind::usage, "customer " + ref + " was forgotten on " +
                                            zone.readable(erased->erased_at) + " (erasure " + erased->key +
                                            "): nothing is kept about them, consent included");
  }
  if (!*found) {
    return make_error(ErrorKind::usage, "no customer \"" + ref +
                                            "\" in the ledger: give the POS's customer id (as in its sales), "
                                            "or #N for the ledger's number");
  }
  return std::move(**found);
}

std::string what_it_allows(const ChannelConsent& c) {
  if (c.answer) return c.answer->granted ? "messages allowed" : "nothing is sent, tasks included";
  return c.rule == ConsentRule::opt_out ? "messages allowed unless refused ([consent] opt_out)"
                                        : "no automatic messages until granted ([consent] opt_in)";
}

void print_consents(const CustomerRef& customer, const std::vector<ChannelConsent>& consents,
                    const StoreZone& zone) {
  fmt::print("{}: consent per channel (docs/rules.md#consent)\n", describe_customer(customer));
  for (const auto& c : consents) {
    const std::string state = !c.answer ? "never answered" : c.answer->granted ? "granted" : "refused";
    const std::string given =
        c.answer ? fmt::format("{}, {}", c.answer->source, zone.readable(c.answer->at)) : std::string("-");
    fmt::print("  {:<9} {:<15} {:<34} {}\n", channel_name(c.channel), state, given, what_it_allows(c));
  }
}

}  // namespace

int customers_consent_command(const AgentConfig& config, const CustomersOptions& options) {
  const TzStoreZone zone(*config.store.zone);
  const std::string& ref = options.refs.at(0);
  const bool set = options.grant || options.deny;
  std::optional<Channel> channel;
  if (options.channel) {
    channel = channel_from_name(*options.channel);
    if (!channel) {
      return report_error(make_error(
          ErrorKind::usage,
          "--channel \"" + *options.channel + "\" is not a channel (allowed: sms, whatsapp, email)"));
    }
    if (!set) {
      return report_error(
          make_error(ErrorKind::usage, "--channel needs --grant or --deny: what did the customer say?"));
    }
  }
  SystemClock clock;
  auto ledger = set ? open_ledger_for_writing(config, clock) : open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();

  std::optional<bool> changed;
  auto customer = [&]() -> Result<CustomerRef> {
    if (!set) return named_customer(db, ref, zone);
    // An answer someone may act on at once: it must survive a power cut.
    const DurableCommits durable(*ledger);
    if (!durable.status()) return durable.status().error();
    auto txn = sqlite::Transaction::begin(db);
    if (!txn) return txn.error();
    auto c = named_customer(db, ref, zone);
    if (!c) return c.error();
    auto recorded = record_consent_now(db, c->id, *channel, options.grant, "cli", clock.now());
    if (!recorded) return recorded.error();
    if (auto s = txn->commit(); !s) return s.error();
    changed = *recorded;
    return c;
  }();
  if (!customer) return report_error(customer.error());
  auto consents = consent_overview(db, customer->id, config.consent);
  if (!consents) return report_error(consents.error());

  if (options.json) {
    auto j = consent_json(*customer, *consents);
    if (changed) j["changed"] = *changed;
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return kExitOk;
  }
  if (changed) {
    const std::string answer = options.grant ? "granted" : "refused";
    if (*changed) {
      fmt::print("Recorded: {} {} (source cli); it holds from now, also for actions already planned.\n",
                 channel_name(*channel), answer);
    } else {
      fmt::print("Unchanged: {} was already {}.\n", channel_name(*channel), answer);
    }
  }
  print_consents(*customer, *consents, zone);
  return kExitOk;
}

}  // namespace regua
