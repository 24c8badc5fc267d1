// Every key docs/config.md documents is accepted by the proxy's loader, and every file in
// examples/ loads through the loader of its command. The keys are read from the document itself
// (its tables), so a key documented later is covered without touching this test.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "engine/prometheus_scrape.h"
#include "proxy/config.h"
#include "sim/scenario_loader.h"
#include "taskd/coordinator_config.h"
#include "taskd/topology.h"

namespace huddle {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = HUDDLE_SOURCE_DIR;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A valid config that every documented key is added to, one at a time.
constexpr const char* kBase = R"(
listeners:
  - { name: web, address: 127.0.0.1:0, cluster: app }
clusters:
  - name: app
    backends:
      - { name: s1, address: 127.0.0.1:9001 }
)";

// One row of a key table: where the key lives in the YAML, its name, and the documented
// default when it is a literal value (the first backquoted token of the default column).
struct DocumentedKey {
  std::string section;  // heading of the table
  std::vector<std::string> path;
  std::string key;  // may be dotted: timeouts.connect
  std::optional<std::string> default_value;
  int line = 0;
};

// Headings of docs/config.md to the YAML path of their tables.
std::optional<std::vector<std::string>> PathOfHeading(const std::string& heading) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kPaths = {
      {"Top level", {}},
      {"`admin`", {"admin"}},
      {"`adaptive_concurrency`", {"adaptive_concurrency"}},
      {"`engine`", {"engine"}},
      {"`access_log`", {"access_log"}},
      {"`listeners[]`", {"listeners", "0"}},
      {"`clusters[]`", {"clusters", "0"}},
      {"`health_check`", {"clusters", "0", "health_check"}},
      {"`outlier_detection`", {"clusters", "0", "outlier_detection"}},
      {"`slow_start`", {"clusters", "0", "slow_start"}},
      {"`retries`", {"clusters", "0", "retries"}},
  };
  for (const auto& [h, p] : kPaths) {
    if (heading == h) return p;
  }
  return std::nullopt;
}

std::vector<std::string> Backquoted(const std::string& cell) {
  std::vector<std::string> out;
  static const std::regex kToken("`([^`]*)`");
  for (auto it = std::sregex_iterator(cell.begin(), cell.end(), kToken);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell.push_back(row[i]);
    }
  }
  for (std::string& c : cells) {
    c.erase(0, c.find_first_not_of(' '));
    c.erase(c.find_last_not_of(' ') + 1);
  }
  return cells;
}

// Reads every key table (header "| key | default | meaning |") of the document. A table under
// a heading this test does not know fails the test: a new section must say where it lives.
std::vector<DocumentedKey> DocumentedKeys(const std::string& doc,
                                          std::vector<std::string>& errors) {
  std::vector<DocumentedKey> keys;
  std::istringstream in(doc);
  std::string line, heading;
  bool in_key_table = false;
  int number = 0;
  static const std::regex kKeyName("[a-z_][a-z0-9_.]*");
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("#", 0) == 0) {
      heading = line.substr(line.find(' ') + 1);
      in_key_table = false;
      continue;
    }
    if (line.rfind("| key |", 0) == 0) {
      in_key_table = true;
      if (!PathOfHeading(heading)) {
        errors.push_back("docs/config.md:" + std::to_string(number) + ": key table under '" +
                         heading + "', which this test does not map to a YAML path");
      }
      continue;
    }
    if (line.rfind("|", 0) != 0) {
      in_key_table = false;
      continue;
    }
    if (!in_key_table || line.rfind("|---", 0) == 0) continue;
    const auto path = PathOfHeading(heading);
    if (!path) continue;
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() < 2) continue;
    std::vector<std::string> names;
    for (const std::string& n : Backquoted(cells[0])) {
      if (std::regex_match(n, kKeyName)) names.push_back(n);
    }
    // A literal default: the cell opens with a backquoted value ("`2` / `2`" pairs with
    // "`rise` / `fall`").
    std::vector<std::string> defaults;
    if (cells[1].rfind("`", 0) == 0) defaults = Backquoted(cells[1]);
    for (size_t i = 0; i < names.size(); ++i) {
      DocumentedKey k{heading, *path, names[i], std::nullopt, number};
      if (defaults.size() == names.size()) {
        k.default_value = defaults[i];
      } else if (!defaults.empty() && names.size() == 1) {
        k.default_value = defaults[0];
      }
      keys.push_back(std::move(k));
    }
  }
  return keys;
}

