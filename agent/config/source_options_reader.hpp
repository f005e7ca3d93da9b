#pragma once
// Reads the per-format tables of one [[source]] ([source.csv], [source.columns], [source.nfe]) with
// the same strictness as the rest of the configuration.

#include <filesystem>
#include <string_view>

#include "agent/config/source_options.hpp"
#include "agent/config/toml_reader.hpp"

namespace regua {

// `source` is the [[source]] table, `t` its reader (the sub-tables are marked as known keys of it),
// `kind` the source's kind as written; `base` anchors relative paths.
void read_source_options(const toml::table& source, TomlTable& t, const std::filesystem::path& base,
                         std::string_view kind, CsvOptions& csv, NfeOptions& nfe, ConfigErrors& errors);

}  // namespace regua
