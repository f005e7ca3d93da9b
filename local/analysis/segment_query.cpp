#include "local/analysis/segment_query.hpp"

#include "local/analysis/filter_parser.hpp"
#include "local/analysis/rfm.hpp"
#include "local/analysis/segment_events.hpp"
#include "local/analysis/sql_local_day.hpp"

namespace regua {

Result<CompiledFilter> compile_segment(sqlite::Db& db, std::string_view filter, const SegmentPolicy& policy,
                                       std::int64_t today, const RfmCutpoints* rfm) {
  auto root = parse_filter(filter);
  if (!root) return root.error();
  FilterContext context;
  context.today = today;
  context.thresholds = policy.thresholds;
  if (rfm != nullptr) {
    context.rfm = *rfm;
  } else if (filter_uses(*root, kRfmFields)) {
    auto computed = compute_rfm(db, policy, today);
    if (!computed) return computed.error();
    context.rfm = computed->cutpoints;
  }
  return compile_filter(*root, context);
}

Result<std::int64_t> count_segment(sqlite::Db& db, const CompiledFilter& filter,
                                   const SegmentPolicy& policy) {
  auto local_day = SqlLocalDay::install(db, policy.local_day);
  if (!local_day) return local_day.error();
  auto stmt = db.prepare("SELECT count(*) " + filter_from_clause(filter) + " WHERE " + filter.where);
  if (!stmt) return stmt.error().within("counting a segment");
  bind_params(*stmt, filter.params);
  auto row = stmt->step();
  if (!row) return row.error().within("counting a segment");
  const auto n = stmt->int64(0);
  stmt->reset();
  return n;
}

Status for_each_in_segment(sqlite::Db& db, const CompiledFilter& filter, const SegmentPolicy& policy,
                           std::int64_t today, const std::function<Status(const SegmentMember&)>& each) {
  auto local_day = SqlLocalDay::install(db, policy.local_day);
  if (!local_day) return local_day.error();
  const std::string consent = "(SELECT granted FROM consents WHERE customer_id = c.id AND channel = ";
  auto stmt = db.prepare(
      "SELECT c.id, c.pos_id, c.name, CASE WHEN c.phone_kind = 'mobile' THEN c.phone_e164 END, "
      "CASE WHEN c.email_valid = 1 THEN c.email END, coalesce(s.purchases, 0), s.last_at, "
      "coalesce(s.total_cents, 0), " +
      consent + "'sms'), " + consent + "'whatsapp'), " + consent + "'email') " + filter_from_clause(filter) +
      " WHERE (" + filter.where + ") AND c.erased_at IS NULL ORDER BY coalesce(s.total_cents, 0) DESC, c.id");
  if (!stmt) return stmt.error().within("listing a segment");
  bind_params(*stmt, filter.params);
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("listing a segment");
    if (!*row) return {};
    SegmentMember m;
    m.id = stmt->int64(0);
    m.pos_id = stmt->optional_text(1);
    m.name = stmt->optional_text(2);
    m.mobile = stmt->optional_text(3);
    m.email = stmt->optional_text(4);
    m.purchases = stmt->int64(5);
    if (!stmt->is_null(6)) {
      m.last_at = stmt->int64(6);
      m.last_day = policy.local_day(Seconds{std::chrono::seconds{*m.last_at}});
    }
    m.total = stmt->int64(7);
    m.sms = stmt->optional_flag(8);
    m.whatsapp = stmt->optional_flag(9);
    m.email_consent = stmt->optional_flag(10);
    m.cell = current_cell(m.purchases, m.last_at, today, policy);
    if (auto s = each(m); !s) {
      stmt->reset();
      return s;
    }
  }
}

}  // namespace regua
