#include "agent/rules/rule_file.hpp"

#include <fstream>
#include <sstream>

namespace regua {

Result<std::vector<RawRule>> read_rule_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::config, "cannot read the rules file " + file.string() +
                                             ": check [rules] file in the configuration (or --rules) and "
                                             "that this user may read it");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_rule_file(text.str(), file);
}

}  // namespace regua
