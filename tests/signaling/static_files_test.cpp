#include "signaling/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace rrtc::signaling {
namespace {

namespace fs = std::filesystem;

TEST(StaticFilesTest, RelativePathRefusesTraversal) {
  EXPECT_EQ(relative_web_path("/"), "index.html");
  EXPECT_EQ(relative_web_path("/?room=x"), "index.html");
  EXPECT_EQ(relative_web_path("/app.js?v=3#f"), "app.js");
  EXPECT_EQ(relative_web_path("/css/style.css"), "css/style.css");
  EXPECT_EQ(relative_web_path("/a%20b.txt"), "a b.txt");
  for (std::string_view bad : {"", "app.js", "/..", "/../etc/passwd", "/a/../../b",
                               "/%2e%2e/secret", "/%2E%2E%2Fx", "/a//b", "/.env", "/a/.git/config",
                               "/a\\..\\b", "/a%00b", "/a%5c..%5cb", "/%", "/%zz", "/dir/"}) {
    EXPECT_FALSE(relative_web_path(bad)) << bad;
  }
}

TEST(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("x.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("blob"), "application/octet-stream");
}

TEST(StaticFilesTest, ServesFromWebRootAndNeverOutsideIt) {
  fs::path base = fs::temp_directory_path() / ("rrtc_static_" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "root" / "sub");
  std::ofstream(base / "root" / "index.html") << "<h1>hi</h1>";
  std::ofstream(base / "root" / "sub" / "a.js") << "let a;";
  std::ofstream(base / "secret.txt") << "secret";
  fs::create_symlink(base / "secret.txt", base / "root" / "link.txt");

  StaticFiles files((base / "root").string());
  EXPECT_FALSE(files.embedded());
  auto index = files.find("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, "<h1>hi</h1>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  auto js = files.find("/sub/a.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body, "let a;");
  EXPECT_FALSE(files.find("/../secret.txt"));
  EXPECT_FALSE(files.find("/link.txt"));  // symlink out of the root
  EXPECT_FALSE(files.find("/sub"));       // a directory
  EXPECT_FALSE(files.find("/missing.js"));
  fs::remove_all(base);
}

TEST(StaticFilesTest, EmbeddedFilesMatchTheWebFolder) {
  StaticFiles files("");
  EXPECT_TRUE(files.embedded());
  fs::path web = fs::path(RRTC_SOURCE_DIR) / "web";
  std::size_t on_disk = 0;
  if (fs::exists(web)) {
    for (const auto& entry : fs::recursive_directory_iterator(web)) {
      if (!entry.is_regular_file()) continue;
      auto rel = fs::relative(entry.path(), web).generic_string();
      if (rel.front() == '.' || rel.find("/.") != std::string::npos) continue;
      ++on_disk;
      auto file = files.find("/" + rel);
      ASSERT_TRUE(file) << rel;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_TRUE(file->body == expected) << rel << " differs from the embedded copy (rebuild?)";
    }
  }
  EXPECT_EQ(embedded_web_files().size(), on_disk);
}

}  // namespace
}  // namespace rrtc::signaling
