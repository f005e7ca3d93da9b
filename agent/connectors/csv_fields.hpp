#pragma once
// Splits one CSV line into its fields, as RFC 4180 quotes them: a field in quotes may hold the
// delimiter, and a doubled quote inside it is one quote. A quoted field must end on its own line:
// a followed file is read and checkpointed line by line, so a line break inside quotes cannot be
// told from a line the POS has not finished, and such a row is refused (docs/connectors.md).

#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

namespace regua {

class CsvFields {
 public:
  // `quote` '\0': no field is quoted.
  CsvFields(char delimiter, char quote) : delimiter_(delimiter), quote_(quote) {}

  // Splits `line` (without its end of line). The error (ErrorKind::input) names the 1-based column.
  Status split(std::string_view line);

  [[nodiscard]] std::size_t size() const { return count_; }
  // The field's text with its quotes removed; valid until the next split().
  [[nodiscard]] std::string_view operator[](std::size_t i) const { return fields_[i]; }

 private:
  char delimiter_;
  char quote_;
  std::vector<std::string> fields_;  // reused from row to row, so that splitting rarely allocates
  std::size_t count_ = 0;
};

}  // namespace regua
