#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace huddle::proxy {

// Follows the framing of a chunked message body (RFC 9112 section 7.1) byte by byte so that the
// proxy can relay it verbatim without buffering it. Strict: chunk sizes are 1-16 hex digits with
// no whitespace, every line ends in CRLF (a bare LF is an error), a size (and the payload's
// total) at most 2^62, trailer fields are header fields (a token name, a colon, no control
// bytes, no folding).
// Pure and allocation-free; one instance per body.
class ChunkedScanner {
 public:
  // Scans a prefix of [data, data + n) and returns how many bytes belong to the body; less than n
  // only once the body ended (done()) or on an error (failed()).
  size_t Scan(const char* data, size_t n);
  // The same, appending the chunks' payload (framing, extensions and trailers dropped) to
  // `payload` when it is not null: de-chunks a body for an HTTP/1.0 recipient.
  size_t Scan(const char* data, size_t n, std::string* payload);

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kError; }
  // Sum of the chunk payload sizes seen so far (what Content-Length would have said).
  uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  enum class State : uint8_t {
    kSizeFirst,     // first hex digit of a chunk size
    kSize,          // more hex digits, ';' or CR
    kExtension,     // chunk extension up to CR
    kSizeLf,        // LF after the size line
    kData,          // payload
    kDataCr,        // CR after the payload
    kDataLf,        // LF after the payload
    kTrailerStart,  // after the last chunk: CR (end) or a trailer field
    kTrailerName,   // a trailer field's name up to ':'
    kTrailer,       // a trailer field's value up to CR
    kTrailerLf,     // LF after a trailer field
    kEndLf,         // final LF
    kDone,
    kError,
  };

  static constexpr uint64_t kMaxPayload = uint64_t{1} << 62;  // total, so no sum wraps

  State state_ = State::kSizeFirst;
  uint64_t size_ = 0;
  int digits_ = 0;
  uint64_t remaining_ = 0;
  uint64_t payload_bytes_ = 0;
};

}  // namespace huddle::proxy
