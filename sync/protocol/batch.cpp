#include "sync/protocol/batch.hpp"

namespace regua::sync {
namespace {

Error bad_batch(std::string what) {
  return make_error(ErrorKind::input, "malformed batch: " + std::move(what));
}

// What a record of each kind upserts; empty when the record is not one the hub knows.
std::string record_key(const std::string& kind, const nlohmann::json& body) {
  if (kind == "heartbeat") return "heartbeat";
  if (kind == "kpi_day") {
    const auto day = body.find("day");
    return day != body.end() && day->is_string() ? "kpi_day:" + day->get<std::string>() : "";
  }
  for (const char* known : {"customer", "sale", "segment", "task", "message", "erasure", "order"}) {
    if (kind != known) continue;
    const auto id = body.find("id");
    if (id == body.end() || !id->is_number_integer()) return "";
    return kind + ":" + std::to_string(id->get<std::int64_t>());
  }
  return "";
}

}  // namespace

Result<std::string> encode_batch(const Batch& batch) {
  std::string raw;
  for (const auto& record : batch.records) {
    raw += record;
    raw += '\n';
  }
  auto compressed = deflate_bytes(raw);
  if (!compressed) return compressed.error();
  nlohmann::json header{{"store", batch.store}, {"first", batch.first},          {"last", batch.last},
                        {"acked", batch.acked}, {"count", batch.records.size()}, {"enc", "deflate"},
                        {"raw", raw.size()}};
  return encode_envelope("batch", std::move(header), *compressed);
}

Result<DecodedBatch> decode_batch(const Envelope& envelope) {
  DecodedBatch out;
  auto store = header_string(envelope, "store");
  if (!store) return store.error();
  out.store = *store;
  auto first = header_int(envelope, "first");
  if (!first) return first.error();
  auto last = header_int(envelope, "last");
  if (!last) return last.error();
  auto acked = header_int(envelope, "acked");
  if (!acked) return acked.error();
  auto count = header_int(envelope, "count");
  if (!count) return count.error();
  auto raw_size = header_int(envelope, "raw");
  if (!raw_size) return raw_size.error();
  auto enc = header_string(envelope, "enc");
  if (!enc) return enc.error();
  out.first = *first;
  out.last = *last;
  out.acked = *acked;
  if (out.first < 1 || out.last < out.first) {
    return bad_batch("the range " + std::to_string(out.first) + ".." + std::to_string(out.last) +
                     " is empty or starts before 1");
  }
  if (*enc != "deflate") return bad_batch("unknown body encoding \"" + *enc + "\" (only \"deflate\")");
  if (*raw_size < 0) return bad_batch("negative \"raw\" size");
  auto raw = inflate_bytes(envelope.body, static_cast<std::size_t>(*raw_size));
  if (!raw) return raw.error();

  std::int64_t previous = out.first - 1;
  std::size_t start = 0;
  int line = 0;
  while (start < raw->size()) {
    ++line;
    auto end = raw->find('\n', start);
    if (end == std::string::npos) end = raw->size();
    const std::string_view text(raw->data() + start, end - start);
    start = end + 1;
    DecodedRecord record;
    const auto where = "record " + std::to_string(line);
    std::string why;
    auto body = parse_message_object(text, why);
    if (!body) return bad_batch(where + ": " + why);
    record.body = std::move(*body);
    const auto seq = record.body.find("seq");
    const auto kind = record.body.find("kind");
    if (seq == record.body.end() || !seq->is_number_integer())
      return bad_batch(where + " has no integer \"seq\"");
    if (kind == record.body.end() || !kind->is_string()) return bad_batch(where + " has no string \"kind\"");
    record.seq = seq->get<std::int64_t>();
    record.kind = kind->get<std::string>();
    if (record.seq <= previous || record.seq > out.last) {
      return bad_batch(where + ": seq " + std::to_string(record.seq) + " is not after " +
                       std::to_string(previous) + " within the batch's range up to " +
                       std::to_string(out.last));
    }
    previous = record.seq;
    record.key = record_key(record.kind, record.body);
    if (record.key.empty()) return bad_batch(where + ": unknown kind \"" + record.kind + "\" or no id");
    out.records.push_back(std::move(record));
  }
  if (static_cast<std::int64_t>(out.records.size()) != *count) {
    return bad_batch("it holds " + std::to_string(out.records.size()) + " records but announces " +
                     std::to_string(*count));
  }
  return out;
}

}  // namespace regua::sync
