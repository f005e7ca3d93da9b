#include "local/core/durable_files.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace regua {
namespace {

Error file_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(ErrorKind::io, what + " " + path.string() + ": " + std::strerror(err) +
                                       " (check the folder exists, is writable and the disk has room)");
}

Status sync_descriptor(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return file_error("cannot open", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return file_error("cannot sync", path, err);
  return {};
}

}  // namespace

Status create_private_file(const std::filesystem::path& path, bool exclusive) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : 0), 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return make_error(ErrorKind::io,
                        path.string() + " already exists: choose another name or move it away");
    }
    return file_error("cannot create", path, errno);
  }
  ::close(fd);
  return {};
}

Status sync_file(const std::filesystem::path& path) {
  return sync_descriptor(path, O_RDWR);
}

Status sync_folder(const std::filesystem::path& folder) {
  return sync_descriptor(folder.empty() ? std::filesystem::path(".") : folder, O_RDONLY | O_DIRECTORY);
}

}  // namespace regua
