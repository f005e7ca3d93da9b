#pragma once
// Tells when something changes in the folders holding POS files: inotify through Asio on Linux.
// Where it is unavailable the agent relies on its polling timer alone; callers ask available().

#include <array>
#include <filesystem>
#include <functional>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "local/core/result.hpp"

namespace regua {

class FolderWatcher {
 public:
  // Called with the folder in which something changed; with an empty path when events were lost
  // (queue overflow) and every folder should be looked at.
  using Callback = std::function<void(const std::filesystem::path& folder)>;

  FolderWatcher(boost::asio::io_context& io, Callback on_change);

  [[nodiscard]] bool available() const { return stream_.is_open(); }
  [[nodiscard]] bool watching(const std::filesystem::path& folder) const;
  // Starts watching an existing folder; an error when it does not exist (yet).
  Status watch(const std::filesystem::path& folder);

 private:
  void read_events();

  boost::asio::posix::stream_descriptor stream_;
  Callback on_change_;
  std::map<int, std::filesystem::path> folders_;  // by watch descriptor
  alignas(8) std::array<char, 16 * 1024> buffer_{};
};

}  // namespace regua
