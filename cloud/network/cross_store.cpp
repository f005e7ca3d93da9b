#include "cloud/network/cross_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "local/analysis/kpis.hpp"
#include "local/identity/cpf.hpp"

namespace regua::hub {
namespace {

struct CustomerNode {
  std::size_t store = 0;
  std::int64_t customer = 0;
  std::int64_t purchases = 0;
  Cents revenue = 0;
};

// Union-find over the customer records.
class PersonSets {
 public:
  std::size_t add() {
    parent_.push_back(parent_.size());
    return parent_.size() - 1;
  }
  std::size_t root(std::size_t i) {
    while (parent_[i] != i)
      i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) { parent_[root(a)] = root(b); }

 private:
  std::vector<std::size_t> parent_;
};

std::optional<std::string> customer_string_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return std::nullopt;
  return it->get<std::string>();
}

// "+55 11 99999-0000" -> "5511999990000"; only an E.164 number (the store's parsed mobile) counts.
std::optional<std::string> e164_digits(const std::string& phone) {
  if (phone.empty() || phone.front() != '+') return std::nullopt;
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits.size() >= 8 ? std::optional(digits) : std::nullopt;
}

struct CustomerIdentity {
  std::string policy;                                     // hashed, full, none
  std::vector<std::pair<std::string, std::string>> keys;  // (kind "cpf"/"mobile", namespaced value)
};

CustomerIdentity identity_of(const nlohmann::json& c) {
  CustomerIdentity id;
  if (c.contains("cpf_hash") || c.contains("mobile_hash") || c.contains("pos_id_hash")) {
    id.policy = "hashed";
    if (auto v = customer_string_field(c, "cpf_hash")) id.keys.emplace_back("cpf", "cpf#" + *v);
    if (auto v = customer_string_field(c, "mobile_hash")) id.keys.emplace_back("mobile", "mobile#" + *v);
  } else if (c.contains("cpf") || c.contains("phone") || c.contains("name")) {
    id.policy = "full";
    if (auto v = customer_string_field(c, "cpf")) {
      if (auto digits = valid_cpf(*v)) id.keys.emplace_back("cpf", "cpf=" + *digits);
    }
    if (auto v = customer_string_field(c, "phone")) {
      if (auto digits = e164_digits(*v)) id.keys.emplace_back("mobile", "mobile=" + *digits);
    }
  } else {
    id.policy = "none";
  }
  return id;
}

std::optional<std::int64_t> record_id_after(std::string_view key, std::string_view prefix) {
  if (key.rfind(prefix, 0) != 0) return std::nullopt;
  std::int64_t v = 0;
  for (char c : key.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

CrossStoreReport cross_store_customers(const std::vector<CrossStoreInput>& stores) {
  CrossStoreReport report;
  std::vector<CustomerNode> nodes;
  std::vector<std::set<std::string>> matched_by;
  PersonSets sets;
  std::map<std::string, std::size_t> first_with_key;
  std::map<std::pair<std::size_t, std::int64_t>, std::size_t> node_of;
  for (std::size_t s = 0; s < stores.size(); ++s) {
    StorePolicySeen seen{stores[s].store, "unknown", 0};
    std::map<std::string, std::int64_t> policies;
    for (const auto& r : stores[s].customers) {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (!body.is_object() || body.value("removed", false)) continue;
      auto customer = record_id_after(r.key, "customer:");
      if (!customer) continue;
      const auto identity = identity_of(body);
      ++policies[identity.policy];
      ++seen.customers;
      const auto node = sets.add();
      nodes.push_back(CustomerNode{s, *customer, 0, 0});
      matched_by.emplace_back();
      node_of[{s, *customer}] = node;
      for (const auto& [kind, key] : identity.keys) {
        auto [it, fresh] = first_with_key.emplace(key, node);
        if (!fresh) {
          sets.join(node, it->second);
          matched_by[node].insert(kind);
          matched_by[it->second].insert(kind);
        }
      }
    }
    // A store's policy is what its customer records show (the most of them, if it changed).
    std::int64_t most = 0;
    for (const auto& [policy, n] : policies) {
      if (n > most) {
        most = n;
        seen.policy = policy;
      }
    }
    report.stores.push_back(std::move(seen));
    for (const auto& r : stores[s].sales) {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (!body.is_object() || body.value("removed", false)) continue;
      if (auto c = body.find("cancelled_at"); c != body.end() && !c->is_null()) continue;
      const auto total = body.value("total_cents", std::int64_t{0});
      report.revenue += total;
      auto customer = body.find("customer");
      if (customer == body.end() || !customer->is_number_integer()) continue;
      report.identified_revenue += total;
      auto node = node_of.find({s, customer->get<std::int64_t>()});
      if (node == node_of.end()) continue;  // a customer record not (yet) at the hub
      nodes[node->second].purchases += 1;
      nodes[node->second].revenue += total;
    }
  }
  report.customer_records = static_cast<std::int64_t>(nodes.size());

  std::map<std::size_t, std::vector<std::size_t>> people;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    people[sets.root(i)].push_back(i);
  report.unique_customers = static_cast<std::int64_t>(people.size());
  for (const auto& [root, members] : people) {
    std::set<std::string> in_stores;
    for (auto i : members)
      in_stores.insert(stores[nodes[i].store].store);
    if (in_stores.size() < 2) continue;
    CrossStoreCustomer person;
    std::set<std::string> how;
    for (auto i : members) {
      const auto& n = nodes[i];
      person.members.push_back(CrossStoreMember{stores[n.store].store, n.customer, n.purchases, n.revenue});
      person.purchases += n.purchases;
      person.revenue += n.revenue;
      how.insert(matched_by[i].begin(), matched_by[i].end());
    }
    person.stores.assign(in_stores.begin(), in_stores.end());
    person.matched_by = how.size() == 2 ? "cpf+mobile" : (how.empty() ? "" : *how.begin());
    std::sort(person.members.begin(), person.members.end(), [](const auto& a, const auto& b) {
      return a.store != b.store ? a.store < b.store : a.customer < b.customer;
    });
    report.shared_revenue += person.revenue;
    report.shared.push_back(std::move(person));
  }
  report.shared_customers = static_cast<std::int64_t>(report.shared.size());
  if (report.revenue > 0) {
    report.shared_revenue_share =
        round2(100.0 * static_cast<double>(report.shared_revenue) / static_cast<double>(report.revenue));
  }
  std::stable_sort(report.shared.begin(), report.shared.end(),
                   [](const auto& a, const auto& b) { return a.revenue > b.revenue; });
  return report;
}

}  // namespace regua::hub
