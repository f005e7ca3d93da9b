// docs/rules.md documents every rule field exactly as the schema defines it (rule_fields()): the
// table is compared line by line, so the documentation cannot drift from the code.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "local/rules/default_pack.hpp"
#include "local/rules/rule_schema.hpp"

namespace regua {
namespace {

std::string type_name(RawType t) {
  switch (t) {
    case RawType::integer:
      return "integer";
    case RawType::boolean:
      return "boolean";
    case RawType::string:
      return "string";
  }
  return "";
}

std::string field_row(const RuleField& f) {
  return "| `" + std::string(f.key) + "` | " + type_name(f.type) + " | " +
         (f.kinds.empty() ? std::string("all") : std::string(f.kinds)) + " | " + std::string(f.allowed) +
         " | " + std::string(f.fallback) + " | " + std::string(f.meaning) + " |";
}

TEST(RulesDoc, EveryFieldOfTheSchemaIsDocumentedAsItIs) {
  std::ifstream in(std::string(REGUA_SOURCE_DIR) + "/docs/rules.md");
  ASSERT_TRUE(in) << "docs/rules.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  std::string expected;
  for (const auto& f : rule_fields())
    expected += field_row(f) + "\n";
  EXPECT_NE(doc.find(expected), std::string::npos)
      << "docs/rules.md must hold the field table exactly as rule_fields() says (in this order):\n"
      << expected;
  for (const auto id : default_rule_ids())
    EXPECT_NE(doc.find("`" + std::string(id) + "`"), std::string::npos) << id;
}

}  // namespace
}  // namespace regua
