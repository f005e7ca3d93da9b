#pragma once
// The few file operations the ledger needs beyond SQLite's own: creating a file only its owner can
// read, and making a file's bytes or a folder's entries durable. POSIX here; on Windows the same
// three map to CreateFile with an owner-only DACL and FlushFileBuffers (docs/windows.md), which is
// why they sit behind this small interface instead of being called inline.

#include <filesystem>

#include "local/core/result.hpp"

namespace regua {

// Creates `path` empty, readable and writable by its owner only. `exclusive`: fail when it exists
// (the message says so); otherwise an existing file is left as it is.
Status create_private_file(const std::filesystem::path& path, bool exclusive);

// Flushes the file's bytes, or the folder's entries (a rename or a new name), to the disk.
Status sync_file(const std::filesystem::path& path);
Status sync_folder(const std::filesystem::path& folder);

}  // namespace regua
