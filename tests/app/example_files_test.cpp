// config.example.toml and .env.example document every key at its default: loading either gives
// exactly the defaults, without a warning, and they name every key and variable.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/config_env.hpp"
#include "app/config_keys.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleFiles, ConfigExampleGivesTheDefaults) {
  TempDir dir;
  std::string text = read(RRTC_SOURCE_DIR "/config.example.toml");
  ASSERT_FALSE(text.empty());
  dir.write("config.toml", text);
  LoadedConfig result = loaded(load({"config.toml"}, {}, dir.path()));
  EXPECT_EQ(result.config, Config{});
  EXPECT_TRUE(result.warnings.empty());
  for (const auto& key : config_keys()) {
    std::string line = "\n" + std::string(key.name) + " = ";
    if (key.name.rfind("turn.", 0) == 0) {
      line = "\n# " + std::string(key.name.substr(5)) + " = ";  // inside the commented [turn] table
    }
    EXPECT_NE(text.find(line), std::string::npos)
        << key.name << " missing (or not at the start of a line)";
  }
  EXPECT_NE(text.find("\nice_servers = []"), std::string::npos);
  EXPECT_NE(text.find("\n# [turn]\n"), std::string::npos);
}

TEST(ExampleFiles, DotenvExampleGivesTheDefaults) {
  TempDir dir;
  std::string text = read(RRTC_SOURCE_DIR "/.env.example");
  ASSERT_FALSE(text.empty());
  dir.write(".env", text);
  LoadedConfig result = loaded(load({}, {}, dir.path()));
  EXPECT_EQ(result.config, Config{});
  EXPECT_TRUE(result.warnings.empty());
  std::vector<std::string> names;
  for (const auto& entry : parse_dotenv(text, ".env.example")) {
    names.push_back(entry.name);
  }
  for (const auto& key : config_keys()) {
    EXPECT_NE(std::find(names.begin(), names.end(), key.env), names.end()) << key.env;
  }
}

}  // namespace
}  // namespace rrtc::app::test
