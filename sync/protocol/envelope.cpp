#include "sync/protocol/envelope.hpp"

#include <cstdint>

#include <zlib.h>

namespace regua::sync {
namespace {

Error malformed(std::string what) {
  return make_error(ErrorKind::input, "malformed message: " + std::move(what));
}

}  // namespace

std::optional<nlohmann::json> parse_message_object(std::string_view text, std::string& why) {
  bool too_deep = false;
  // The parser itself is iterative; the callback stops keeping values past the bound (it still
  // reads to the end, so that a message's nesting never reaches a recursive function).
  const nlohmann::json::parser_callback_t bound = [&too_deep](int depth, nlohmann::json::parse_event_t event,
                                                              nlohmann::json&) {
    const bool opens = event == nlohmann::json::parse_event_t::object_start ||
                       event == nlohmann::json::parse_event_t::array_start;
    if (opens && depth >= kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  auto parsed = nlohmann::json::parse(text, bound, false);
  if (too_deep) {
    why = "it nests deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return std::nullopt;
  }
  if (parsed.is_discarded() || !parsed.is_object()) {
    why = "it is not a JSON object";
    return std::nullopt;
  }
  return parsed;
}

std::string encode_envelope(std::string_view type, nlohmann::json header, std::string_view body) {
  header["v"] = kProtocolVersion;
  header["type"] = type;
  std::string out = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  out.append(body);
  return out;
}

Result<Envelope> decode_envelope(std::string_view payload) {
  const auto newline = payload.find('\n');
  if (newline == std::string_view::npos) return malformed("no header line (a JSON object and a newline)");
  Envelope e;
  std::string why;
  auto header = parse_message_object(payload.substr(0, newline), why);
  if (!header) return malformed("the header line: " + why);
  e.header = std::move(*header);
  const auto v = e.header.find("v");
  if (v == e.header.end() || !v->is_number_integer()) return malformed("the header has no integer \"v\"");
  // Compared as read: narrowing first would take 4294967297 for version 1.
  const bool known = v->is_number_unsigned() ? v->get<std::uint64_t>() == kProtocolVersion
                                             : v->get<std::int64_t>() == kProtocolVersion;
  if (!known) {
    return make_error(ErrorKind::incompatible,
                      "schema version " + v->dump() + " is not one this side knows (it knows " +
                          std::to_string(kProtocolVersion) + "): upgrade it to read such messages");
  }
  const auto type = e.header.find("type");
  if (type == e.header.end() || !type->is_string()) return malformed("the header has no string \"type\"");
  e.version = kProtocolVersion;
  e.type = type->get<std::string>();
  e.body = std::string(payload.substr(newline + 1));
  return e;
}

Result<std::string> deflate_bytes(std::string_view raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 6);
  if (rc != Z_OK)
    return make_error(ErrorKind::internal, "zlib compress2 failed with code " + std::to_string(rc));
  out.resize(size);
  return out;
}

Result<std::string> inflate_bytes(std::string_view compressed, std::size_t expected) {
  if (expected > 4 * kMaxRawBody) {
    return malformed("the body announces " + std::to_string(expected) + " bytes, over the limit of " +
                     std::to_string(4 * kMaxRawBody));
  }
  std::string out(expected, '\0');
  uLongf size = static_cast<uLongf>(expected);
  uLong used = static_cast<uLong>(compressed.size());
  const int rc = uncompress2(reinterpret_cast<Bytef*>(out.data()), &size,
                             reinterpret_cast<const Bytef*>(compressed.data()), &used);
  if (rc != Z_OK || size != expected || used != compressed.size()) {
    return malformed("the body does not inflate to the " + std::to_string(expected) +
                     " bytes its header announces (zlib code " + std::to_string(rc) + ")");
  }
  return out;
}

Result<std::int64_t> header_int(const Envelope& e, std::string_view field) {
  const auto it = e.header.find(field);
  if (it == e.header.end() || !it->is_number_integer()) {
    return malformed("\"" + e.type + "\" needs an integer \"" + std::string(field) + "\"");
  }
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t{INT64_MAX}) {
    return malformed("\"" + e.type + "\" has \"" + std::string(field) + "\" " + it->dump() +
                     ", past the largest sequence number (2^63 - 1)");
  }
  return it->get<std::int64_t>();
}

Result<std::string> header_string(const Envelope& e, std::string_view field) {
  const auto it = e.header.find(field);
  if (it == e.header.end() || !it->is_string()) {
    return malformed("\"" + e.type + "\" needs a string \"" + std::string(field) + "\"");
  }
  return it->get<std::string>();
}

}  // namespace regua::sync
