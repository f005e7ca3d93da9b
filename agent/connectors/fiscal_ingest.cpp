#include "agent/connectors/fiscal_ingest.hpp"

#include <fmt/format.h>

#include "agent/connectors/fiscal_xml.hpp"
#include "local/core/hash.hpp"

namespace regua {
namespace {

// What the quarantine keeps of a malformed file: enough to see what is wrong with a note.
constexpr std::size_t kQuarantineKeep = 64 << 10;

}  // namespace

std::string fiscal_origin(std::uint64_t content_hash) {
  return fmt::format("xml:{:016x}", content_hash);
}

Result<FiscalFileBytes> read_fiscal_file(const std::filesystem::path& path) {
  auto fd = open_for_reading(path);
  if (!fd) return fd.error();
  auto facts = stat_fd(fd->get(), path);
  if (!facts) return facts.error();
  FiscalFileBytes out;
  out.path = path;
  out.facts = *facts;
  const auto want = static_cast<std::size_t>(std::min<std::int64_t>(facts->size, kMaxFiscalXmlBytes + 1));
  out.bytes.resize(want);
  std::size_t got = 0;
  while (got < want) {
    auto n = read_at(fd->get(), out.bytes.data() + got, want - got, static_cast<std::int64_t>(got), path);
    if (!n) return n.error();
    if (*n == 0) break;  // shrank while being read: what is there is what it holds
    got += *n;
  }
  out.bytes.resize(got);
  out.content_hash = fnv1a64(out.bytes);
  return out;
}

Result<FiscalFileOutcome> ingest_fiscal_file(sqlite::Db& db, Ingestor& ingestor, ProcessedFiles& processed,
                                             const FiscalFileBytes& file, std::string_view source,
                                             const date::time_zone& zone, std::int64_t now) {
  FiscalFileOutcome outcome;
  const std::string path = file.path.string();
  const std::string origin = fiscal_origin(file.content_hash);
  const std::string_view raw = std::string_view(file.bytes).substr(0, kQuarantineKeep);
  std::string keys;

  auto parsed = parse_fiscal_xml(file.bytes, zone);
  if (!parsed) {
    // Not well-formed, or not a fiscal document at all: the file is quarantined as a whole.
    const auto line = parsed.error().message.rfind("line ", 0) == 0
                          ? std::atoll(parsed.error().message.c_str() + 5)
                          : std::int64_t{1};
    if (auto s =
            ingestor.quarantine(InputPosition{source, path, origin, line, 0}, raw, parsed.error().message);
        !s) {
      return s.error();
    }
    outcome.quarantined = 1;
    outcome.notes.push_back(parsed.error().message);
  } else {
    for (const FiscalDocument& doc : *parsed) {
      ++outcome.documents;
      if (!doc.access_key.empty() && keys.find(doc.access_key) == std::string::npos) {
        if (!keys.empty()) keys += ' ';
        keys += doc.access_key;
      }
      const std::string label = doc.access_key.empty() ? doc.root : "note " + doc.access_key;
      const InputPosition at{source, path, origin, doc.line, doc.byte_offset};
      if (doc.kind == FiscalDocument::Kind::ignored) {
        ++outcome.ignored;
        outcome.notes.push_back(label + ": ignored: " + doc.reason);
        continue;
      }
      if (doc.kind == FiscalDocument::Kind::invalid) {
        if (auto s = ingestor.quarantine(at, raw, label + ": " + doc.reason); !s) return s.error();
        ++outcome.quarantined;
        outcome.notes.push_back(label + ": " + doc.reason);
        continue;
      }
      // A document the ledger refuses (a constraint the parser did not foresee) is undone alone and
      // quarantined; the rest of the file and of the transaction stays.
      if (auto s = db.exec("SAVEPOINT fiscal_document"); !s) return s.error();
      auto applied = ingestor.apply(doc.event, source);
      if (!applied && applied.error().kind == ErrorKind::input) {
        if (auto s = db.exec("ROLLBACK TO fiscal_document"); !s) return s.error();
        if (auto s = db.exec("RELEASE fiscal_document"); !s) return s.error();
        const std::string reason = label + ": the ledger refused it: " + applied.error().message;
        if (auto s = ingestor.quarantine(at, raw, reason); !s) return s.error();
        ++outcome.quarantined;
        outcome.notes.push_back(reason);
        continue;
      }
      if (!applied) return applied.error();
      if (auto s = db.exec("RELEASE fiscal_document"); !s) return s.error();
      if (doc.kind == FiscalDocument::Kind::sale) {
        ++outcome.sales;
      } else {
        ++outcome.cancellations;
      }
    }
  }

  ProcessedFile record;
  record.source = std::string(source);
  record.file = path;
  record.device = file.facts.identity.device;
  record.inode = file.facts.identity.inode;
  record.size = file.facts.size;
  record.modified_ns = file.facts.modified_ns;
  record.content_hash = file.content_hash;
  record.sales = outcome.sales;
  record.cancellations = outcome.cancellations;
  record.ignored = outcome.ignored;
  record.quarantined = outcome.quarantined;
  record.access_keys = std::move(keys);
  for (const auto& note : outcome.notes) {
    if (!record.note.empty()) record.note += "; ";
    record.note += note;
  }
  if (auto s = processed.record(record, now); !s) return s.error();
  return outcome;
}

}  // namespace regua
