#pragma once
// Each customer's purchase history reduced to what the BG/NBD and Gamma-Gamma models read, as of a
// store-local date: x (repeat purchase occasions), t_x (age at the last one), T (age at the as-of
// date) and the average value of the repeat occasions.
//
// Time is counted in whole days of the store's calendar: all purchases of one customer on one local
// day are one purchase occasion (worth their sum), t_x = last day - first day and T = as-of day -
// first day, divided by 7 for weeks. This is how Fader, Hardie & Lee count the CDNOW data (a
// customer whose first purchase is on 1997-01-01 has T = 272/7 = 38.86 weeks on 1997-09-30).
//
// local/ has no time-zone library, so the caller says which local day an instant falls on
// (`LocalDay`, built by the agent from the store's IANA zone). A fixed UTC offset would misplace
// sales near midnight whenever daylight saving time is in force.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

// Days since 1970-01-01 of the store-local calendar date on which a UTC instant falls.
using LocalDay = std::function<std::int64_t(Seconds)>;

enum class TimeUnit { day, week };

std::string_view time_unit_name(TimeUnit unit);  // "day", "week"
double days_per_unit(TimeUnit unit);             // 1, 7

struct Purchase {
  std::int64_t customer_id = 0;
  std::int64_t local_day = 0;
  Cents total = 0;
};

struct CustomerSummary {
  std::int64_t customer_id = 0;
  std::int64_t first_day = 0;  // local days since 1970-01-01
  std::int64_t last_day = 0;
  std::int64_t occasions = 0;  // purchase days, the first one included (x + 1)
  double x = 0;                // repeat purchase occasions
  double t_x = 0;              // in the time unit
  double T = 0;                // in the time unit
  Cents repeat_spend = 0;      // total of the repeat occasions (the first day excluded)

  // Average value of a repeat occasion, in currency units (the Gamma-Gamma model's m); 0 when x = 0.
  [[nodiscard]] double average_repeat_value() const {
    return x > 0 ? static_cast<double>(repeat_spend) / 100.0 / x : 0.0;
  }
};

// Summaries of the purchases made up to and including `as_of_day`, one per customer, in the order of
// customer id. Purchases after `as_of_day` are ignored; the purchases may come in any order.
std::vector<CustomerSummary> summarise(std::vector<Purchase> purchases, std::int64_t as_of_day,
                                       TimeUnit unit);

// Reads the ledger's sales into summaries: only sales with a customer (anonymous sales are nobody's
// history) and not cancelled (a cancelled sale never happened, whenever it was cancelled), sold on or
// before the store-local date `as_of_day`.
Result<std::vector<CustomerSummary>> load_customer_summaries(sqlite::Db& db, std::int64_t as_of_day,
                                                             const LocalDay& local_day, TimeUnit unit);

}  // namespace regua
