#include "local/identity/duplicates.hpp"

#include <algorithm>
#include <map>

namespace regua {
namespace {

// Every (key, value, customer) whose value is on more than one record.
constexpr std::string_view kSharedValues = R"sql(
WITH keyed (key, value, id, cpf) AS (
  SELECT 'cpf', cpf, id, cpf FROM customers WHERE cpf_valid = 1
  UNION ALL
  SELECT 'mobile', phone_e164, id, CASE WHEN cpf_valid = 1 THEN cpf END FROM customers
   WHERE phone_kind = 'mobile'
  UNION ALL
  SELECT 'email', email, id, CASE WHEN cpf_valid = 1 THEN cpf END FROM customers WHERE email_valid = 1
), shared AS (
  SELECT key, value, count(*) AS records FROM keyed GROUP BY key, value HAVING count(*) > 1
)
SELECT k.key, k.value, s.records, k.id, k.cpf FROM keyed k JOIN shared s USING (key, value)
ORDER BY k.key, k.value, k.id)sql";

SharedKey key_from_name(std::string_view name) {
  if (name == "cpf") return SharedKey::cpf;
  if (name == "mobile") return SharedKey::mobile;
  return SharedKey::email;
}

struct Member {
  std::int64_t id;
  std::optional<std::string> cpf;
};

class UnionFind {
 public:
  std::int64_t find(std::int64_t x) {
    auto it = parent_.try_emplace(x, x).first;
    if (it->second == x) return x;
    const auto root = find(it->second);
    parent_[x] = root;
    return root;
  }
  void join(std::int64_t a, std::int64_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }
  [[nodiscard]] std::vector<std::int64_t> items() const {
    std::vector<std::int64_t> out;
    for (const auto& [k, v] : parent_)
      out.push_back(k);
    return out;
  }

 private:
  std::map<std::int64_t, std::int64_t> parent_;
};

}  // namespace

std::string_view shared_key_name(SharedKey key) {
  switch (key) {
    case SharedKey::cpf:
      return "cpf";
    case SharedKey::mobile:
      return "mobile";
    case SharedKey::email:
      return "email";
  }
  return "cpf";
}

Result<DuplicateReport> find_duplicates(sqlite::Db& db, bool with_members) {
  auto stmt = db.prepare(kSharedValues);
  if (!stmt) return stmt.error();
  // (key, value) -> its records and their valid CPFs
  std::vector<std::pair<SharedValue, std::vector<Member>>> values;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("finding duplicate customers");
    if (!*row) break;
    const SharedKey key = key_from_name(stmt->text(0));
    const std::string_view value = stmt->text(1);
    if (values.empty() || values.back().first.key != key || values.back().first.value != value) {
      values.push_back({SharedValue{key, std::string(value), stmt->int64(2)}, {}});
    }
    values.back().second.push_back(Member{stmt->int64(3), stmt->optional_text(4)});
  }

  DuplicateReport report;
  UnionFind sets;
  std::vector<std::size_t> used;  // indexes into `values` that linked records
  for (std::size_t v = 0; v < values.size(); ++v) {
    const auto& [shared, members] = values[v];
    if (shared.records >= kPlaceholderMinRecords && shared.key != SharedKey::cpf) {
      report.placeholders.push_back(shared);
      continue;
    }
    bool linked = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        const auto& a = members[i];
        const auto& b = members[j];
        if (shared.key != SharedKey::cpf && a.cpf && b.cpf && *a.cpf != *b.cpf) continue;
        sets.join(a.id, b.id);
        linked = true;
      }
    }
    if (linked) used.push_back(v);
  }

  std::map<std::int64_t, DuplicateGroup> by_root;
  std::map<std::int64_t, std::vector<std::int64_t>> ids_by_root;
  for (const auto id : sets.items())
    ids_by_root[sets.find(id)].push_back(id);
  for (auto& [root, ids] : ids_by_root) {
    std::sort(ids.begin(), ids.end());
    DuplicateGroup& g = by_root[root];
    if (with_members) {
      auto overviews = customer_overviews(db, ids);
      if (!overviews) return overviews.error();
      g.members = std::move(*overviews);
    } else {
      for (const auto id : ids) {
        CustomerOverview o;
        o.record.id = id;
        g.members.push_back(std::move(o));
      }
    }
  }
  // A value belongs to every group that holds two or more of its records (different valid CPFs can
  // split a value's records into several groups).
  for (const std::size_t v : used) {
    std::map<std::int64_t, int> per_root;
    for (const Member& m : values[v].second)
      ++per_root[sets.find(m.id)];
    for (const auto& [root, n] : per_root) {
      if (n >= 2) by_root[root].shared.push_back(values[v].first);
    }
  }
  for (auto& [root, group] : by_root)
    report.groups.push_back(std::move(group));
  return report;
}

Result<std::vector<CustomerOverview>> customer_overviews(sqlite::Db& db,
                                                         const std::vector<std::int64_t>& ids) {
  auto stmt =
      db.prepare("SELECT " + customer_columns("c") +
                 ", (SELECT count(*) FROM sales s WHERE s.customer_id = c.id AND s.cancelled_at IS NULL)"
                 ", (SELECT coalesce(sum(total_cents), 0) FROM sales s WHERE s.customer_id = c.id AND "
                 "s.cancelled_at IS NULL)"
                 ", (SELECT max(sold_at) FROM sales s WHERE s.customer_id = c.id AND s.cancelled_at IS NULL)"
                 " FROM customers c WHERE c.id = ?1");
  if (!stmt) return stmt.error();
  std::vector<CustomerOverview> out;
  for (const auto id : ids) {
    stmt->bind(1, id);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) {
      return make_error(ErrorKind::usage, "there is no customer " + std::to_string(id) +
                                              " in the ledger (`regua-agent customers duplicates` lists the "
                                              "numbers of customer records)");
    }
    CustomerOverview o;
    o.record = read_customer(*stmt);
    o.sales = stmt->int64(13);
    o.total_cents = stmt->int64(14);
    if (!stmt->is_null(15)) o.last_sale_at = stmt->int64(15);
    stmt->reset();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace regua
