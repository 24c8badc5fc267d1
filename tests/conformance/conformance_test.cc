// The conformance table through the real proxy: every vector of request_vectors.txt and
// response_vectors.txt runs against a ProxyServer started in process, whose only backend is the
// recording upstream (see conformance_check.h for what is checked).
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "conformance_check.h"
#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "recording_upstream.h"
#include "vector_file.h"

namespace huddle::conformance {
namespace {

std::vector<Vector> LoadAll() {
  std::vector<Vector> vectors;
  for (const char* name : {"request_vectors.txt", "response_vectors.txt"}) {
    std::string error;
    if (!LoadVectors(std::string(HUDDLE_CONFORMANCE_DIR) + "/" + name, vectors, error)) {
      ADD_FAILURE() << error;
    }
  }
  return vectors;
}

// One proxy and one recording upstream for the whole table: plain reverse proxying, no retries,
// no health checks (their requests would land in the upstream's log), as the haproxy and nginx
// columns are configured in bench/conformance/run.sh.
class ConformanceEnvironment {
 public:
  ~ConformanceEnvironment() {
    if (server_) server_->Stop();
  }
  static ConformanceEnvironment& Get() {
    static ConformanceEnvironment env;
    return env;
  }
  uint16_t port() const { return port_; }
  // A fresh proxy: after a failed vector, so that a poisoned connection pool cannot carry the
  // failure into the next vector.
  void RestartProxy() {
    if (server_) server_->Stop();
    server_.reset();
    StartProxy();
  }
  RecordingUpstream& upstream() { return upstream_; }
  const std::string& error() const { return error_; }

 private:
  ConformanceEnvironment() {
    if (!upstream_.Start(0, error_)) return;
    const std::string yaml =
        "threads: 1\n"
        "admin:\n  address: 127.0.0.1:0\n"
        "listeners:\n  - name: web\n    address: 127.0.0.1:0\n    cluster: app\n"
        "    header_timeout: 2s\n"
        "clusters:\n  - name: app\n    backends:\n"
        "      - { name: rec, address: 127.0.0.1:" +
        std::to_string(upstream_.port()) +
        " }\n"
        "    health_check: { enabled: false }\n"
        "    outlier_detection: off\n"
        "    retries: { attempts: 0 }\n"
        "    timeouts: { connect: 1s, response: 3s }\n";
    auto config = proxy::ParseConfig(yaml, "conformance.yaml");
    if (!config) {
      error_ = config.error().message;
      return;
    }
    config_ = *config;
    StartProxy();
  }

  void StartProxy() {
    server_ = std::make_unique<proxy::ProxyServer>(config_);
    auto started = server_->Start();
    if (!started) {
      error_ = started.error().message;
      server_.reset();
      port_ = 0;
      return;
    }
    port_ = server_->listener_port(0);
  }

  RecordingUpstream upstream_;
  proxy::ProxyConfig config_;
  std::unique_ptr<proxy::ProxyServer> server_;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace

// Names a vector in gtest's messages instead of dumping its bytes.
void PrintTo(const Vector& v, std::ostream* os) { *os << v.id; }

namespace {

class ConformanceTest : public ::testing::TestWithParam<Vector> {};

TEST_P(ConformanceTest, MatchesTheRfcVerdict) {
  const Vector& v = GetParam();
  ConformanceEnvironment& env = ConformanceEnvironment::Get();
  ASSERT_NE(env.port(), 0) << env.error();
  const VectorResult r = RunVector(v, env.port(), env.upstream());
  if (!r.pass) env.RestartProxy();
  // A known failure still runs: once it passes, its skip line must go (so none is forgotten).
  if (!v.skip.empty()) {
    EXPECT_FALSE(r.pass) << "vector " << v.id
                         << " passes now: delete its skip line in the vector file";
    if (!r.pass) GTEST_SKIP() << v.skip << " (observed: " << r.observed << ")";
    return;
  }
  EXPECT_TRUE(r.pass) << "vector " << v.id << " (" << v.rfc
                      << ")\n  sent:     " << EscapeBytes(v.bytes, 300)
                      << "\n  observed: " << r.observed << "\n  detail:   " << r.detail;
}

std::string Name(const ::testing::TestParamInfo<Vector>& info) {
  std::string name = info.param.kind == Vector::Kind::kRequest ? "Request_" : "Response_";
  for (char c : info.param.id)
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, ConformanceTest, ::testing::ValuesIn(LoadAll()), Name);

// The harness itself: the strict parser must catch what the table relies on it to catch.
TEST(WireParserTest, RejectsAmbiguousFraming) {
  EXPECT_EQ(ParseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                         false)
                .state,
            WireParse::State::kError);
  EXPECT_EQ(ParseRequest("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", false).state,
            WireParse::State::kError);
  EXPECT_EQ(ParseRequest("GET / HTTP/1.1\nHost: a\r\n\r\n", false).state, WireParse::State::kError);
  EXPECT_EQ(ParseRequest("GET / HTTP/1.1\r\nHost : a\r\n\r\n", false).state,
            WireParse::State::kError);
  const WireParse ok = ParseRequest(
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\n"
      "T: v\r\n\r\nGET",
      false);
  ASSERT_EQ(ok.state, WireParse::State::kComplete) << ok.error;
  EXPECT_EQ(ok.message.body, "hello");
  EXPECT_EQ(ok.message.trailers.size(), 1u);
  EXPECT_EQ(ok.consumed, 82u);  // all but the next request's "GET"
}

TEST(WireParserTest, ResponseFramingFollowsRfc9112Section6_3) {
  const WireParse head = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, true);
  ASSERT_EQ(head.state, WireParse::State::kComplete);
  EXPECT_EQ(head.message.body, "");
  const WireParse until_close = ParseResponse("HTTP/1.1 200 OK\r\n\r\nabc", false, false);
  EXPECT_EQ(until_close.state, WireParse::State::kNeedMore);
  const WireParse closed = ParseResponse("HTTP/1.1 200 OK\r\n\r\nabc", true, false);
  ASSERT_EQ(closed.state, WireParse::State::kComplete);
  EXPECT_EQ(closed.message.body, "abc");
  const WireParse interim =
      ParseResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", false, false);
  ASSERT_EQ(interim.state, WireParse::State::kComplete);
  EXPECT_EQ(interim.message.interim, 1);
  EXPECT_EQ(interim.message.status, 204);
  EXPECT_EQ(ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                          false, false)
                .state,
            WireParse::State::kError);
}

TEST(VectorFileTest, DecodesEscapesAndRepeats) {
  std::string out;
  std::string error;
  ASSERT_TRUE(DecodeEscapes("a\\r\\n\\x00\\t{{3*z}}\\\\", out, error)) << error;
  EXPECT_EQ(out, std::string("a\r\n\0\tzzz\\", 9));
  EXPECT_FALSE(DecodeEscapes("\\q", out, error));
  EXPECT_EQ(EscapeBytes(std::string("a\r\x01", 3)), "a\\r\\x01");
}

}  // namespace
}  // namespace huddle::conformance
