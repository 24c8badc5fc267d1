#include "proxy/chunked_scanner.h"

#include <algorithm>

namespace huddle::proxy {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// tchar (RFC 9110 5.6.2).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

size_t ChunkedScanner::Scan(const char* data, size_t n) { return Scan(data, n, nullptr); }

size_t ChunkedScanner::Scan(const char* data, size_t n, std::string* payload) {
  size_t i = 0;
  while (i < n) {
    const char c = data[i];
    switch (state_) {
      case State::kSizeFirst:
      case State::kSize: {
        const int h = HexValue(c);
        if (h >= 0) {
          // A size must fit a signed 64-bit count with the payload before it (as off_t does in
          // nginx): "ffffffffffffffff" and anything that would wrap the total is refused.
          if (++digits_ > 16 || size_ > (kMaxPayload >> 4)) {
            state_ = State::kError;
            return i;
          }
          size_ = size_ * 16 + static_cast<uint64_t>(h);
          if (size_ > kMaxPayload - payload_bytes_) {
            state_ = State::kError;
            return i;
          }
          state_ = State::kSize;
        } else if (state_ == State::kSize && c == ';') {
          state_ = State::kExtension;
        } else if (state_ == State::kSize && c == '\r') {
          state_ = State::kSizeLf;
        } else {
          state_ = State::kError;
          return i;
        }
        ++i;
        break;
      }
      case State::kExtension:
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n' || (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
          state_ = State::kError;
          return i;
        }
        ++i;
        break;
      case State::kSizeLf:
        if (c != '\n') {
          state_ = State::kError;
          return i;
        }
        ++i;
        if (size_ == 0) {
          state_ = State::kTrailerStart;
        } else {
          remaining_ = size_;
          payload_bytes_ += size_;
          state_ = State::kData;
        }
        size_ = 0;
        digits_ = 0;
        break;
      case State::kData: {
        const uint64_t take = std::min<uint64_t>(remaining_, n - i);
        if (payload != nullptr) payload->append(data + i, static_cast<size_t>(take));
        remaining_ -= take;
        i += static_cast<size_t>(take);
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c != '\r') {
          state_ = State::kError;
          return i;
        }
        state_ = State::kDataLf;
        ++i;
        break;
      case State::kDataLf:
        if (c != '\n') {
          state_ = State::kError;
          return i;
        }
        state_ = State::kSizeFirst;
        ++i;
        break;
      case State::kTrailerStart:
        // A trailer field is a header field: a token name, a colon, then a value.
        if (c == '\r') {
          state_ = State::kEndLf;
        } else if (IsTokenChar(c)) {
          state_ = State::kTrailerName;
        } else {
          state_ = State::kError;  // obs-fold, bare LF, a colon with no name, a control byte
          return i;
        }
        ++i;
        break;
      case State::kTrailerName:
        if (c == ':') {
          state_ = State::kTrailer;
        } else if (!IsTokenChar(c)) {
          state_ = State::kError;  // a line without a colon, or a space before it
          return i;
        }
        ++i;
        break;
      case State::kTrailer:
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (c == '\n' || c == '\0' || c == 0x7f ||
                   (static_cast<unsigned char>(c) < 0x20 && c != '\t')) {
          state_ = State::kError;
          return i;
        }
        ++i;
        break;
      case State::kTrailerLf:
        if (c != '\n') {
          state_ = State::kError;
          return i;
        }
        state_ = State::kTrailerStart;
        ++i;
        break;
      case State::kEndLf:
        if (c != '\n') {
          state_ = State::kError;
          return i;
        }
        state_ = State::kDone;
        return i + 1;
      case State::kDone:
      case State::kError:
        return i;
    }
  }
  return i;
}

}  // namespace huddle::proxy
