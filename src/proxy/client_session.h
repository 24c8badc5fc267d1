#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/time.h"
#include "proxy/asio_types.h"
#include "proxy/body_framing.h"
#include "proxy/http_head.h"
#include "proxy/upstream_conn.h"

namespace huddle::proxy {

class Worker;
struct WorkerCluster;
struct WorkerListener;

// One client connection: reads requests (keep-alive, pipelined requests served in order), checks
// them, forwards each to a backend picked by the cluster's policy (with retries), and relays the
// response. Bodies are streamed both ways. Lives exactly as long as its coroutine; owned by it.
// Timeouts: the worker's sweeper calls CheckDeadline and cancels the socket of an expired phase,
// so no timer is armed per operation.
class ClientSession {
 public:
  ClientSession(Worker& worker, WorkerListener& listener, Socket socket);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  static Task<void> Main(std::unique_ptr<ClientSession> session);

  // Sweeper (worker thread): cancels the pending operation when its deadline passed.
  void CheckDeadline(core::TimePoint now);
  // Drain: an idle connection is closed now, a busy one after its current response.
  void CloseIfIdle();

  size_t slot = 0;  // position in the worker's session list

 private:
  enum class Phase : uint8_t {
    kNone,
    kClientIdle,
    kClientHeader,
    kClientBody,
    kClientWrite,
    kConnect,
    kResponse,
    kUpstreamBody
  };
  enum class TryResult : uint8_t { kDone, kRetry, kFailedSent };

  Task<void> Run();
  Task<bool> ReadRequestHead();
  Task<bool> Forward();
  Task<bool> Reply(int status, std::string_view body, bool close,
                   std::string_view extra_headers = {});
  Task<bool> ReadUpstreamHead(UpstreamConn& up,
                              std::optional<http::response_parser<http::empty_body>>& rp);
  Task<bool> Pump(Socket& from, boost::beast::flat_buffer& from_buffer, Socket& to,
                  BodyFraming& framing, Phase read_phase, uint64_t limit, bool& limit_hit,
                  std::string* decoded);
  Task<void> Tunnel(UpstreamConn& up);
  Task<std::unique_ptr<UpstreamConn>> Connect(WorkerCluster& c, core::BackendIndex b, bool& fresh,
                                              core::FailureKind& failure, core::Duration timeout);
  void Arm(Phase phase, core::Duration d, Socket* socket);
  void Disarm() { deadline_ = core::TimePoint::max(); }
  void WriteAccessLog(int status, core::BackendIndex backend, int attempts, core::TimePoint start,
                      uint64_t bytes_out);

  Worker& worker_;
  WorkerListener& listener_;
  Socket client_;
  std::string client_ip_;
  uint64_t client_hash_ = 0;
  boost::beast::flat_buffer in_;
  std::optional<http::request_parser<http::empty_body>> request_;
  std::string raw_head_check_;  // unused scratch kept for reuse
  std::string out_;             // forwarded heads, reused
  std::string decoded_;         // de-chunked payload for an HTTP/1.0 client, reused
  std::string request_id_;
  Timer backoff_timer_;

  core::TimePoint deadline_ = core::TimePoint::max();
  Phase phase_ = Phase::kNone;
  Phase expired_ = Phase::kNone;
  Socket* deadline_socket_ = nullptr;
  bool close_after_ = false;
  bool head_started_ = false;
};

}  // namespace huddle::proxy
