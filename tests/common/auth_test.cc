#include "common/http/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace huddle::http {
namespace {

std::optional<int> Status(const AuthPolicy& policy, std::string_view host, std::string_view origin,
                          std::string_view authorization, bool needs_token = true) {
  auto r = CheckRequest(policy, {.host = host, .origin = origin, .authorization = authorization},
                        needs_token);
  if (!r) return std::nullopt;
  return r->status;
}

TEST(AuthRuleTest, HostMustNameTheListener) {
  const AuthPolicy loopback{
      .token = "", .listen_host = "127.0.0.1", .allowed_hosts = {"lb.internal"}};
  EXPECT_EQ(Status(loopback, "127.0.0.1:9901", "", ""), std::nullopt);
  EXPECT_EQ(Status(loopback, "localhost:9901", "", ""), std::nullopt);
  EXPECT_EQ(Status(loopback, "LOCALHOST", "", ""), std::nullopt);
  EXPECT_EQ(Status(loopback, "[::1]:9901", "", ""), std::nullopt);
  EXPECT_EQ(Status(loopback, "lb.internal:9901", "", ""), std::nullopt);
  EXPECT_EQ(Status(loopback, "", "", ""), std::nullopt);  // HTTP/1.0: no Host, not a browser
  EXPECT_EQ(Status(loopback, "evil.example:9901", "", ""), 421);
  EXPECT_EQ(Status(loopback, "10.0.0.5:9901", "", ""), 421);
  EXPECT_EQ(Status(loopback, "127.0.0.1.evil.example", "", ""), 421);
  const AuthPolicy one{.token = "t", .listen_host = "10.0.0.5"};
  EXPECT_EQ(Status(one, "10.0.0.5:9901", "", "Bearer t"), std::nullopt);
  EXPECT_EQ(Status(one, "10.0.0.6:9901", "", "Bearer t"), 421);
  EXPECT_EQ(Status(one, "localhost", "", "Bearer t"), 421);
  const AuthPolicy any{.token = "t", .listen_host = "0.0.0.0"};
  EXPECT_EQ(Status(any, "192.168.1.9:9901", "", "Bearer t"), std::nullopt);
  EXPECT_EQ(Status(any, "[fe80::1]:9901", "", "Bearer t"), std::nullopt);
  EXPECT_EQ(Status(any, "attacker.example", "", "Bearer t"), 421);
}

TEST(AuthRuleTest, OriginMustBeTheSameOrigin) {
  const AuthPolicy p{.token = "", .listen_host = "127.0.0.1"};
  EXPECT_EQ(Status(p, "127.0.0.1:9901", "http://127.0.0.1:9901", ""), std::nullopt);
  EXPECT_EQ(Status(p, "127.0.0.1:9901", "https://127.0.0.1:9901", ""), std::nullopt);
  EXPECT_EQ(Status(p, "127.0.0.1:9901", "http://evil.example", ""), 403);
  EXPECT_EQ(Status(p, "127.0.0.1:9901", "http://127.0.0.1:9902", ""), 403);
  EXPECT_EQ(Status(p, "127.0.0.1:9901", "null", ""), 403);
  EXPECT_EQ(Status(p, "", "http://127.0.0.1:9901", ""), 403);
}

TEST(AuthRuleTest, TheBearerTokenIsComparedExactly) {
  const AuthPolicy p{.token = "0123456789abcdef", .listen_host = "127.0.0.1"};
  EXPECT_EQ(Status(p, "", "", "Bearer 0123456789abcdef"), std::nullopt);
  EXPECT_EQ(Status(p, "", "", ""), 401);
  EXPECT_EQ(Status(p, "", "", "Bearer "), 401);
  EXPECT_EQ(Status(p, "", "", "Bearer 0123456789abcde"), 401);
  EXPECT_EQ(Status(p, "", "", "Bearer 0123456789abcdefg"), 401);
  EXPECT_EQ(Status(p, "", "", "Basic 0123456789abcdef"), 401);
  EXPECT_EQ(Status(p, "", "", "0123456789abcdef"), 401);
  EXPECT_EQ(Status(p, "", "", "", /*needs_token=*/false), std::nullopt);
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("a", ""));
  EXPECT_FALSE(ConstantTimeEquals("ab", "ac"));
}

TEST(StartTokenTest, NoneOnlyOnLoopbackAndEmptyGenerates) {
  EXPECT_TRUE(ResolveStartToken("none", "127.0.0.1", "admin").has_value());
  EXPECT_TRUE(ResolveStartToken("none", "::1", "admin").has_value());
  EXPECT_TRUE(ResolveStartToken("none", "localhost", "admin").has_value());
  EXPECT_FALSE(ResolveStartToken("none", "0.0.0.0", "admin").has_value());
  EXPECT_FALSE(ResolveStartToken("none", "::", "admin").has_value());
  EXPECT_FALSE(ResolveStartToken("none", "10.1.2.3", "admin").has_value());
  EXPECT_FALSE(ResolveStartToken("short", "127.0.0.1", "admin").has_value());
  const auto given = ResolveStartToken("a-long-enough-token", "0.0.0.0", "admin");
  ASSERT_TRUE(given.has_value());
  EXPECT_EQ(given->token, "a-long-enough-token");
  EXPECT_FALSE(given->generated);
  const auto a = ResolveStartToken("", "0.0.0.0", "admin");
  const auto b = ResolveStartToken("", "127.0.0.1", "admin");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_TRUE(a->generated);
  EXPECT_EQ(a->token.size(), 64u);
  EXPECT_NE(a->token, b->token);
}

TEST(TokenFileTest, IsWrittenForTheUserOnlyAndReadBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("huddle-token-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ::setenv("HUDDLE_TOKEN_DIR", dir.c_str(), 1);
  auto path = WriteTokenFile("admin", 9901, "first-token");
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(*path, (dir / "admin-9901.token").string());
  EXPECT_EQ(std::filesystem::status(*path).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(std::filesystem::status(dir).permissions(), std::filesystem::perms::owner_all);
  EXPECT_EQ(ReadTokenFile("admin", 9901).value_or(""), "first-token");
  ASSERT_TRUE(WriteTokenFile("admin", 9901, "second-token").has_value());  // a restart
  EXPECT_EQ(ReadTokenFile("admin", 9901).value_or(""), "second-token");
  EXPECT_FALSE(ReadTokenFile("admin", 9902).has_value());
  // A directory others may write to is refused (they could swap the file).
  std::filesystem::permissions(dir, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  EXPECT_FALSE(WriteTokenFile("admin", 9901, "third-token").has_value());
  std::filesystem::remove_all(dir);
  ::unsetenv("HUDDLE_TOKEN_DIR");
}

}  // namespace
}  // namespace huddle::http
