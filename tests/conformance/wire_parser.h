#pragma once

// A strict HTTP/1.1 message parser for the conformance harness: the reference against which the
// bytes a proxy forwards (to the recording upstream) and the bytes it answers (to the client) are
// judged. It accepts only what RFC 9112 lets a sender generate: CRLF line ends, no obs-fold, no
// whitespace before a colon, one unambiguous framing (RFC 9112 §6.3). Anything a lenient
// recipient would have to guess about is an error with a short reason.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace huddle::conformance {

struct WireMessage {
  // Request: method, target; response: status. Version is "HTTP/1.0" or "HTTP/1.1".
  std::string method;
  std::string target;
  int status = 0;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // decoded (chunks joined)
  std::vector<std::pair<std::string, std::string>> trailers;
  int interim = 0;  // 1xx responses seen before this one
  bool close_delimited = false;

  // Number of fields called `name` (lower case), and the value of the first one.
  size_t Count(std::string_view name) const;
  std::string Value(std::string_view name) const;
};

struct WireParse {
  enum class State { kNeedMore, kComplete, kError };
  State state = State::kNeedMore;
  std::string error;    // kError: why
  size_t consumed = 0;  // kComplete: bytes of the message (interim responses included)
  WireMessage message;
};

// Parses one request from the front of `data`. `eof`: no more bytes will come.
WireParse ParseRequest(std::string_view data, bool eof);

// Parses one response (after any 1xx) from the front of `data`. `head_request`: it answers a
// HEAD, so it has no body.
WireParse ParseResponse(std::string_view data, bool eof, bool head_request);

}  // namespace huddle::conformance
