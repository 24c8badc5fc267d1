#pragma once

// The conformance harness's backend: a plain TCP server on loopback that keeps exactly the bytes
// each connection received, parses them with the strict WireParser, and answers each request in
// order with a canned response whose body names the request's index ("resp-<n>", header
// x-upstream-index: n). A request the strict parser rejects is recorded with its reason and
// answered 400 with x-upstream-index: bad-<n>, then the connection is closed.
// A script replaces the canned answer of the first request whose target starts with a prefix:
// exact bytes, with pauses, a close or a reset (for the response vectors).
// Thread safety: every public method may be called from any thread.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "wire_parser.h"

namespace huddle::conformance {

struct ScriptStep {
  enum class Kind { kSend, kPause, kClose, kReset };
  Kind kind = Kind::kSend;
  std::string bytes;  // kSend
};

// Splits a response script into steps at the markers <<pause>>, <<close>> and <<reset>>.
std::vector<ScriptStep> ParseScript(const std::string& script);

struct RecordedRequest {
  uint64_t index = 0;  // 1-based, over the upstream's life
  uint64_t connection = 0;
  WireMessage message;  // when problem is empty
  std::string problem;  // why the strict parser rejected it
  std::string raw;      // the bytes of this request as received
};

class RecordingUpstream {
 public:
  RecordingUpstream() = default;
  ~RecordingUpstream();
  RecordingUpstream(const RecordingUpstream&) = delete;
  RecordingUpstream& operator=(const RecordingUpstream&) = delete;

  // Listens on 127.0.0.1:`port` (0: any free port). False with errno-style text on failure.
  bool Start(uint16_t port, std::string& error);
  void Stop();
  uint16_t port() const { return port_; }

  // Closes every open connection (so no state carries over between vectors).
  void CloseAll();

  // The next request whose target starts with `target_prefix` is answered by `steps`.
  void SetScript(std::string target_prefix, std::vector<ScriptStep> steps);
  // Waits until the script ran to its end; false after `timeout_ms`.
  bool WaitScriptDone(int timeout_ms);
  // Waits until the connection that ran the script is closed (by either side); false after
  // `timeout_ms`.
  bool WaitScriptConnectionClosed(int timeout_ms);

  size_t RequestCount() const;
  std::vector<RecordedRequest> RequestsFrom(size_t first) const;  // by position in the log
  std::optional<RecordedRequest> ByIndex(uint64_t index) const;
  // Bytes received on connections that did not form a complete request (at close), in order.
  std::vector<std::string> Leftovers() const;

 private:
  struct Connection {
    int fd = -1;
    uint64_t id = 0;
    std::atomic<bool> stop{false};
    std::thread thread;
  };
  void AcceptLoop();
  void Serve(Connection& c);
  // Answers `r` (under no lock); false when the connection must end.
  bool Answer(Connection& c, const RecordedRequest& r);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable script_cv_;
  std::vector<std::unique_ptr<Connection>> connections_;  // guarded by mu_
  std::vector<RecordedRequest> log_;                      // guarded by mu_
  std::vector<std::string> leftovers_;                    // guarded by mu_
  uint64_t next_connection_ = 1;                          // guarded by mu_
  std::string script_prefix_;                             // guarded by mu_
  std::vector<ScriptStep> script_;                        // guarded by mu_
  bool script_armed_ = false;                             // guarded by mu_
  bool script_done_ = false;                              // guarded by mu_
  uint64_t script_connection_ = 0;                        // guarded by mu_
  bool script_connection_closed_ = false;                 // guarded by mu_
};

}  // namespace huddle::conformance