// The base config with `key` set to `value` (a YAML scalar or "{}") at `path`.
std::string WithKey(const DocumentedKey& k, const std::string& value) {
  YAML::Node root = YAML::Load(kBase);
  YAML::Node node = root;
  for (const std::string& p : k.path) {
    if (node.IsSequence()) {
      node.reset(node[std::stoul(p)]);
    } else {
      if (!node[p].IsDefined() || node[p].IsNull() || node[p].IsScalar()) {
        node[p] = YAML::Node(YAML::NodeType::Map);
      }
      node.reset(node[p]);
    }
  }
  std::string key = k.key;
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.')) {
    const std::string head = key.substr(0, dot);
    if (!node[head].IsDefined()) node[head] = YAML::Node(YAML::NodeType::Map);
    node.reset(node[head]);
    key = key.substr(dot + 1);
  }
  node[key] = YAML::Load(value.empty() ? "\"\"" : value);
  YAML::Emitter out;
  out << root;
  return out.c_str();
}

TEST(DocumentedKeysTest, EveryKeyInDocsConfigIsAccepted) {
  std::vector<std::string> errors;
  const std::vector<DocumentedKey> keys =
      DocumentedKeys(ReadFile(kSource / "docs" / "config.md"), errors);
  for (const std::string& e : errors) ADD_FAILURE() << e;
  // The document has well over a hundred keys; a parser that found few is broken.
  ASSERT_GT(keys.size(), 90u);
  size_t with_default = 0;
  for (const DocumentedKey& k : keys) {
    SCOPED_TRACE("docs/config.md:" + std::to_string(k.line) + " " + k.section + " '" + k.key + "'");
    const std::string value = k.default_value.value_or("{}");
    const std::string yaml = WithKey(k, value);
    core::Result<proxy::ProxyConfig> c = proxy::ParseConfig(yaml, "documented.yaml");
    const std::string message = c ? "" : c.error().message;
    const std::string leaf = k.key.substr(k.key.rfind('.') + 1);
    EXPECT_EQ(message.find("unknown key '" + leaf + "'"), std::string::npos) << message;
    EXPECT_EQ(message.find("unknown option '" + leaf + "'"), std::string::npos) << message;
    if (k.default_value) {
      // The documented default itself is a valid value.
      ++with_default;
      EXPECT_TRUE(c) << yaml << "\n" << message;
    }
  }
  EXPECT_GT(with_default, 60u);
}

