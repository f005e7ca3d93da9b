#include "agent/platform/file_identity.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/core/hash.hpp"

namespace regua {
namespace {

FileFacts facts_of(const struct stat& st) {
  return FileFacts{{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)},
                   static_cast<std::int64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtime),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

Error identity_io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return make_error(ErrorKind::io, path.string() + ": " + std::string(what) + ": " + std::strerror(err));
}

bool is_rotation_of(const std::string& name, const std::filesystem::path& path) {
  for (const char* compressed : {".gz", ".bz2", ".xz", ".zst", ".zip"}) {
    if (name.ends_with(compressed)) return false;
  }
  const std::string base = path.filename().string();
  if (name.size() > base.size() && name.starts_with(base)) return true;
  const std::string stem = path.stem().string();
  if (name.size() < stem.size() + 2 || !name.starts_with(stem)) return false;
  const char separator = name[stem.size()];
  const char next = name[stem.size() + 1];
  return (separator == '.' || separator == '-' || separator == '_') && next >= '0' && next <= '9';
}

}  // namespace

std::optional<FileFacts> stat_path(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return facts_of(st);
}

Result<FileFacts> stat_fd(int fd, const std::filesystem::path& path_for_errors) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return identity_io_error(path_for_errors, "cannot read its size", errno);
  return facts_of(st);
}

Result<UniqueFd> open_for_reading(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return identity_io_error(path, "cannot open it for reading (check that this user may read it)", errno);
  }
  return UniqueFd(fd);
}

Result<std::size_t> read_at(int fd, char* buffer, std::size_t length, std::int64_t offset,
                            const std::filesystem::path& path_for_errors) {
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, length, static_cast<off_t>(offset));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return identity_io_error(path_for_errors, "cannot read it", errno);
  }
}

std::optional<std::string> read_prefix(int fd, std::int64_t length) {
  std::string bytes(static_cast<std::size_t>(length), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    got += static_cast<std::size_t>(n);
  }
  return bytes;
}

std::filesystem::path current_name(int fd, const std::filesystem::path& fallback) {
  std::error_code ec;
  auto name = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? fallback : name;
}

std::string origin_of(const FileIdentity& id) {
  return std::to_string(id.device) + ":" + std::to_string(id.inode);
}

std::optional<std::filesystem::path> find_by_fingerprint(const std::filesystem::path& folder,
                                                         const std::filesystem::path& excluded,
                                                         std::int64_t prefix_len, std::uint64_t prefix_hash,
                                                         std::int64_t min_size,
                                                         const std::optional<FileIdentity>& prefer) {
  std::error_code ec;
  std::optional<std::filesystem::path> match;
  int scanned = 0;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (++scanned > 10'000) break;  // a folder this full is not a POS folder; do not stall the agent
    const auto& candidate = it->path();
    if (candidate.filename() == excluded.filename()) continue;
    const auto facts = stat_path(candidate);
    if (!facts || facts->size < min_size) continue;
    auto fd = open_for_reading(candidate);
    if (!fd) continue;
    const auto prefix = read_prefix(fd->get(), prefix_len);
    if (!prefix || fnv1a64(*prefix) != prefix_hash) continue;
    if (prefer && facts->identity == *prefer) return candidate;
    if (!match) match = candidate;
  }
  return match;
}

std::optional<std::filesystem::path> find_rotated_by_identity(const std::filesystem::path& path,
                                                              const FileIdentity& id) {
  std::error_code ec;
  int scanned = 0;
  for (std::filesystem::directory_iterator it(path.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (++scanned > 10'000) break;
    const auto& candidate = it->path();
    const std::string name = candidate.filename().string();
    if (name == path.filename().string() || !is_rotation_of(name, path)) continue;
    if (const auto facts = stat_path(candidate); facts && facts->identity == id) return candidate;
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> find_next_generation(const std::filesystem::path& path,
                                                          std::int64_t after_ns,
                                                          const FileIdentity& current) {
  std::error_code ec;
  std::optional<std::filesystem::path> best;
  std::int64_t best_ns = 0;
  int scanned = 0;
  for (std::filesystem::directory_iterator it(path.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (++scanned > 10'000) break;
    const auto& candidate = it->path();
    const std::string name = candidate.filename().string();
    if (name == path.filename().string() || !is_rotation_of(name, path)) continue;
    const auto facts = stat_path(candidate);
    if (!facts || facts->identity == current || facts->modified_ns <= after_ns) continue;
    if (!best || facts->modified_ns < best_ns) {
      best = candidate;
      best_ns = facts->modified_ns;
    }
  }
  return best;
}

}  // namespace regua
