#include "conformance_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "wire_parser.h"

namespace huddle::conformance {
namespace {

using Clock = std::chrono::steady_clock;
// How long the client waits for a byte while it still expects a response, and how long it keeps
// listening for unexpected extra responses once it has all it expected. Only the second one can
// make a check pass wrongly (an extra response later than this is missed), never fail wrongly.
constexpr int kExpectWaitMs = 4000;  // above the 3 s upstream timeouts the proxies get
constexpr int kExtraWaitMs = 200;
// After the upstream's script ran: lets a proxy see bytes or EOF on its idle connection before
// the next request (as it would when the next request comes a moment later).
constexpr auto kSettle = std::chrono::milliseconds(50);
// A script that sends bytes after a complete response: a proxy that watches its idle connections
// closes this one; the next request waits for that close (an event, not a sleep) up to this long.
constexpr int kIdleCloseWaitMs = 2000;

// True when the script sends bytes after a pause (after the response is complete).
bool SendsAfterPause(const std::vector<ScriptStep>& steps) {
  bool paused = false;
  for (const ScriptStep& s : steps) {
    if (s.kind == ScriptStep::Kind::kPause) paused = true;
    if (s.kind == ScriptStep::Kind::kSend && paused) return true;
  }
  return false;
}

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool eof() const { return eof_; }
  std::string& buffer() { return buffer_; }

