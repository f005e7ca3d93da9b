#include "agent/connectors/csv_fields.hpp"

namespace regua {

Status CsvFields::split(std::string_view line) {
  count_ = 0;
  std::size_t i = 0;
  for (;;) {
    if (fields_.size() <= count_) fields_.emplace_back();
    std::string& field = fields_[count_];
    field.clear();
    const std::size_t column = ++count_;
    if (quote_ != '\0' && i < line.size() && line[i] == quote_) {
      ++i;
      for (;;) {
        const auto close = line.find(quote_, i);
        if (close == std::string_view::npos) {
          return make_error(
              ErrorKind::input,
              "column " + std::to_string(column) +
                  ": a quoted field is not closed on this line (each row must be on one line: a "
                  "line break inside quotes is not supported)");
        }
        field.append(line.substr(i, close - i));
        i = close + 1;
        if (i < line.size() && line[i] == quote_) {  // a doubled quote is one quote
          field += quote_;
          ++i;
          continue;
        }
        break;
      }
      if (i < line.size() && line[i] != delimiter_) {
        return make_error(ErrorKind::input, "column " + std::to_string(column) +
                                                ": unexpected text after the closing quote (a quote inside "
                                                "a quoted field must be doubled: \"\")");
      }
    } else {
      auto end = line.find(delimiter_, i);
      if (end == std::string_view::npos) end = line.size();
      field.assign(line.substr(i, end - i));
      i = end;
    }
    if (i >= line.size()) return {};
    ++i;  // the delimiter
  }
}

}  // namespace regua
