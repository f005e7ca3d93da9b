#pragma once
// Files compiled into the binary (cmake/embed_assets.cmake turns a folder such as agent/web/ into
// a generated source), so that the store's pages work with no internet and nothing installed beside
// the program. Each asset carries its content type and an ETag fixed at build time: browsers
// revalidate (`Cache-Control: no-cache`) and get a 304 with no body until the next upgrade.
// In local/core, with nothing but the standard library, because regua-agent and regua-hub both
// serve embedded pages; each program declares its own generated table (`agent_web_assets()`).

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace regua {

struct EmbeddedAsset {
  std::string_view path;          // "/app.js": relative to the embedded folder, with a leading '/'
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, as sent: "\"3f2a...\""
  std::span<const unsigned char> bytes;

  [[nodiscard]] std::string_view body() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

const EmbeddedAsset* find_asset(std::span<const EmbeddedAsset> assets, std::string_view path);

// Whether an `If-None-Match` header names this asset's ETag (a list, or `*`): answer 304 then.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace regua
