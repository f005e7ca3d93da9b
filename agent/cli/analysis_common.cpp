#include "agent/analysis/segment_keeper.hpp"
#include "agent/cli/analysis_commands.hpp"
#include "local/core/timestamp.hpp"

namespace regua {

Result<SegmentPolicy> analysis_policy(const AgentConfig& config) {
  if (config.store.zone == nullptr) {
    return make_error(ErrorKind::config, "[store] timezone is not set to a known IANA time zone");
  }
  return segment_policy(config);
}

Result<std::int64_t> parse_day_option(const std::string& text, const std::string& option) {
  auto date = parse_date(text);
  if (!date) return make_error(ErrorKind::usage, option + ": " + date.error().message);
  return std::chrono::sys_days{*date}.time_since_epoch().count();
}

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (const char c : v)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace regua
