#include "agent/http/web_customers.hpp"

#include <algorithm>

#include "agent/cli/decision_format.hpp"
#include "agent/identity/consent_json.hpp"
#include "agent/identity/customer_json.hpp"
#include "local/analysis/customer_timeline.hpp"
#include "local/analysis/lifecycle_matrix.hpp"
#include "local/identity/customer_book.hpp"
#include "local/identity/customer_ref.hpp"
#include "local/identity/customer_search.hpp"
#include "local/identity/erasure.hpp"
#include "local/ledger/durable_commits.hpp"
#include "local/scheduler/decisions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

// A page shows the newest of a long history; `why` prints all of it.
constexpr std::int64_t kTimelineEntries = 200;
constexpr std::int64_t kSearchResults = 50;

std::string_view search_kind_name(CustomerSearchKind kind) {
  switch (kind) {
    case CustomerSearchKind::cpf:
      return "cpf";
    case CustomerSearchKind::phone:
      return "phone";
    case CustomerSearchKind::name:
      return "name";
  }
  return "name";
}

Result<std::optional<Seconds>> customer_erased_at(sqlite::Db& db, std::int64_t id) {
  auto stmt = db.prepare("SELECT erased_at FROM customers WHERE id = ?1 AND erased_at IS NOT NULL");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Seconds>();
  return std::optional<Seconds>(from_unix(stmt->int64(0)));
}

// A cell's name in a language (the page shows the one it speaks); null for none.
ordered_json timeline_cell_names(std::string_view code, Language language) {
  const auto cell = cell_from_code(code);
  return cell ? ordered_json(cell_name(*cell, language)) : ordered_json(nullptr);
}

ordered_json timeline_entry_json(const TimelineEntry& e, const StoreZone& zone) {
  ordered_json j{{"at", zone.iso(e.at)}, {"kind", timeline_kind_name(e.kind)}};
  switch (e.kind) {
    case TimelineKind::sale:
    case TimelineKind::cancellation:
      j["sale"] = e.name;
      j["total_cents"] = e.cents.value_or(0);
      break;
    case TimelineKind::message:
    case TimelineKind::task:
      j["rule"] = e.name;
      j["state"] = e.state;
      j["channel"] = e.channel;
      j["text"] = e.text;
      j[e.kind == TimelineKind::task ? "outcome" : "error"] =
          e.detail ? ordered_json(*e.detail) : ordered_json(nullptr);
      break;
    case TimelineKind::segment:
      j["cell"] = e.name.empty() ? ordered_json(nullptr) : ordered_json(e.name);
      j["previous_cell"] = e.state.empty() ? ordered_json(nullptr) : ordered_json(e.state);
      j["names"] = {{"pt-BR", timeline_cell_names(e.name, Language::pt_br)},
                    {"en", timeline_cell_names(e.name, Language::en)}};
      j["previous_names"] = {{"pt-BR", timeline_cell_names(e.state, Language::pt_br)},
                             {"en", timeline_cell_names(e.state, Language::en)}};
      break;
  }
  return j;
}

Result<ordered_json> customer_timeline_json(sqlite::Db& db, std::int64_t id, const StoreZone& zone) {
  auto rows = customer_timeline(db, id, kTimelineEntries);
  if (!rows) return rows.error();
  std::vector<std::pair<Seconds, ordered_json>> entries;
  for (const auto& e : *rows)
    entries.emplace_back(e.at, timeline_entry_json(e, zone));
  auto s = for_each_decision(db, id, [&](const DecisionView& d) -> Status {
    auto j = decision_json(d, zone);
    j.erase("customer");
    ordered_json entry{{"kind", "decision"}};
    entry.update(j);
    entries.emplace_back(d.at, std::move(entry));
    return {};
  });
  if (!s) return s.error();
  // Newest first; a decision and the message it fired share a second: keep the order written.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (static_cast<std::int64_t>(entries.size()) > kTimelineEntries) entries.resize(kTimelineEntries);
  ordered_json out = ordered_json::array();
  for (auto& [at, j] : entries)
    out.push_back(std::move(j));
  return out;
}

Error customer_forgotten_error(std::int64_t id, std::string_view what) {
  return make_error(ErrorKind::input, "customer #" + std::to_string(id) +
                                          " was forgotten: nothing is kept about them, so " +
                                          std::string(what));
}

}  // namespace

