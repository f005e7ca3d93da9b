#include "cloud/api/api_json.hpp"

namespace regua::hub {
namespace {

using nlohmann::json;

template <typename T>
json api_json_or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json kpi_period_json(const NetworkKpiPeriod& p) {
  return {{"label", p.label},
          {"from", day_text(p.first_day)},
          {"to", day_text(p.last_day)},
          {"days_reported", p.days_reported},
          {"orders", p.orders},
          {"revenue_cents", p.revenue},
          {"average_ticket_cents", api_json_or_null(p.average_ticket)},
          {"cancellations", p.cancellations},
          {"new_customers", p.new_customers},
          {"buyer_days", p.buyer_days},
          {"customers_at_start", p.customers_at_start},
          {"customers_at_end", p.customers_at_end},
          {"retained_customers", p.retained_customers},
          {"lost_customers", p.lost_customers},
          {"customers_total", p.customers_total},
          {"retention_rate", api_json_or_null(p.retention_rate)},
          {"churn_rate", api_json_or_null(p.churn_rate)},
          {"active_base_share", api_json_or_null(p.active_base_share)}};
}

json group_kpis_json(const GroupKpis& g) {
  json periods = json::array();
  for (const auto& p : g.periods)
    periods.push_back(kpi_period_json(p));
  return {
      {"group", g.group}, {"stores", g.stores}, {"total", kpi_period_json(g.total)}, {"periods", periods}};
}

json group_matrix_json(const GroupMatrix& g) {
  json cells = json::object();
  for (int i = 0; i < kCells; ++i)
    cells[std::string(cell_code(Cell::from_index(i)))] = g.counts.cells[static_cast<std::size_t>(i)];
  const double share = g.counts.customers == 0 ? 0.0 : round2(g.counts.active_share());
  return {{"group", g.group},
          {"stores", g.stores},
          {"day", day_text(g.counts.day)},
          {"customers", g.counts.customers},
          {"active", g.counts.active},
          {"active_share", share},
          {"healthy", g.counts.customers > 0 && share >= kHealthyActiveShare},
          {"cells", cells}};
}

json backlog_json(const TaskBacklog& b) {
  return {{"store", b.store},
          {"open", b.open},
          {"overdue", b.overdue},
          {"oldest_due_at", api_json_or_null(b.oldest_due_at)}};
}

json ranking_json(const StoreRanking& r) {
  return {{"rank", r.rank == 0 ? json(nullptr) : json(r.rank)},
          {"store", r.store},
          {"retention_rate", api_json_or_null(r.kpis.retention_rate)},
          {"active_base_share", api_json_or_null(r.kpis.active_base_share)},
          {"customers_at_end", r.kpis.customers_at_end},
          {"new_customers", r.kpis.new_customers},
          {"revenue_cents", r.kpis.revenue},
          {"open_tasks", r.tasks.open},
          {"overdue_tasks", r.tasks.overdue}};
}

json cross_store_json(const CrossStoreReport& report, bool with_people) {
  json stores = json::array();
  std::vector<std::string> unrecognised;
  for (const auto& s : report.stores) {
    const bool recognised = s.policy == "hashed" || s.policy == "full";
    stores.push_back(
        {{"store", s.store}, {"policy", s.policy}, {"customers", s.customers}, {"recognised", recognised}});
    if (!recognised && s.customers > 0) unrecognised.push_back(s.store);
  }
  json out{{"stores", stores},
           {"customer_records", report.customer_records},
           {"unique_customers", report.unique_customers},
           {"shared_customers", report.shared_customers},
           {"revenue_cents", report.revenue},
           {"identified_revenue_cents", report.identified_revenue},
           {"shared_revenue_cents", report.shared_revenue},
           {"shared_revenue_share", api_json_or_null(report.shared_revenue_share)},
           {"not_recognised", unrecognised}};
  if (!unrecognised.empty()) {
    out["note"] =
        "stores under the PII policy \"none\" send nothing to recognise a customer by: their customers count "
        "as their own ([sync] pii = \"hashed\" with the network's pii_key recognises them)";
  }
  if (with_people) {
    json people = json::array();
    for (const auto& p : report.shared) {
      json members = json::array();
      for (const auto& m : p.members) {
        members.push_back({{"store", m.store},
                           {"customer", m.customer},
                           {"purchases", m.purchases},
                           {"revenue_cents", m.revenue}});
      }
      people.push_back({{"matched_by", p.matched_by},
                        {"stores", p.stores},
                        {"purchases", p.purchases},
                        {"revenue_cents", p.revenue},
                        {"members", members}});
    }
    out["customers"] = people;
  }
  return out;
}

}  // namespace regua::hub
