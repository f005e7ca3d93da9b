#include "agent/platform/file_move.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace regua {
namespace {

namespace fs = std::filesystem;

Error move_io_error(const fs::path& file, const fs::path& folder, std::string_view what, int err) {
  return make_error(ErrorKind::io, "cannot move " + file.string() + " into " + folder.string() + ": " +
                                       std::string(what) + ": " + std::strerror(err) +
                                       " (check that this user may write to both folders)");
}

bool same_bytes(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::file_size(a, ec) != fs::file_size(b, ec) || ec) return false;
  std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
  return std::equal(std::istreambuf_iterator<char>(x), std::istreambuf_iterator<char>(),
                    std::istreambuf_iterator<char>(y), std::istreambuf_iterator<char>());
}

// Copies to a hidden temporary name in the target folder, flushed to disk, then renames it into
// place, so a crash never leaves a half-copied file under the final name.
Status copy_into_place(const fs::path& file, const fs::path& target) {
  const fs::path temporary = target.parent_path() / ("." + target.filename().string() + ".part");
  std::error_code ec;
  fs::copy_file(file, temporary, fs::copy_options::overwrite_existing, ec);
  if (ec) return move_io_error(file, target.parent_path(), "copying it", ec.value());
  const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0)
    return move_io_error(file, target.parent_path(), "renaming its copy", errno);
  return {};
}

}  // namespace

Result<fs::path> move_into(const fs::path& file, const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return move_io_error(file, folder, "creating the folder", ec.value());
  fs::path target = folder / file.filename();
  for (int n = 1; fs::exists(target, ec); ++n) {
    if (same_bytes(file, target)) {
      if (::unlink(file.c_str()) != 0 && errno != ENOENT)
        return move_io_error(file, folder, "removing it", errno);
      return target;
    }
    target = folder / (file.stem().string() + "." + std::to_string(n) + file.extension().string());
  }
  // No file of that name: link() refuses to replace one that appears meanwhile, where rename() would not.
  if (::link(file.c_str(), target.c_str()) == 0) {
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
      return move_io_error(file, folder, "removing it", errno);
    return target;
  }
  if (errno != EXDEV && errno != EPERM && errno != ENOTSUP)
    return move_io_error(file, folder, "linking it", errno);
  if (auto s = copy_into_place(file, target); !s) return s.error();
  if (::unlink(file.c_str()) != 0 && errno != ENOENT)
    return move_io_error(file, folder, "removing it", errno);
  return target;
}

}  // namespace regua
