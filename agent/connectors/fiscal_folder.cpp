#include "agent/connectors/fiscal_folder.hpp"

#include <algorithm>
#include <set>

#include "local/ledger/processed_files.hpp"

namespace regua {

bool is_fiscal_file_name(std::string_view name) {
  if (name.size() < 5 || name.front() == '.') return false;
  const auto ext = name.substr(name.size() - 4);
  return ext[0] == '.' && (ext[1] == 'x' || ext[1] == 'X') && (ext[2] == 'm' || ext[2] == 'M') &&
         (ext[3] == 'l' || ext[3] == 'L');
}

FiscalFolder::FiscalFolder(std::filesystem::path folder, std::chrono::milliseconds settle)
    : folder_(std::move(folder)), settle_(settle) {}

std::vector<FolderFile> FiscalFolder::list() const {
  std::vector<FolderFile> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(folder_, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_fiscal_file_name(name)) continue;
    auto facts = stat_path(it->path());  // regular files only
    if (!facts) continue;
    out.push_back({it->path(), *facts});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

bool FiscalFolder::settled(const FolderFile& file) {
  const auto now = std::chrono::steady_clock::now();
  const std::string name = file.path.filename().string();
  auto [it, added] = seen_.try_emplace(name, Seen{file.facts, now});
  Seen& seen = it->second;
  if (!added && (seen.facts.size != file.facts.size || seen.facts.modified_ns != file.facts.modified_ns ||
                 seen.facts.identity != file.facts.identity)) {
    seen = Seen{file.facts, now};  // it changed: it is still being written
  }
  const auto wall_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const auto settle_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(settle_).count();
  const auto age_ns = wall_now - file.facts.modified_ns;
  if (age_ns >= settle_ns) return true;
  if (age_ns < 0 && now - seen.since >= settle_) return true;  // modified "in the future"
  return false;
}

void FiscalFolder::keep_only(const std::vector<FolderFile>& present) {
  std::set<std::string> names;
  for (const auto& f : present)
    names.insert(f.path.filename().string());
  std::erase_if(seen_, [&](const auto& entry) { return names.count(entry.first) == 0; });
}

FolderBacklog unread_fiscal_files(const std::filesystem::path& folder, sqlite::Db& db) {
  FolderBacklog out;
  std::error_code ec;
  out.exists = std::filesystem::is_directory(folder, ec);
  const auto files = FiscalFolder(folder, std::chrono::milliseconds(0)).list();
  auto processed = ProcessedFiles::create(db);
  for (const auto& f : files) {
    if (processed) {
      auto known = processed->has_identity(f.facts.identity.device, f.facts.identity.inode, f.facts.size,
                                           f.facts.modified_ns);
      if (known && *known) continue;
    }
    ++out.files;
    out.bytes += f.facts.size;
  }
  return out;
}

}  // namespace regua
