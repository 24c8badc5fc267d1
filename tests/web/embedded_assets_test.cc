#include "web/embedded_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "web/dashboard_handler.h"

namespace huddle::web {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The built dashboard directory the library embedded (set by src/web/CMakeLists.txt).
const fs::path kDist = HUDDLE_WEB_DIST;

TEST(EmbeddedAssetsTest, EveryBuiltFileIsEmbeddedByteForByte) {
  ASSERT_TRUE(fs::is_directory(kDist)) << kDist;
  std::set<std::string> on_disk;
  for (const auto& e : fs::recursive_directory_iterator(kDist)) {
    if (e.is_regular_file()) on_disk.insert(fs::relative(e.path(), kDist).generic_string());
  }
  std::set<std::string> embedded;
  for (const EmbeddedAsset& a : AllAssets()) {
    embedded.insert(std::string(a.path));
    EXPECT_EQ(a.body, ReadFile(kDist / a.path)) << a.path;
  }
  EXPECT_EQ(embedded, on_disk);
}

TEST(EmbeddedAssetsTest, AllAssetsAreSortedAndUnique) {
  const std::vector<EmbeddedAsset> all = AllAssets();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].path, all[i].path);
}

TEST(EmbeddedAssetsTest, RootAndUiGiveTheIndexPage) {
  for (const char* path : {"/", "/ui", "/ui/", "/ui/index.html"}) {
    const std::optional<EmbeddedAsset> a = FindAsset(path);
    ASSERT_TRUE(a.has_value()) << path;
    EXPECT_EQ(a->path, "index.html");
    EXPECT_EQ(a->content_type, "text/html; charset=utf-8");
    EXPECT_NE(a->body.find("<!doctype html>"), std::string_view::npos);
  }
}

TEST(EmbeddedAssetsTest, FilesUnderUiAreFoundWithTheirType) {
  const std::optional<EmbeddedAsset> js = FindAsset("/ui/vendor/uPlot.esm.js");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(js->body.size(), 10000u);  // uPlot's ES module is tens of kilobytes
  const std::optional<EmbeddedAsset> css = FindAsset("/ui/vendor/uPlot.min.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST(EmbeddedAssetsTest, OtherPathsAreNotAssets) {
  for (const char* path : {"", "/api/v1/clusters", "/metrics", "/index.html", "/ui/nope.js",
                           "/ui/../index.html", "/ui//index.html", "/ui/%2e%2e/index.html",
                           "/uix/index.html", "ui/index.html", "/ui/vendor"}) {
    EXPECT_FALSE(FindAsset(path).has_value()) << path;
  }
}

TEST(EmbeddedAssetsTest, ContentTypesByExtension) {
  EXPECT_EQ(ContentTypeFor("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("dir/a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("LICENSE"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor(".js"), "application/octet-stream");  // no name before the dot
}

TEST(DashboardHandlerTest, ServesAssetsAndConfigAndLeavesTheRestToTheHost) {
  DashboardFeatures f;
  f.proxy = true;
  f.tasks_url = "http://127.0.0.1:7000/";
  std::optional<DashboardResponse> index = ServeDashboard("GET", "/", f);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, std::string(FindAsset("/")->body));

  std::optional<DashboardResponse> config = ServeDashboard("GET", "/ui/config.json", f);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->status, 200);
  EXPECT_EQ(config->content_type, "application/json");
  EXPECT_EQ(config->body,
            "{\"engine\":false,\"engine_stream\":false,\"proxy\":true,"
            "\"tasks_url\":\"http://127.0.0.1:7000/\",\"title\":\"huddle\","
            "\"token_required\":false,\"version\":1}\n");

  EXPECT_FALSE(ServeDashboard("GET", "/api/v1/clusters", f).has_value());
  EXPECT_FALSE(ServeDashboard("POST", "/api/v1/clusters/a/backends/b/drain", f).has_value());
  EXPECT_EQ(ServeDashboard("GET", "/ui/missing.js", f)->status, 404);
  EXPECT_EQ(ServeDashboard("POST", "/ui/app.js", f)->status, 405);
  const std::optional<DashboardResponse> head = ServeDashboard("HEAD", "/ui/", f);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

}  // namespace
}  // namespace huddle::web
