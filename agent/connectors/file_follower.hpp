#pragma once
// Follows one POS file like `tail -F` and never loses or repeats a line:
// - it resumes from the source's checkpoint (file identity, byte offset, fingerprint);
// - a partial last line waits for its end of line;
// - rotation by rename-and-create: the renamed file is read to its end before the new one, also
//   when the rename happened while the agent was down (the old file is found again in the same
//   folder by its identity or its fingerprint), and through a chain of rotations (generations are
//   read oldest first);
// - truncation in place (copytruncate): the rest is read from the copy, found by fingerprint,
//   then the file is read again from its start.
// It hands out chunks of whole lines with the checkpoint to commit with them; its position only
// moves when the consumer has committed a chunk.

#include <filesystem>
#include <optional>
#include <string>

#include "agent/connectors/chunk_reader.hpp"
#include "agent/connectors/line_chunk.hpp"
#include "agent/platform/file_identity.hpp"
#include "local/ledger/checkpoints.hpp"

namespace regua {

class FileFollower {
 public:
  // A rotated file's unterminated last line is taken as complete after this long without change.
  static constexpr std::int64_t kQuietSeconds = 2;

  FileFollower(std::string source, std::filesystem::path path, std::optional<FileCheckpoint> start);

  // Hands whole lines to `consume` until about `budget` bytes were read. Returns true when more is
  // waiting, so that the caller can let other work run and call again.
  Result<bool> poll(const ChunkConsumer& consume, std::size_t budget);

  [[nodiscard]] const FileCheckpoint& position() const { return pos_; }
  // True when everything at the path has been read and committed.
  [[nodiscard]] bool caught_up() const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] const std::string& source() const { return source_; }

 private:
  struct OpenFile {
    UniqueFd fd;
    FileIdentity identity;
    std::filesystem::path path;
    std::string origin;
  };

  Status open_first(const ChunkConsumer& consume);
  Status open_path_from_start(const ChunkConsumer& consume, bool commit);
  Status commit_position(const ChunkConsumer& consume);
  Status watch_for_replacement(const ChunkConsumer& consume);
  Status recover_from_truncation(const ChunkConsumer& consume);
  Result<std::int64_t> read_some(const ChunkConsumer& consume);
  Result<bool> finish_draining(const ChunkConsumer& consume);
  Status deliver(const ChunkConsumer& consume, const ReadLines& lines);
  Status adopt(const std::filesystem::path& path, const FileCheckpoint& at, bool draining);
  bool quiet_since_seconds(std::int64_t seconds) const;

  std::string source_;
  std::filesystem::path path_;
  std::optional<FileCheckpoint> resume_;  // the committed checkpoint, until the first open
  std::optional<OpenFile> file_;          // the file being read
  bool draining_ = false;                 // `file_` was replaced at `path_`: finish it, then switch
  FileCheckpoint pos_;                    // where `file_` has been read to (committed)
  std::string prefix_;                    // the first bytes of `file_` read so far (fingerprint)
  ChunkReader reader_;
  bool announced_waiting_ = false;
};

}  // namespace regua
