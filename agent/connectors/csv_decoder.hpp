#pragma once
// Decodes a POS's CSV export: one row per sale, its columns mapped by [source.columns] (by header
// name or by position), its dialect set by [source.csv] (delimiter, quoting, encoding, decimal
// comma, date formats). docs/connectors.md describes the format and every reason a row is
// quarantined. With a header, the first line of every file (a new or rotated one too) is the header
// and says where the named columns are.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/connectors/csv_fields.hpp"
#include "agent/connectors/line_decoder.hpp"

namespace regua {

class CsvDecoder final : public LineDecoder {
 public:
  CsvDecoder(CsvOptions options, const StoreConfig& store);

  // A data row (a row equal to the header line is skipped, as exports joined together repeat it).
  Result<std::optional<Event>> decode(std::string_view line) override;
  // Line 1 of a file is its header when the dialect says there is one.
  Result<std::optional<Event>> decode_at(std::string_view line, std::int64_t number) override;

  // Learns where the named columns are from a header line. The error names the columns missing.
  Status learn_header(std::string_view line);
  // Learns the header from the first line of `file`, for a source resumed after that line. Does
  // nothing when the file cannot be read (its rows then say the header is unknown).
  void learn_header_from(const std::filesystem::path& file);

  // Longest line accepted; longer ones are quarantined.
  static constexpr std::size_t kMaxLineBytes = 1 << 20;

 private:
  Result<Event> decode_row();
  // The trimmed text of a mapped field, empty when the field is not mapped.
  Result<std::string_view> field(CsvField f) const;
  std::string describe(CsvField f) const;
  Error bad(CsvField f, std::string_view why) const;

  CsvOptions options_;
  const StoreConfig& store_;
  CsvFields fields_;
  std::string converted_;  // the row in UTF-8 when the file is not
  // 0-based position of each field's column; -1: not mapped (or the header is not known yet).
  std::array<int, kCsvFieldCount> positions_{};
  bool positions_known_ = false;
  std::string header_problem_;       // why the positions are not known
  std::vector<std::string> header_;  // the header's fields, to skip a repeated header
};

}  // namespace regua
