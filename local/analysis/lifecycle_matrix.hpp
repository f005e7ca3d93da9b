#pragma once
// The 9-cell lifecycle matrix of seed 003: customers by number of purchases (three buckets) and by
// days since their last purchase (three buckets), with a name per cell in the store's language and
// a stable code per cell that rules, the ledger and machine-readable output use. docs/segments.md
// says what each cell means and what to do about it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/predict/summaries.hpp"  // LocalDay: local/ has no time-zone library, the agent builds it

namespace regua {

// Bucket limits, per store ([segments] in the configuration). Purchases 1..new_max are the "new"
// row, up to promising_max the "promising" row, above it "loyal"; days since the last purchase
// 0..active_max_days are the "active" column, up to slipping_max_days "slipping", above "inactive".
struct LifecycleThresholds {
  int new_max_purchases = 1;
  int promising_max_purchases = 3;
  int active_max_days = 30;
  int slipping_max_days = 90;

  friend bool operator==(const LifecycleThresholds&, const LifecycleThresholds&) = default;
};

// Refuses limits that do not make three non-empty buckets; the message names the key to fix.
Status check_thresholds(const LifecycleThresholds& t);

// "1/3/30/90": how the ledger remembers which limits its recorded cells were computed with.
std::string thresholds_key(const LifecycleThresholds& t);

enum class Language { pt_br, en };
std::optional<Language> language_from_name(std::string_view name);  // "pt-BR", "en"
std::string_view language_name(Language language);

enum class Frequency { new_, promising, loyal };
enum class Recency { active, slipping, inactive };

// A cell: index = 3 * frequency + recency, 0..8.
struct Cell {
  Frequency frequency = Frequency::new_;
  Recency recency = Recency::active;

  [[nodiscard]] int index() const { return 3 * static_cast<int>(frequency) + static_cast<int>(recency); }
  static Cell from_index(int index);
  friend bool operator==(const Cell&, const Cell&) = default;
};

inline constexpr int kCells = 9;

// Stable codes ("new_active", "loyal_slipping", ...): never translated, never renamed.
std::string_view cell_code(Cell cell);
std::optional<Cell> cell_from_code(std::string_view code);
// What people read in the store's language ("Novos ativos", "Loyal slipping").
std::string_view cell_name(Cell cell, Language language);
// One line: who is in it and what to do about them.
std::string_view cell_advice(Cell cell, Language language);
// A code, or a name in either language (ASCII letters compared without case).
std::optional<Cell> cell_from_text(std::string_view text);

Frequency frequency_of(std::int64_t purchases, const LifecycleThresholds& t);
Recency recency_of(std::int64_t days_since_last, const LifecycleThresholds& t);
// The cell of a customer with `purchases` (at least 1) whose last purchase was `days_since_last`
// store-local calendar days ago (a purchase dated after `today` counts as today).
Cell cell_of(std::int64_t purchases, std::int64_t days_since_last, const LifecycleThresholds& t);

// Active customers: those in the "active" or "slipping" columns, i.e. whose last purchase was at
// most slipping_max_days ago; the rest of the matrix is the inactive column.
bool is_active(Recency r);

// Thresholds, time zone and language: what everything in local/analysis needs from the store.
struct SegmentPolicy {
  LifecycleThresholds thresholds;
  LocalDay local_day;
  Language language = Language::pt_br;
};

}  // namespace regua
