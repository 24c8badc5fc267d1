#include "proxy/config.h"

#include <gtest/gtest.h>

namespace huddle::proxy {
namespace {

constexpr const char* kMinimal = R"(admin:
  address: 127.0.0.1:9901
listeners:
  - name: web
    address: 127.0.0.1:8080
    cluster: app
clusters:
  - name: app
    policy: thermal
    backends:
      - { name: s1, address: 127.0.0.1:9001, weight: 1 }
      - { name: s2, address: 127.0.0.1:9002 }
    health_check: { path: /healthz, interval: 1s, timeout: 500ms, rise: 2, fall: 2 }
    retries: { attempts: 2 }
)";

TEST(ProxyConfigTest, ParsesTheMinimalFileOfTheIssue) {
  core::Result<ProxyConfig> c = ParseConfig(kMinimal, "min.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->admin.address.port, 9901);
  ASSERT_EQ(c->listeners.size(), 1u);
  EXPECT_EQ(c->listeners[0].address.port, 8080);
  EXPECT_EQ(c->listeners[0].cluster, "app");
  ASSERT_EQ(c->clusters.size(), 1u);
  const ClusterConfig& app = c->clusters[0];
  EXPECT_EQ(app.policy, "thermal");
  ASSERT_EQ(app.backends.size(), 2u);
  EXPECT_EQ(app.backends[1].name, "s2");
  EXPECT_EQ(app.backends[1].weight, 1.0);
  EXPECT_EQ(app.health_check.interval, std::chrono::seconds(1));
  EXPECT_EQ(app.health_check.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(app.retries.attempts, 2);
  // Defaults documented in docs/config.md.
  EXPECT_EQ(c->listeners[0].max_header_count, 100u);
  EXPECT_EQ(app.connect_timeout, std::chrono::seconds(1));
  EXPECT_EQ(app.retries.budget_percent, 20.0);
  EXPECT_EQ(app.retries.min_retry_concurrency, 3);
}

TEST(ProxyConfigTest, UnknownKeyIsReportedWithFileAndLine) {
  const std::string text = std::string(kMinimal) + "bogus: 1\n";
  core::Result<ProxyConfig> c = ParseConfig(text, "f.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("f.yaml:15:1: config: unknown key 'bogus'"), std::string::npos)
      << c.error().message;
}

TEST(ProxyConfigTest, ReportsEveryErrorWithItsLine) {
  const std::string text = R"(listeners:
  - name: web
    address: 127.0.0.1:99999
    cluster: nope
    idle_timeout: soon
clusters:
  - name: app
    policy: no_such_policy
    backends:
      - { address: 127.0.0.1:9001, colour: red }
)";
  core::Result<ProxyConfig> c = ParseConfig(text, "bad.yaml");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("bad.yaml:3:14:"), std::string::npos) << m;  // port out of range
  EXPECT_NE(m.find("bad.yaml:5:19:"), std::string::npos) << m;  // duration
  EXPECT_NE(m.find("bad.yaml:8:13:"), std::string::npos) << m;  // policy
  EXPECT_NE(m.find("unknown key 'colour'"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown cluster 'nope'"), std::string::npos) << m;
}

TEST(ProxyConfigTest, AdminBeyondLoopbackNeedsAToken) {
  std::string text = kMinimal;
  text.replace(text.find("127.0.0.1:9901"), 14, "0.0.0.0:9901");
  core::Result<ProxyConfig> c = ParseConfig(text, "a.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("token is required"), std::string::npos);
  text.replace(text.find("0.0.0.0:9901"), 12, "0.0.0.0:9901\n  token: s3cret");
  EXPECT_TRUE(ParseConfig(text, "a.yaml")) << text;
}

TEST(ProxyConfigTest, PolicyOptionsAreValidatedByThePolicy) {
  std::string text = kMinimal;
  text.replace(text.find("    backends:"), 0, "    thermal: { no_such_option: 3 }\n");
  core::Result<ProxyConfig> c = ParseConfig(text, "p.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("no_such_option"), std::string::npos) << c.error().message;
}

TEST(ProxyConfigTest, YamlSyntaxErrorHasALine) {
  core::Result<ProxyConfig> c = ParseConfig("listeners: [\n  - a\n", "s.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.rfind("s.yaml:", 0), 0u) << c.error().message;
}

// yaml-cpp keeps a repeated key and lookups see the first: the second `threads` and the second
// `clusters:` section were ignored without a word.
TEST(ProxyConfigTest, DuplicateKeysAreErrorsWithTheirLine) {
  const std::string twice_threads = std::string("threads: 2\nthreads: 8\n") + kMinimal;
  core::Result<ProxyConfig> c = ParseConfig(twice_threads, "dup.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("dup.yaml:2:1: duplicate key 'threads' (first at line 1)"),
            std::string::npos)
      << c.error().message;

  const std::string two_sections = std::string(kMinimal) +
                                   "clusters:\n  - name: other\n    backends:\n"
                                   "      - { address: 127.0.0.1:9009 }\n";
  c = ParseConfig(two_sections, "dup.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("dup.yaml:15:1: duplicate key 'clusters'"), std::string::npos)
      << c.error().message;

  // Nested mappings too (a backend's weight written twice).
  c = ParseConfig(R"(listeners: [ { name: w, address: 127.0.0.1:0, cluster: a } ]
clusters:
  - name: a
    backends:
      - { address: 127.0.0.1:9001, weight: 1, weight: 9 }
)",
                  "dup.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("dup.yaml:5:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("duplicate key 'weight'"), std::string::npos);
}

constexpr const char* kTwoListeners = R"(admin: { address: ADMIN }
listeners:
  - { name: a, address: "FIRST", cluster: app }
  - { name: b, address: "SECOND", cluster: app }
clusters:
  - name: app
    backends: [ { address: 127.0.0.1:9001 } ]
)";

std::string Listeners(const std::string& admin, const std::string& first,
                      const std::string& second) {
  std::string y = kTwoListeners;
  y.replace(y.find("ADMIN"), 5, admin);
  y.replace(y.find("FIRST"), 5, first);
  y.replace(y.find("SECOND"), 6, second);
  return y;
}

// Every worker binds with SO_REUSEPORT, so two listeners on one address both bound and split the
// traffic between their clusters.
TEST(ProxyConfigTest, TwoListenersOnOneAddressAreRefused) {
  for (const auto& [first, second] :
       std::vector<std::pair<std::string, std::string>>{{"127.0.0.1:8080", "127.0.0.1:8080"},
                                                        {"0.0.0.0:8080", "127.0.0.1:8080"},
                                                        {"127.0.0.1:8080", ":8080"},
                                                        {"[::1]:8080", "[::]:8080"}}) {
    core::Result<ProxyConfig> c = ParseConfig(Listeners("127.0.0.1:9901", first, second), "l.yaml");
    ASSERT_FALSE(c) << first << " " << second;
    EXPECT_NE(c.error().message.find("l.yaml:4:"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("already used by listener 'a'"), std::string::npos)
        << c.error().message;
  }
  // Different ports, different hosts on one port, and port 0 (a free port each) are fine.
  EXPECT_TRUE(ParseConfig(Listeners("127.0.0.1:9901", "127.0.0.1:8080", "127.0.0.1:8081"), "l"));
  EXPECT_TRUE(ParseConfig(Listeners("127.0.0.1:9901", "127.0.0.1:8080", "127.0.0.2:8080"), "l"));
  EXPECT_TRUE(ParseConfig(Listeners("127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"), "l"));
}

TEST(ProxyConfigTest, AdminOnAListenersPortIsRefused) {
  core::Result<ProxyConfig> c =
      ParseConfig(Listeners("127.0.0.1:8081", "127.0.0.1:8080", "0.0.0.0:8081"), "a.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("a.yaml:4:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("is also the admin address 127.0.0.1:8081"), std::string::npos)
      << c.error().message;
  // With the admin listener off, its address is free.
  std::string off = Listeners("127.0.0.1:8081", "127.0.0.1:8080", "127.0.0.1:8081");
  off.replace(off.find("admin: {"), 8, "admin: { enabled: false,");
  EXPECT_TRUE(ParseConfig(off, "a.yaml"));
}

TEST(ProxyConfigTest, WeightsMustBeFiniteAndInRange) {
  for (const char* w : {"1e308", "1e7", "0", "-1", ".nan", ".inf", "1e-9"}) {
    const std::string y =
        std::string(R"(listeners: [ { name: w, address: 127.0.0.1:0, cluster: a } ]
clusters:
  - name: a
    backends: [ { address: 127.0.0.1:9001, weight: )") +
        w + " } ]\n";
    EXPECT_FALSE(ParseConfig(y, "w.yaml")) << w;
  }
}

}  // namespace
}  // namespace huddle::proxy
