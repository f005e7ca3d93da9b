#pragma once
// The one framing of every message of protocol v1, up and down (docs/protocol.md): a header, one
// line of JSON with the schema version `v` and the message `type`, then a newline and the body
// (possibly empty): the records of a batch compressed with zlib's deflate, or a rule pack's text.
//
//   {"v":1,"type":"batch","store":"centro","first":101,"last":180,...}\n<deflate bytes>
//
// Decoding never throws: a message that is not this (no header, bad JSON, an unknown version, a
// body that does not inflate to its announced size) is an Error saying what is wrong, so that the
// receiver parks it with that reason and goes on.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "local/core/result.hpp"

namespace regua::sync {

inline constexpr int kProtocolVersion = 1;
// A batch's records before compression stay under this, far below the broker's packet limit
// (installer/mosquitto/regua.conf: 1 MiB) and any broker's default (EMQX 1 MiB, HiveMQ 256 MiB).
inline constexpr std::size_t kMaxRawBody = 256 * 1024;
// No header or record of v1 nests deeper than 3 (a sale's items); a message nested deeper than this
// is refused when decoded, so that nothing downstream (dump(), copies, comparisons: all recursive in
// nlohmann::json) can run out of stack on a hostile message from a compromised broker or hub.
inline constexpr int kMaxJsonDepth = 16;

struct Envelope {
  int version = kProtocolVersion;
  std::string type;
  nlohmann::json header;  // the whole header object, `v` and `type` included
  std::string body;       // as it travelled (still compressed when header "enc" says so)
};

// One JSON object of a message (a header or a record) with its nesting bounded by kMaxJsonDepth;
// std::nullopt and `why` filled when it is not a JSON object or nests too deep.
std::optional<nlohmann::json> parse_message_object(std::string_view text, std::string& why);

// Adds `v` and `type` to `header` and frames it with `body`.
std::string encode_envelope(std::string_view type, nlohmann::json header, std::string_view body = {});
Result<Envelope> decode_envelope(std::string_view payload);

// zlib deflate (level 6: ~4x on records for a few µs each; docs/dependencies.md says why zlib).
Result<std::string> deflate_bytes(std::string_view raw);
// Inflates to exactly `expected` bytes; anything else (corrupt, longer, shorter) is an error.
Result<std::string> inflate_bytes(std::string_view compressed, std::size_t expected);

// Typed access to header fields, with errors that name the field.
Result<std::int64_t> header_int(const Envelope& e, std::string_view field);
Result<std::string> header_string(const Envelope& e, std::string_view field);

}  // namespace regua::sync