  // Sends what the proxy takes; a proxy may close before reading everything.
  void Send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // Waits up to `wait_ms` for bytes; false on timeout or at EOF.
  bool Fill(int wait_ms) {
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;  // EOF or reset
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

struct ClientRead {
  std::vector<WireMessage> responses;
  std::string error;  // the bytes after the last complete response did not parse
  bool eof = false;
  bool incomplete = false;  // EOF in the middle of a response
};

// Reads responses until EOF, an unparsable byte, or quiet: kExpectWaitMs while fewer than
// `expected` responses arrived, kExtraWaitMs after.
ClientRead ReadResponses(RawClient& c, size_t expected, bool head_request) {
  ClientRead r;
  for (;;) {
    for (;;) {
      const WireParse p = ParseResponse(c.buffer(), c.eof(), head_request);
      if (p.state == WireParse::State::kComplete) {
        r.responses.push_back(p.message);
        c.buffer().erase(0, p.consumed);
        continue;
      }
      if (p.state == WireParse::State::kError) {
        if (c.eof() && (p.error == "no bytes" || p.error == "incomplete message")) {
          r.incomplete = p.error == "incomplete message";
        } else {
          r.error = p.error;
        }
      }
      break;
    }
    if (!r.error.empty() || c.eof()) break;
    const int wait = r.responses.size() >= expected ? kExtraWaitMs : kExpectWaitMs;
    if (!c.Fill(wait) && !c.eof()) break;
  }
  r.eof = c.eof();
  return r;
}

std::vector<std::string> Tokens(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string t;
  while (in >> t) out.push_back(t);
  return out;
}

bool TokenMatches(const std::string& expected, const std::string& observed) {
  if (expected == observed) return true;
  const bool local = !observed.empty() && std::isdigit(static_cast<unsigned char>(observed[0]));
  const int status = local ? std::atoi(observed.c_str()) : 0;
  if (expected == "rej") return status >= 400;
  if (expected == "4xx") return status >= 400 && status < 500;
  if (expected == "5xx") return status >= 500;
  if (expected == "none") return observed == "none";
  if (expected.size() > 2 && expected.compare(expected.size() - 2, 2, ":*") == 0) {
    return observed.compare(0, expected.size() - 1, expected, 0, expected.size() - 1) == 0;
  }
  return false;
}

bool Matches(const Vector& v, const std::vector<std::string>& observed) {
  for (const std::string& alternative : v.expect) {
    const std::vector<std::string> want = Tokens(alternative);
    if (want.size() != observed.size()) continue;
    bool all = true;
    for (size_t i = 0; i < want.size() && all; ++i) all = TokenMatches(want[i], observed[i]);
    if (all) return true;
  }
  return false;
}

size_t MostExpected(const Vector& v) {
  size_t n = 0;
  for (const std::string& alternative : v.expect) n = std::max(n, Tokens(alternative).size());
  return n;
}

std::string Join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out.empty() ? "none" : out;
}

// The upstream index a response names, or 0.
uint64_t UpstreamIndex(const WireMessage& m) {
  const std::string v = m.Value("x-upstream-index");
  if (v.empty() || v.rfind("bad-", 0) == 0) return 0;
  return std::strtoull(v.c_str(), nullptr, 10);
}

// A request on a fresh connection must get the upstream's answer to itself. Empty when it does.
std::string Probe(uint16_t port, RecordingUpstream& upstream, const std::string& target,
                  RawClient* reuse = nullptr) {
  std::unique_ptr<RawClient> own;
  RawClient* c = reuse;
  if (c == nullptr) {
    own = std::make_unique<RawClient>(port);
    c = own.get();
  }
  if (!c->connected()) return "probe could not connect";
  c->Send("GET " + target + " HTTP/1.1\r\nHost: probe.test\r\n\r\n");
  const ClientRead r = ReadResponses(*c, 1, false);
  if (r.responses.empty()) {
    if (reuse != nullptr && r.eof && r.error.empty() && !r.incomplete) return "";  // closed: fine
    return target + " got no response" + (r.error.empty() ? "" : " (" + r.error + ")");
  }
  const WireMessage& m = r.responses.front();
  const uint64_t index = UpstreamIndex(m);
  const auto req = upstream.ByIndex(index);
  if (index == 0 || !req || req->message.target != target) {
    return target + " got status " + std::to_string(m.status) + " body \"" +
           EscapeBytes(m.body, 40) + "\" (upstream request " + std::to_string(index) +
           (req ? " " + req->message.method + " " + req->message.target : std::string()) + ")";
  }
  if (r.responses.size() > 1) return target + " got an extra response";
  return "";
}

std::string HeaderCheck(const WireMessage& m, const std::string& spec) {
  const size_t eq = spec.find('=');
  const std::string name = spec.substr(0, eq);
  const std::string want = eq == std::string::npos ? "" : spec.substr(eq + 1);
  if (m.Count(name) != 1) {
    return "forwarded request has " + std::to_string(m.Count(name)) + " " + name + " fields";
  }
  if (eq != std::string::npos && m.Value(name) != want) {
    return "forwarded " + name + " is \"" + m.Value(name) + "\", not \"" + want + "\"";
  }
  return "";
}

void AddFailure(std::string& detail, const std::string& why) {
  if (why.empty()) return;
  detail += (detail.empty() ? "" : "; ") + why;
}

VectorResult RunRequestVector(const Vector& v, uint16_t port, RecordingUpstream& upstream) {
  VectorResult result;
  upstream.CloseAll();
  const size_t base = upstream.RequestCount();
  std::vector<std::string> tokens;
  std::string flags;
  ClientRead read;
  {
    RawClient c(port);
    if (!c.connected()) return {"none", false, "cannot connect to the proxy"};
    c.Send(v.bytes);
    read = ReadResponses(c, MostExpected(v), v.method == "HEAD");
  }
  std::vector<uint64_t> forwarded;
  int interim = 0;
  for (const WireMessage& m : read.responses) {
    interim += m.interim;
    const std::string index = m.Value("x-upstream-index");
    if (index.rfind("bad-", 0) == 0) {
      tokens.push_back("fwd!");
    } else if (!index.empty()) {
      tokens.push_back("fwd");
      forwarded.push_back(UpstreamIndex(m));
    } else {
      tokens.push_back(std::to_string(m.status));
    }
  }
  if (!read.error.empty()) tokens.push_back("garbage(" + read.error + ")");
  const std::vector<RecordedRequest> seen = upstream.RequestsFrom(base);
  result.pass = Matches(v, tokens);
  if (!result.pass) {
    AddFailure(result.detail, "expected " + v.expect.front() +
                                  (v.expect.size() > 1 ? " (or another alternative)" : ""));
  }
  for (const RecordedRequest& r : seen) {
    if (!r.problem.empty()) {
      AddFailure(result.detail, "upstream rejected forwarded bytes (" + r.problem + "): \"" +
                                    EscapeBytes(r.raw, 120) + "\"");
    }
  }
  size_t forwarded_count = 0;
  for (const std::string& t : tokens) forwarded_count += t.rfind("fwd", 0) == 0;
  size_t clean = 0;  // requests the upstream could act on (the others are reported above)
  for (const RecordedRequest& r : seen) clean += r.problem.empty();
  if (clean > forwarded_count) {
    flags += " +smuggled";
    std::string targets;
    for (const RecordedRequest& r : seen)
      targets += " " + r.message.method + " " + r.message.target;
    AddFailure(result.detail, "upstream saw " + std::to_string(clean) +
                                  " requests, the client got " + std::to_string(forwarded_count) +
                                  " forwarded responses:" + targets);
  }
  for (size_t i = 0; i < forwarded.size(); ++i) {
    if (i >= seen.size() || seen[i].index != forwarded[i]) {
      flags += " +misordered";
      AddFailure(result.detail, "forwarded response " + std::to_string(i + 1) +
                                    " names upstream request " + std::to_string(forwarded[i]));
      break;
    }
  }
  if (!forwarded.empty() && !seen.empty() && seen.front().problem.empty()) {
    const WireMessage& m = seen.front().message;
    if (v.has_fwd_body && m.body != v.fwd_body) {
      AddFailure(result.detail, "forwarded body \"" + EscapeBytes(m.body) + "\", not \"" +
                                    EscapeBytes(v.fwd_body) + "\"");
    }
    for (const std::string& h : v.fwd_header) AddFailure(result.detail, HeaderCheck(m, h));
    for (const std::string& h : v.fwd_no_header) {
      if (m.Count(h) > 0) AddFailure(result.detail, "forwarded request still has " + h);
    }
    if (!v.fwd_target.empty() && m.target != v.fwd_target) {
      AddFailure(result.detail, "forwarded target " + m.target + ", not " + v.fwd_target);
    }
  }
  if (v.close && !read.eof && !read.responses.empty()) {
    flags += " +kept-open";
    AddFailure(result.detail, "the connection stayed open (the RFC requires a close)");
  }
  if (v.no_interim && interim > 0) {
    flags += " +interim";
    AddFailure(result.detail, "a 1xx reached an HTTP/1.0 client");
  }
  const std::string probe = Probe(port, upstream, "/probe-" + v.id);
  if (!probe.empty()) {
    flags += " +poisoned";
    AddFailure(result.detail, "probe: " + probe);
  }
  result.observed = Join(tokens) + flags;
  result.pass = result.detail.empty();
  if (!seen.empty() && !result.pass) {
    result.detail += " | upstream got: \"" + EscapeBytes(seen.front().raw, 200) + "\"";
  }
  return result;
}

VectorResult RunResponseVector(const Vector& v, uint16_t port, RecordingUpstream& upstream) {
  VectorResult result;
  upstream.CloseAll();
  const std::string target = "/script-" + v.id;
  const std::vector<ScriptStep> steps = ParseScript(v.bytes);
  upstream.SetScript(target, steps);
  const bool head = v.method == "HEAD";
  RawClient c(port);
  if (!c.connected()) return {"none", false, "cannot connect to the proxy"};
  c.Send(v.method + " " + target + " HTTP/1.1\r\nHost: script.test\r\n\r\n");
  const ClientRead read = ReadResponses(c, 1, head);
  std::vector<std::string> tokens;
  std::string flags;
  bool complete = false;
  if (!read.responses.empty()) {
    const WireMessage& m = read.responses.front();
    complete = true;
    // The scripts never answer 5xx: a 5xx is the proxy's own.
    tokens.push_back(m.status >= 500
                         ? std::to_string(m.status)
                         : "relay:" + std::to_string(m.status) + ":" + EscapeBytes(m.body, 40));
    if (read.responses.size() > 1) {
      flags += " +extra-response";
      AddFailure(result.detail, "the client got a second, unrequested response");
    }
  } else if (!read.error.empty()) {
    tokens.push_back("garbage(" + read.error + ")");
  } else if (read.eof) {
    tokens.push_back("truncated");
  } else {
    tokens.push_back("none");
  }
  result.pass = Matches(v, tokens);
  if (!result.pass) {
    AddFailure(result.detail, "expected " + v.expect.front() +
                                  (v.expect.size() > 1 ? " (or another alternative)" : ""));
  }
  upstream.WaitScriptDone(kExpectWaitMs);
  if (SendsAfterPause(steps)) upstream.WaitScriptConnectionClosed(kIdleCloseWaitMs);
  std::this_thread::sleep_for(kSettle);
  const bool kept_open = complete && !read.eof && read.error.empty() &&
                         read.responses.front().Value("connection") != "close";
  if (kept_open) {
    const std::string next = Probe(port, upstream, "/next-" + v.id, &c);
    if (!next.empty()) {
      flags += " +poisoned-next";
      AddFailure(result.detail, "next request on the same connection: " + next);
    }
  }
  const std::string probe = Probe(port, upstream, "/probe-" + v.id);
  if (!probe.empty()) {
    flags += " +poisoned";
    AddFailure(result.detail, "probe: " + probe);
  }
  result.observed = Join(tokens) + flags;
  result.pass = result.detail.empty();
  return result;
}

}  // namespace

VectorResult RunVector(const Vector& v, uint16_t proxy_port, RecordingUpstream& upstream) {
  return v.kind == Vector::Kind::kRequest ? RunRequestVector(v, proxy_port, upstream)
                                          : RunResponseVector(v, proxy_port, upstream);
}

}  // namespace huddle::conformance
