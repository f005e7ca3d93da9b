#include "agent/connectors/file_follower.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "local/core/hash.hpp"

namespace regua {

FileFollower::FileFollower(std::string source, std::filesystem::path path,
                           std::optional<FileCheckpoint> start)
    : source_(std::move(source)), path_(std::move(path)), resume_(std::move(start)) {
  pos_.source = source_;
}

Result<bool> FileFollower::poll(const ChunkConsumer& consume, std::size_t budget) {
  std::int64_t done = 0;
  while (done < static_cast<std::int64_t>(budget)) {
    if (!file_) {
      if (auto s = open_first(consume); !s) return s.error();
      if (!file_) return false;  // the file does not exist yet
    }
    if (!draining_) {
      if (auto s = watch_for_replacement(consume); !s) return s.error();
    }
    auto n = read_some(consume);
    if (!n) return n.error();
    if (*n > 0) {
      done += *n;
      continue;
    }
    if (!draining_) return false;
    auto switched = finish_draining(consume);
    if (!switched) return switched.error();
    if (!*switched) return false;
  }
  return true;
}

// Makes `path` the file being read, at position `at`; its identity replaces the checkpoint's.
Status FileFollower::adopt(const std::filesystem::path& path, const FileCheckpoint& at, bool draining) {
  auto fd = open_for_reading(path);
  if (!fd) return fd.error();
  auto facts = stat_fd(fd->get(), path);
  if (!facts) return facts.error();
  pos_ = at;
  pos_.source = source_;
  pos_.device = facts->identity.device;
  pos_.inode = facts->identity.inode;
  prefix_ = read_prefix(fd->get(), pos_.fingerprint_len).value_or("");
  file_ = OpenFile{std::move(*fd), facts->identity, path, origin_of(facts->identity)};
  draining_ = draining;
  return {};
}

Status FileFollower::open_path_from_start(const ChunkConsumer& consume, bool commit) {
  file_.reset();
  draining_ = false;
  if (!stat_path(path_)) {
    if (!announced_waiting_) spdlog::info("source {}: waiting for {} to appear", source_, path_.string());
    announced_waiting_ = true;
    return {};
  }
  announced_waiting_ = false;
  if (auto s = adopt(path_, FileCheckpoint{}, false); !s) return s;
  return commit ? commit_position(consume) : Status{};
}

// Commits a switch to another file, so that a restart does not go looking for the finished one.
Status FileFollower::commit_position(const ChunkConsumer& consume) {
  LineChunk empty;
  empty.file = file_->path.native();
  empty.origin = file_->origin;
  empty.after = pos_;
  return consume(empty);
}

Status FileFollower::open_first(const ChunkConsumer& consume) {
  // The file's identity is committed at once, before a line is read: if the agent stops before its
  // first batch and the POS rotates the file meanwhile, the next start still finds it.
  if (!resume_) return open_path_from_start(consume, true);
  const FileCheckpoint cp = *resume_;
  resume_.reset();
  pos_ = cp;
  const FileIdentity old_identity{cp.device, cp.inode};

  if (const auto here = stat_path(path_); here && here->identity == old_identity) {
    auto fd = open_for_reading(path_);
    if (!fd) return fd.error();
    const auto prefix = read_prefix(fd->get(), cp.fingerprint_len);
    const bool same_start = cp.fingerprint_len == 0 || (prefix && fnv1a64(*prefix) == cp.fingerprint);
    if (here->size >= cp.byte_offset && same_start) {
      return adopt(path_, cp, false);  // the usual case: the same file, grown or not
    }
    // Same file, other content: truncated (and perhaps rewritten) while the agent was down.
    if (auto s = adopt(path_, cp, false); !s) return s;
    prefix_.clear();
    return recover_from_truncation(consume);
  }

  // Another file (or none) is at the path: the one we were reading was rotated while we were down.
  if (cp.byte_offset == 0) {
    // Opened but nothing read yet: only its identity can tell where it went.
    if (auto old = find_rotated_by_identity(path_, old_identity)) {
      spdlog::info("source {}: {} was rotated while the agent was stopped; reading {} first", source_,
                   path_.string(), old->string());
      return adopt(*old, cp, true);
    }
  } else {
    if (auto old = find_by_fingerprint(path_.parent_path(), path_, cp.fingerprint_len, cp.fingerprint,
                                       cp.byte_offset, old_identity)) {
      spdlog::info("source {}: {} was rotated while the agent was stopped; finishing {} first", source_,
                   path_.string(), old->string());
      return adopt(*old, cp, true);
    }
    spdlog::warn(
        "source {}: {} was replaced while the agent was stopped and the previous file is no longer in {}; "
        "anything written to it after byte {} could not be read",
        source_, path_.string(), path_.parent_path().string(), cp.byte_offset);
  }
  return open_path_from_start(consume, true);
}

// A renamed-and-recreated file is noticed by the path now naming another file; a truncated one by
// its size or its first bytes changing under us.
Status FileFollower::watch_for_replacement(const ChunkConsumer& consume) {
  if (const auto here = stat_path(path_); here && here->identity != file_->identity) {
    spdlog::info("source {}: {} was rotated; finishing the previous file first", source_, path_.string());
    draining_ = true;
    return {};
  }
  auto facts = stat_fd(file_->fd.get(), file_->path);
  if (!facts) return facts.error();
  bool truncated = facts->size < pos_.byte_offset;
  if (!truncated && !prefix_.empty()) {
    const auto now = read_prefix(file_->fd.get(), static_cast<std::int64_t>(prefix_.size()));
    truncated = !now || *now != prefix_;
  }
  if (!truncated) return {};
  return recover_from_truncation(consume);
}

Status FileFollower::recover_from_truncation(const ChunkConsumer& consume) {
  if (pos_.byte_offset == 0) return {};
  spdlog::info(
      "source {}: {} no longer holds what was read from it (truncated in place, as copytruncate does, or "
      "replaced); looking for a copy of the rest",
      source_, file_->path.string());
  if (auto copy = find_by_fingerprint(path_.parent_path(), path_, pos_.fingerprint_len, pos_.fingerprint,
                                      pos_.byte_offset, std::nullopt)) {
    spdlog::info("source {}: reading the rest of the previous content from {}", source_, copy->string());
    return adopt(*copy, pos_, true);
  }
  spdlog::warn(
      "source {}: {} was truncated and no copy of its previous content was found in {}; anything written "
      "after byte {} before the truncation could not be read. Reading it again from its start.",
      source_, path_.string(), path_.parent_path().string(), pos_.byte_offset);
  return open_path_from_start(consume, true);
}

bool FileFollower::caught_up() const {
  if (!file_ || draining_) return false;
  const auto here = stat_path(path_);
  return here && here->identity == file_->identity && here->size == pos_.byte_offset;
}

bool FileFollower::quiet_since_seconds(std::int64_t seconds) const {
  auto facts = stat_fd(file_->fd.get(), file_->path);
  if (!facts) return false;
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return now - facts->modified_unix >= seconds;
}

Result<std::int64_t> FileFollower::read_some(const ChunkConsumer& consume) {
  // A rotated file that has stopped changing is complete: its unterminated last line is a line.
  const bool final = draining_ && quiet_since_seconds(kQuietSeconds);
  auto lines = reader_.read(file_->fd.get(), pos_.byte_offset, final, file_->path.native());
  if (!lines) return lines.error();
  if (lines->consumed == 0) return 0;
  if (auto s = deliver(consume, *lines); !s) return s.error();
  return lines->consumed;
}

Status FileFollower::deliver(const ChunkConsumer& consume, const ReadLines& lines) {
  FileCheckpoint after = pos_;
  after.byte_offset += lines.consumed;
  after.line += lines.lines;
  std::string prefix = prefix_;
  if (static_cast<std::int64_t>(prefix.size()) < kFingerprintBytes) {
    const auto want = static_cast<std::size_t>(kFingerprintBytes) - prefix.size();
    prefix.append(lines.data.substr(0, std::min(want, lines.data.size())));
    after.fingerprint_len = static_cast<std::int64_t>(prefix.size());
    after.fingerprint = fnv1a64(prefix);
  }

  LineChunk chunk;
  chunk.data = lines.data;
  chunk.first_line = pos_.line;
  chunk.first_offset = pos_.byte_offset;
  chunk.file = file_->path.native();
  chunk.origin = file_->origin;
  chunk.oversized_bytes = lines.oversized;
  chunk.after = after;
  if (auto s = consume(chunk); !s) return s;
  pos_ = after;
  prefix_ = std::move(prefix);
  return {};
}

Result<bool> FileFollower::finish_draining(const ChunkConsumer& consume) {
  auto facts = stat_fd(file_->fd.get(), file_->path);
  if (!facts) return facts.error();
  if (facts->size > pos_.byte_offset) return false;  // an unterminated last line, not quiet yet
  // A writer that has not reopened the new file yet may still append to the old one: switch only
  // once the old file has stopped changing. Rotations are rare; a few seconds' wait is cheap.
  if (!quiet_since_seconds(kQuietSeconds)) return false;
  // Rotated again while we were behind? Then the next generation comes before the file at the path.
  if (auto next = find_next_generation(path_, facts->modified_ns, file_->identity)) {
    spdlog::info("source {}: finished {} at line {}; now reading {}, rotated after it", source_,
                 current_name(file_->fd.get(), file_->path).string(), pos_.line, next->string());
    if (auto s = adopt(*next, FileCheckpoint{}, true); !s) return s.error();
    if (auto s = commit_position(consume); !s) return s.error();
    return true;
  }
  spdlog::info("source {}: finished {} at line {}; now reading {}", source_,
               current_name(file_->fd.get(), file_->path).string(), pos_.line, path_.string());
  if (auto s = open_path_from_start(consume, true); !s) return s.error();
  return file_.has_value();
}

}  // namespace regua
