#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace huddle::web {

// One file of the dashboard, built into the binary at compile time (src/web/CMakeLists.txt runs
// the web build and embed_assets.cmake). The views point into static storage: valid for the life
// of the program, never freed, safe to read from any thread.
struct EmbeddedAsset {
  std::string_view path;          // relative to the dashboard root: "index.html", "vendor/x.js"
  std::string_view content_type;  // from the file's extension, with charset for text
  std::string_view body;          // the file's bytes (binary-safe)
};

// The asset served for an HTTP request path (no query): "/", "/ui" and "/ui/" give index.html,
// "/ui/<file>" gives <file>. Any other path, or a file that is not embedded, gives nullopt (the
// caller answers it: 404 or its own API). Exact matches against a fixed table: "..", "//" or
// percent-escapes never reach outside it.
std::optional<EmbeddedAsset> FindAsset(std::string_view request_path);

// Every embedded file, sorted by path.
std::vector<EmbeddedAsset> AllAssets();

// "text/html; charset=utf-8" for "x.html" and so on; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

}  // namespace huddle::web