TEST(DocumentedKeysTest, OutlierDetectionTuningKeysChangeTheOptions) {
  const std::string yaml = std::string(kBase) +
                           "    outlier_detection: { consecutive_5xx: 7, interval: 2s,"
                           " enforcing_success_rate: 50 }\n";
  core::Result<proxy::ProxyConfig> c = proxy::ParseConfig(yaml, "od.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->clusters[0].outlier_options.at("consecutive_5xx"), "7");
  EXPECT_EQ(c->clusters[0].outlier_options.at("interval"), "2s");
  EXPECT_EQ(c->clusters[0].outlier_options.size(), 3u);
}

TEST(DocumentedKeysTest, OutlierDetectionRejectsAnUnknownOrNestedKeyWithItsLine) {
  const std::string yaml = std::string(kBase) +
                           "    outlier_detection:\n"
                           "      consecutive_5x: 7\n"
                           "      interval: { s: 2 }\n";
  core::Result<proxy::ProxyConfig> c = proxy::ParseConfig(yaml, "od.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("'interval' must be a single value"), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("od.yaml:10:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("unknown option 'consecutive_5x'"), std::string::npos)
      << c.error().message;
}

TEST(DocumentedKeysTest, SlowStartKeysAreReadAndValidated) {
  const std::string yaml = std::string(kBase) +
                           "    slow_start: { window: 30s, aggression: 2, "
                           "min_weight_percent: 5 }\n";
  core::Result<proxy::ProxyConfig> c = proxy::ParseConfig(yaml, "slow.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->clusters[0].slow_start_options.at("window"), "30s");
  EXPECT_EQ(c->clusters[0].slow_start_options.at("aggression"), "2");

  const std::string bad = std::string(kBase) + "    slow_start: { window: 30s, aggression: 0 }\n";
  core::Result<proxy::ProxyConfig> b = proxy::ParseConfig(bad, "slow.yaml");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("aggression"), std::string::npos) << b.error().message;
}

// Every example loads through the loader of the command its first line names; a new example
// must be routed here (an unrouted file fails).
TEST(ExamplesTest, EveryExampleFileLoads) {
  size_t loaded = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "examples")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    const fs::path rel = fs::relative(entry.path(), kSource);
    const std::string name = rel.string();
    const std::string file = entry.path().filename().string();
    SCOPED_TRACE(name);
    std::string error;
    if (name.rfind("examples/scenarios/", 0) == 0) {
      auto s = sim::LoadScenario(entry.path().string());
      if (!s) error = s.error().message;
    } else if (name.rfind("examples/topologies/", 0) == 0) {
      auto t = taskd::LoadTopology(entry.path().string());
      if (!t) error = t.error().message;
    } else if (file.rfind("proxy", 0) == 0) {
      auto c = proxy::LoadConfigFile(entry.path().string());
      if (!c) error = c.error().message;
    } else if (file.rfind("engine", 0) == 0) {
      auto c = engine::LoadEngineConfig(entry.path().string());
      if (!c) error = c.error().message;
    } else if (file.rfind("tasks", 0) == 0) {
      auto c = taskd::LoadCoordinatorConfig(entry.path().string());
      if (!c) {
        error = c.error().message;
      } else if (!c->topology.empty()) {
        // The overlay's topology path is relative to the repository root, as documented.
        auto t = taskd::LoadTopology((kSource / c->topology).string());
        if (!t) error = t.error().message;
      }
    } else {
      ADD_FAILURE() << name << ": no loader known for this example; route it in this test";
      continue;
    }
    EXPECT_EQ(error, "");
    ++loaded;
  }
  EXPECT_GE(loaded, 20u);
}

// examples/engine-scrape.yaml mapped p50 and p99 but not p95: p95 read as 0 and every point
// failed the engine's p50 <= p95 <= p99 check. Two scrapes of a realistic target must give a
// point the engine accepts.
TEST(ExamplesTest, EngineScrapeExampleYieldsAcceptedPoints) {
  auto c = engine::LoadEngineConfig((kSource / "examples" / "engine-scrape.yaml").string());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->targets.size(), 1u);
  engine::TargetScraper scraper(c->targets[0]);
  auto exposition = [](int requests, int errors) {
    return "# TYPE http_requests_total counter\n"
           "http_requests_total{code=\"200\"} " +
           std::to_string(requests) +
           "\n"
           "http_requests_total{code=\"500\"} " +
           std::to_string(errors) +
           "\n"
           "# TYPE http_request_duration_seconds summary\n"
           "http_request_duration_seconds{quantile=\"0.5\"} 0.012\n"
           "http_request_duration_seconds{quantile=\"0.95\"} 0.040\n"
           "http_request_duration_seconds{quantile=\"0.99\"} 0.090\n"
           "process_cpu_utilisation 0.4\n"
           "up 1\n";
  };
  const core::TimePoint t0{};
  EXPECT_FALSE(scraper.Build(engine::ParsePrometheusText(exposition(1000, 10)), t0, 1e9));
  auto point = scraper.Build(engine::ParsePrometheusText(exposition(1200, 12)),
                             t0 + std::chrono::seconds(2), 1e9 + 2);
  ASSERT_TRUE(point);
  EXPECT_DOUBLE_EQ(point->latency_p95, 40.0);
  auto valid = engine::ValidatePoint(*point);
  EXPECT_TRUE(valid) << valid.error().message;
}

TEST(ExamplesTest, EngineScrapeRefusesAPercentileMappingWithAHole) {
  auto c = engine::ParseEngineConfig(R"(scrape:
  targets:
    - service: api
      url: http://127.0.0.1:9100/metrics
      fields:
        latency_p50: {metric: d, labels: {quantile: "0.5"}}
        latency_p99: {metric: d, labels: {quantile: "0.99"}}
)",
                                     "scrape.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("scrape.yaml:6:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("latency_p95 is not"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace huddle
