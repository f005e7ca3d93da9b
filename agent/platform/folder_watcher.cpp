#include "agent/platform/folder_watcher.hpp"

#include <cerrno>
#include <cstring>

#include <sys/inotify.h>

namespace regua {

FolderWatcher::FolderWatcher(boost::asio::io_context& io, Callback on_change)
    : stream_(io), on_change_(std::move(on_change)) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return;  // available() says so; the caller polls
  stream_.assign(fd);
  read_events();
}

bool FolderWatcher::watching(const std::filesystem::path& folder) const {
  for (const auto& [wd, path] : folders_) {
    if (path == folder) return true;
  }
  return false;
}

Status FolderWatcher::watch(const std::filesystem::path& folder) {
  if (!available()) return make_error(ErrorKind::io, "file notifications (inotify) are not available");
  if (watching(folder)) return {};
  constexpr std::uint32_t kMask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO |
                                  IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  const int wd = ::inotify_add_watch(stream_.native_handle(), folder.c_str(), kMask);
  if (wd < 0) {
    return make_error(ErrorKind::io,
                      "cannot watch the folder " + folder.string() + ": " + std::strerror(errno));
  }
  folders_[wd] = folder;
  return {};
}

void FolderWatcher::read_events() {
  stream_.async_read_some(
      boost::asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
        if (ec) {
          if (ec == boost::asio::error::operation_aborted) return;
          on_change_({});  // something went wrong: have everything looked at, and keep listening
          read_events();
          return;
        }
        std::size_t at = 0;
        while (at + sizeof(inotify_event) <= n) {
          inotify_event event{};
          std::memcpy(&event, buffer_.data() + at, sizeof event);
          if ((event.mask & IN_Q_OVERFLOW) != 0) {
            on_change_({});
          } else if (auto it = folders_.find(event.wd); it != folders_.end()) {
            const auto folder = it->second;
            if ((event.mask & IN_IGNORED) != 0)
              folders_.erase(it);  // the folder went away; re-added when back
            on_change_(folder);
          }
          at += sizeof(inotify_event) + event.len;
        }
        read_events();
      });
}

}  // namespace regua
