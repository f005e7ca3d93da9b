#include "agent/channels/file_channel.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/platform/unique_fd.hpp"
#include "local/scheduler/send_check.hpp"

namespace regua {
namespace {

constexpr int kBatch = 200;
// The last line is short (one message); reading this much from the end always holds it whole.
constexpr off_t kTail = 256 * 1024;

Error io_error(const std::string& what, const std::filesystem::path& path) {
  return make_error(ErrorKind::io, what + " " + path.string() + ": " + std::strerror(errno) +
                                       " (check the disk and [channels.file] path; the messages wait in "
                                       "the ledger and go out once it works)");
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot append to the outbox", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

std::string FileChannel::line(const OutgoingMessage& m, Seconds at) const {
  nlohmann::ordered_json j;
  j["id"] = m.id;
  j["at"] = zone_->iso(at);
  j["rule"] = m.rule_id;
  j["customer"] = m.customer_pos_id ? nlohmann::ordered_json(*m.customer_pos_id) : nullptr;
  j["channel"] = m.channel;
  j["recipient"] = m.recipient;
  j["subject"] = m.subject ? nlohmann::ordered_json(*m.subject) : nullptr;
  j["body"] = m.body;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::int64_t> FileChannel::last_written_id() {
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::int64_t{0};
    return io_error("cannot open the outbox", path_);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot read the outbox", path_);
  const off_t start = st.st_size > kTail ? st.st_size - kTail : 0;
  std::string tail(static_cast<std::size_t>(st.st_size - start), '\0');
  std::size_t got = 0;
  while (got < tail.size()) {
    const ssize_t n =
        ::pread(fd.get(), tail.data() + got, tail.size() - got, start + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot read the outbox", path_);
    got += static_cast<std::size_t>(n);
  }
  const auto end = tail.rfind('\n');
  if (end == std::string::npos ? !tail.empty() : end + 1 != tail.size()) {
    // A crash cut the last line short: that message was never delivered (still an intent); cut it.
    const off_t keep = end == std::string::npos ? start : start + static_cast<off_t>(end) + 1;
    if (::ftruncate(fd.get(), keep) != 0 || ::fsync(fd.get()) != 0)
      return io_error("cannot cut a torn line off the outbox", path_);
    tail.resize(end == std::string::npos ? 0 : end + 1);
  }
  if (tail.empty()) return std::int64_t{0};
  const auto begin = tail.rfind('\n', tail.size() - 2);
  const auto last = std::string_view(tail).substr(begin == std::string::npos ? 0 : begin + 1);
  const auto j = nlohmann::json::parse(last, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer()) {
    return make_error(ErrorKind::io, "the last line of the outbox " + path_.string() +
                                         " is not a message line of Régua: move the file away (the messages "
                                         "not yet written will go to a new one)");
  }
  return j["id"].get<std::int64_t>();
}

Result<std::int64_t> FileChannel::deliver(Ledger& ledger, std::span<const std::string> channels) {
  static const std::vector<std::string> kEveryChannel{"sms", "whatsapp", "email"};
  if (channels.empty()) channels = kEveryChannel;
  std::int64_t written = 0;
  for (;;) {
    const Seconds now = ledger.clock().now();
    auto batch = messages_ready(ledger.db(), now, channels, kBatch);
    if (!batch) return batch.error();
    if (batch->empty()) return written;
    const bool full_batch = static_cast<int>(batch->size()) == kBatch;

    // The send-time check, committed before anything is written: a refused message never reaches the file.
    std::vector<OutgoingMessage> going;
    {
      auto txn = sqlite::Transaction::begin(ledger.db());
      if (!txn) return txn.error();
      for (auto& m : *batch) {
        auto refusal = check_before_send(ledger.db(), m);
        if (!refusal) return refusal.error();
        if (*refusal) {
          if (auto s = cancel_message(ledger.db(), m, (*refusal)->code, (*refusal)->detail, now); !s)
            return s.error();
          spdlog::info("file channel: message {} not written: {}", m.id, (*refusal)->detail);
          continue;
        }
        going.push_back(std::move(m));
      }
      if (auto s = txn->commit(); !s) return s.error();
    }
    if (!going.empty()) {
      auto last = last_written_id();
      if (!last) return last.error();

      std::error_code ec;
      const bool existed = std::filesystem::exists(path_, ec);
      if (!existed && !path_.parent_path().empty())
        std::filesystem::create_directories(path_.parent_path(), ec);
      UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
      if (!fd.valid()) return io_error("cannot open the outbox", path_);
      std::string text;
      std::vector<std::int64_t> ids;
      for (const auto& m : going) {
        ids.push_back(m.id);
        if (m.id <= *last) continue;  // written before a crash that came before marking it sent
        text += line(m, now);
        text += '\n';
        ++written;
      }
      if (auto s = write_all(fd.get(), text, path_); !s) return s.error();
      if (::fsync(fd.get()) != 0) return io_error("cannot sync the outbox", path_);
      if (!existed) {
        // The new file's name must survive a power cut too, or its lines would vanish with it.
        UniqueFd dir(::open(path_.parent_path().empty() ? "." : path_.parent_path().c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir.valid()) (void)::fsync(dir.get());
      }
      auto txn = sqlite::Transaction::begin(ledger.db());
      if (!txn) return txn.error();
      if (auto s = mark_sent(ledger.db(), ids, "file", now); !s) return s.error();
      if (auto s = txn->commit(); !s) return s.error();
    }
    if (!full_batch) return written;
  }
}

}  // namespace regua