Result<ordered_json> customer_search_json(sqlite::Db& db, std::string_view query,
                                          const PhoneNormaliser& phones) {
  auto found = search_customers(db, query, phones, kSearchResults);
  if (!found) return found.error();
  auto overviews = customer_overviews(db, found->ids);
  if (!overviews) return overviews.error();
  ordered_json list = ordered_json::array();
  for (const auto& o : *overviews) {
    auto j = customer_overview_json(o);
    auto erased = customer_erased_at(db, o.record.id);
    if (!erased) return erased.error();
    j["erased"] = erased->has_value();
    list.push_back(std::move(j));
  }
  return ordered_json{{"query", query},
                      {"kind", search_kind_name(found->kind)},
                      {"customers", std::move(list)},
                      {"more", found->more}};
}

Result<ordered_json> customer_page_json(sqlite::Db& db, std::int64_t customer_id, const StoreZone& zone,
                                        const ConsentPolicy& policy) {
  auto overviews = customer_overviews(db, {customer_id});
  if (!overviews) return overviews.error();
  auto erased = customer_erased_at(db, customer_id);
  if (!erased) return erased.error();
  auto customer = customer_overview_json(overviews->front());
  customer["erased"] = erased->has_value();
  customer["erased_at"] = *erased ? ordered_json(zone.iso(**erased)) : ordered_json(nullptr);
  ordered_json consents = ordered_json::array();
  if (!*erased) {
    auto overview = consent_overview(db, customer_id, policy);
    if (!overview) return overview.error();
    consents = consent_json(CustomerRef{customer_id, {}, {}, false}, *overview)["consents"];
  }
  auto timeline = customer_timeline_json(db, customer_id, zone);
  if (!timeline) return timeline.error();
  return ordered_json{{"customer", std::move(customer)},
                      {"consents", std::move(consents)},
                      {"timeline", std::move(*timeline)}};
}

Result<ordered_json> set_customer_consents_json(Ledger& ledger, std::int64_t customer_id,
                                                const std::vector<std::pair<Channel, bool>>& answers,
                                                std::string_view source, Seconds now,
                                                const ConsentPolicy& policy) {
  auto& db = ledger.db();
  // An answer someone may act on at once (an opt-out above all): it must survive a power cut.
  const DurableCommits durable(ledger);
  if (!durable.status()) return durable.status().error();
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto known = customer_overviews(db, {customer_id});
  if (!known) return known.error();
  auto erased = customer_erased_at(db, customer_id);
  if (!erased) return erased.error();
  if (*erased) return customer_forgotten_error(customer_id, "no consent can be recorded");
  ordered_json changed = ordered_json::object();
  for (const auto& [channel, granted] : answers) {
    auto recorded = record_consent_now(db, customer_id, channel, granted, source, now);
    if (!recorded) return recorded.error();
    changed[std::string(channel_name(channel))] = *recorded;
  }
  if (auto s = txn->commit(); !s) return s.error();
  auto overview = consent_overview(db, customer_id, policy);
  if (!overview) return overview.error();
  return ordered_json{
      {"changed", std::move(changed)},
      {"consents", consent_json(CustomerRef{customer_id, {}, {}, false}, *overview)["consents"]}};
}

Result<ordered_json> customer_duplicates_json(sqlite::Db& db) {
  auto report = find_duplicates(db);
  if (!report) return report.error();
  return duplicates_json(*report);
}

Result<ordered_json> merge_customers_json(Ledger& ledger, std::int64_t keep,
                                          const std::vector<std::int64_t>& others, bool dry_run,
                                          const PhoneNormaliser& phones) {
  if (auto s = normalise_stored_customers(ledger.db(), phones); !s) return s.error();
  std::vector<std::int64_t> all{keep};
  all.insert(all.end(), others.begin(), others.end());
  for (const auto id : all) {
    auto erased = customer_erased_at(ledger.db(), id);
    if (!erased) return erased.error();
    if (*erased) return customer_forgotten_error(id, "it is never merged");
  }
  MergeRequest request;
  request.keep = keep;
  request.others = others;
  request.dry_run = dry_run;
  auto outcome = merge_customers(ledger, request);
  if (!outcome) return outcome.error();
  return merge_outcome_json(*outcome);
}

}  // namespace regua
