#include "cloud/network/network_data.hpp"

#include <nlohmann/json.hpp>

namespace regua::hub {
namespace {

std::optional<KpiDayFigures> kpi_day_of(const StoredRecord& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("day") || !j["day"].is_string()) return std::nullopt;
  auto day = day_from_text(j["day"].get<std::string>());
  if (!day) return std::nullopt;
  KpiDayFigures d;
  d.day = *day;
  for (auto [name, field] :
       {std::pair{"sales", &d.sales}, std::pair{"revenue_cents", &d.revenue_cents},
        std::pair{"customers", &d.customers}, std::pair{"new_customers", &d.new_customers},
        std::pair{"cancellations", &d.cancellations}}) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    *field = it->get<std::int64_t>();
  }
  return d;
}

std::optional<SegmentChange> segment_of(const StoredRecord& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto customer = j.find("customer");
  auto day = j.find("day");
  auto cell = j.find("cell");
  if (customer == j.end() || !customer->is_number_integer() || day == j.end() || !day->is_string() ||
      cell == j.end() || !(cell->is_null() || cell->is_string())) {
    return std::nullopt;
  }
  SegmentChange c;
  c.seq = r.seq;
  c.customer = customer->get<std::int64_t>();
  auto d = day_from_text(day->get<std::string>());
  if (!d) return std::nullopt;
  c.day = *d;
  if (cell->is_string()) {
    c.cell = cell_from_code(cell->get<std::string>());
    if (!c.cell) return std::nullopt;
  }
  return c;
}

}  // namespace

Result<LoadedFigures> load_store_figures(HubStore& hub, const std::vector<StoreHealth>& stores) {
  LoadedFigures out;
  for (const auto& s : stores) {
    StoreFigures f{s.store, s.region, s.format, {}, {}};
    auto days = hub.entities(s.store, "kpi_day");
    if (!days) return days.error();
    for (const auto& r : *days) {
      if (auto d = kpi_day_of(r)) {
        f.days.push_back(*d);
      } else {
        ++out.unreadable;
      }
    }
    auto segments = hub.entities(s.store, "segment");
    if (!segments) return segments.error();
    for (const auto& r : *segments) {
      if (auto c = segment_of(r)) {
        f.segments.push_back(*c);
      } else {
        ++out.unreadable;
      }
    }
    out.stores.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<CrossStoreInput>> load_cross_store_input(HubStore& hub,
                                                            const std::vector<StoreHealth>& stores) {
  std::vector<CrossStoreInput> out;
  for (const auto& s : stores) {
    auto customers = hub.entities(s.store, "customer");
    if (!customers) return customers.error();
    auto sales = hub.entities(s.store, "sale");
    if (!sales) return sales.error();
    out.push_back(CrossStoreInput{s.store, std::move(*customers), std::move(*sales)});
  }
  return out;
}

}  // namespace regua::hub
