#pragma once
// Moving a processed file into another folder without ever losing it: a rename when both folders
// are on one file system, else a copy under a temporary name, renamed into place, before the
// original is removed. A file of the same name already there is never overwritten.

#include <filesystem>

#include "local/core/result.hpp"

namespace regua {

// Moves `file` into `folder` (created if needed). When `folder` already holds a file of that name
// with the same bytes (a move interrupted after its copy), the original is just removed; with other
// bytes, the file is kept under a numbered name ("x.xml" -> "x.1.xml"). Returns where it went.
Result<std::filesystem::path> move_into(const std::filesystem::path& file,
                                        const std::filesystem::path& folder);

}  // namespace regua
