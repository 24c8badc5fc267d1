#include "web/embedded_assets.h"

#include <array>
#include <utility>

#include "web/asset_table.h"

namespace huddle::web {
namespace {

EmbeddedAsset ToAsset(const internal::AssetRecord& r) {
  const std::string_view path(r.path);
  return EmbeddedAsset{path, ContentTypeFor(path),
                       std::string_view(reinterpret_cast<const char*>(r.data), r.size)};
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".map", "application/json"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (file_name.size() > ext.size() && file_name.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

std::optional<EmbeddedAsset> FindAsset(std::string_view request_path) {
  std::string_view rel;
  if (request_path == "/" || request_path == "/ui" || request_path == "/ui/") {
    rel = "index.html";
  } else if (request_path.starts_with("/ui/")) {
    rel = request_path.substr(4);
  } else {
    return std::nullopt;
  }
  for (size_t i = 0; i < internal::kAssetCount; ++i) {
    if (rel == internal::kAssetTable[i].path) return ToAsset(internal::kAssetTable[i]);
  }
  return std::nullopt;
}

std::vector<EmbeddedAsset> AllAssets() {
  std::vector<EmbeddedAsset> out;
  out.reserve(internal::kAssetCount);
  for (size_t i = 0; i < internal::kAssetCount; ++i)
    out.push_back(ToAsset(internal::kAssetTable[i]));
  return out;
}

}  // namespace huddle::web
