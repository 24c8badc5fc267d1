#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "proxy/chunked_scanner.h"

namespace huddle::proxy {

// How a message body ends, and how much of a buffer belongs to it. Bodies are relayed verbatim
// (chunked bodies keep their chunking), so the proxy never holds a whole body.
class BodyFraming {
 public:
  enum class Kind { kNone, kLength, kChunked, kUntilClose };

  static BodyFraming None() { return BodyFraming(Kind::kNone, 0); }
  static BodyFraming Length(uint64_t n) { return n == 0 ? None() : BodyFraming(Kind::kLength, n); }
  static BodyFraming Chunked() { return BodyFraming(Kind::kChunked, 0); }
  static BodyFraming UntilClose() { return BodyFraming(Kind::kUntilClose, 0); }

  // How many of the n bytes at p belong to the body (advances the framing).
  size_t Take(const char* p, size_t n) {
    switch (kind_) {
      case Kind::kNone:
        return 0;
      case Kind::kLength: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n));
        remaining_ -= take;
        bytes_ += take;
        return take;
      }
      case Kind::kChunked: {
        const size_t take = scanner_.Scan(p, n);
        bytes_ += take;
        return take;
      }
      case Kind::kUntilClose:
        bytes_ += n;
        return n;
    }
    return 0;
  }

  // Like Take, and appends the payload of those bytes to `decoded` (chunk framing removed for a
  // chunked body; the bytes themselves otherwise).
  size_t TakeDecoded(const char* p, size_t n, std::string& decoded) {
    if (kind_ != Kind::kChunked) {
      const size_t take = Take(p, n);
      decoded.append(p, take);
      return take;
    }
    const size_t take = scanner_.Scan(p, n, &decoded);
    bytes_ += take;
    return take;
  }

  bool done() const {
    switch (kind_) {
      case Kind::kNone:
        return true;
      case Kind::kLength:
        return remaining_ == 0;
      case Kind::kChunked:
        return scanner_.done();
      case Kind::kUntilClose:
        return false;
    }
    return true;
  }
  bool failed() const { return kind_ == Kind::kChunked && scanner_.failed(); }
  Kind kind() const { return kind_; }
  // Body bytes seen so far, on the wire (chunk framing included).
  uint64_t bytes() const { return bytes_; }
  // Payload bytes so far (chunk framing excluded).
  uint64_t payload_bytes() const {
    return kind_ == Kind::kChunked ? scanner_.payload_bytes() : bytes_;
  }

 private:
  BodyFraming(Kind kind, uint64_t remaining) : kind_(kind), remaining_(remaining) {}

  Kind kind_;
  uint64_t remaining_;
  uint64_t bytes_ = 0;
  ChunkedScanner scanner_;
};

}  // namespace huddle::proxy
