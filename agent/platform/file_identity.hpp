#pragma once
// Recognising a file again: by its identity (device and inode, which survive a rename) and by a
// fingerprint of its first bytes (which survives a copy, and tells a reused inode from the file
// that had it). The platform-specific part of following a POS file lives here.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/platform/unique_fd.hpp"
#include "local/core/result.hpp"

namespace regua {

struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct FileFacts {
  FileIdentity identity;
  std::int64_t size = 0;
  std::int64_t modified_unix = 0;  // seconds
  std::int64_t modified_ns = 0;    // nanoseconds, to order files written one after another
};

// Bytes hashed for a fingerprint: enough to tell two POS files apart, little enough to read often.
inline constexpr std::int64_t kFingerprintBytes = 1024;

std::optional<FileFacts> stat_path(const std::filesystem::path& path);
Result<FileFacts> stat_fd(int fd, const std::filesystem::path& path_for_errors);
Result<UniqueFd> open_for_reading(const std::filesystem::path& path);

// Reads up to `length` bytes at `offset`; returns how many were read (0 at the end of the file).
Result<std::size_t> read_at(int fd, char* buffer, std::size_t length, std::int64_t offset,
                            const std::filesystem::path& path_for_errors);

// The first `length` bytes of the file, or nothing when it is shorter or unreadable.
std::optional<std::string> read_prefix(int fd, std::int64_t length);

// The name an open file has now (it may have been renamed since it was opened), for messages.
std::filesystem::path current_name(int fd, const std::filesystem::path& fallback);

// "device:inode", how the quarantine remembers which file a line came from.
std::string origin_of(const FileIdentity& id);

// A file in `folder`, other than `excluded`, at least `min_size` bytes long, whose first
// `prefix_len` bytes hash to `prefix_hash`. A file with identity `prefer` wins over other matches.
std::optional<std::filesystem::path> find_by_fingerprint(const std::filesystem::path& folder,
                                                         const std::filesystem::path& excluded,
                                                         std::int64_t prefix_len, std::uint64_t prefix_hash,
                                                         std::int64_t min_size,
                                                         const std::optional<FileIdentity>& prefer);

// The file with identity `id` among the rotations of `path` in its folder (a rename keeps the
// identity): where a file the agent had opened but not yet read went while it was stopped.
std::optional<std::filesystem::path> find_rotated_by_identity(const std::filesystem::path& path,
                                                              const FileIdentity& id);

// The rotated generation of `path` written next after a file last modified at `after_ns`: among
// the files of its folder named like rotations of it ("sales.jsonl.1", "sales.jsonl-20260301",
// "sales-20260301.jsonl"; not compressed ones), other than `path` and `current`, the oldest one
// modified later. After a chain of rotations while the agent was behind, this is the order in
// which their lines were written.
std::optional<std::filesystem::path> find_next_generation(const std::filesystem::path& path,
                                                          std::int64_t after_ns, const FileIdentity& current);

}  // namespace regua
