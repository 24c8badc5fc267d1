#pragma once

#include <cstddef>

namespace huddle::web::internal {

// One embedded file as the generated source lays it out (see embed_assets.cmake). Internal:
// use FindAsset() / AllAssets() from web/embedded_assets.h.
struct AssetRecord {
  const char* path;  // relative to the dashboard's root, '/'-separated: "index.html"
  const unsigned char* data;
  size_t size;
};

// Sorted by path (byte order). Defined in the generated dashboard_assets.cc.
extern const AssetRecord kAssetTable[];
extern const size_t kAssetCount;

}  // namespace huddle::web::internal
