// Differential fuzzing of ChunkedScanner against the reference decoder below, which reads the
// whole buffer at once and follows RFC 9112 section 7.1 with the scanner's documented strictness
// (sizes of 1-16 hex digits, no whitespace, CRLF only, extensions without control characters,
// trailers that are valid field lines). The scanner is fed the same bytes in splits chosen by the
// input and must agree on where the body ends, on its payload size, and on rejecting it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "proxy/chunked_scanner.h"

namespace {

// The scanner may refuse a chunk this large instead of waiting for it (an overflow guard); no
// input the fuzzer makes can complete such a chunk.
constexpr uint64_t kHugeChunk = uint64_t{1} << 24;

struct Reference {
  enum class Verdict { kDone, kError, kIncomplete } verdict = Verdict::kIncomplete;
  size_t end = 0;        // kDone: bytes of the body
  uint64_t payload = 0;  // kDone: payload bytes
  bool huge = false;     // a chunk size >= kHugeChunk was read
  bool doomed = false;   // kIncomplete: the partial last line can never become valid
};

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsTchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 &&
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsFieldValueByte(unsigned char c) { return c == '\t' || c == ' ' || (c > 0x20 && c != 0x7f); }

// A field line "name: value" (RFC 9110 5.1 and 5.5); `partial` accepts a prefix of one.
bool IsFieldLine(std::string_view line, bool partial) {
  const size_t colon = line.find(':');
  const size_t name_end = colon == std::string_view::npos ? line.size() : colon;
  if (name_end == 0 && !(partial && line.empty())) return false;
  for (size_t i = 0; i < name_end; ++i) {
    if (!IsTchar(static_cast<unsigned char>(line[i]))) return false;
  }
  if (colon == std::string_view::npos) return partial;
  for (size_t i = colon + 1; i < line.size(); ++i) {
    if (!IsFieldValueByte(static_cast<unsigned char>(line[i]))) return false;
  }
  return true;
}

// A chunk size line: 1-16 hex digits, then nothing or ";" and an extension without control
// characters but HTAB. `partial` accepts a prefix of one.
bool IsSizeLine(std::string_view s, bool partial, uint64_t& size, bool& huge) {
  size_t digits = 0;
  size = 0;
  while (digits < s.size() && Hex(s[digits]) >= 0) {
    if (digits == 16) return false;
    size = size * 16 + static_cast<uint64_t>(Hex(s[digits]));
    ++digits;
  }
  if (size >= kHugeChunk) huge = true;
  if (digits == s.size()) return digits > 0 || partial;
  if (digits == 0 || s[digits] != ';') return false;
  for (size_t k = digits + 1; k < s.size(); ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

Reference Decode(std::string_view in) {
  using V = Reference::Verdict;
  Reference r;
  size_t i = 0;
  // The next line from i. kDone: a line ending in CRLF (i moves past it). kError: a bare LF or a
  // CR without LF. kIncomplete: the input ends first; `out` is the partial line and `cr` says
  // whether its CR has come (then only the LF is missing and the line itself is complete).
  bool cr = false;
  auto next_line = [&](std::string_view& out) {
    const size_t at_cr = in.find('\r', i);
    const size_t at_lf = in.find('\n', i);
    if (at_lf != std::string_view::npos && (at_cr == std::string_view::npos || at_lf < at_cr)) {
      return V::kError;
    }
    cr = at_cr != std::string_view::npos;
    if (!cr || at_cr + 1 == in.size()) {
      out = in.substr(i, (cr ? at_cr : in.size()) - i);
      return V::kIncomplete;
    }
    if (in[at_cr + 1] != '\n') return V::kError;
    out = in.substr(i, at_cr - i);
    i = at_cr + 2;
    return V::kDone;
  };
  std::string_view line;
  for (;;) {
    uint64_t size = 0;
    const V v = next_line(line);
    if (v == V::kError) return r.verdict = V::kError, r;
    const bool valid = IsSizeLine(line, v == V::kIncomplete && !cr, size, r.huge);
    if (v == V::kIncomplete) return r.doomed = !valid, r;
    if (!valid) return r.verdict = V::kError, r;
    if (size == 0) break;
    if (in.size() - i < size) return r;
    r.payload += size;
    i += size;
    if (i < in.size() && in[i] != '\r') return r.verdict = V::kError, r;
    if (i + 1 < in.size() && in[i + 1] != '\n') return r.verdict = V::kError, r;
    if (i + 2 > in.size()) return r;
    i += 2;
  }
  // Trailer fields, then an empty line.
  for (;;) {
    const V v = next_line(line);
    if (v == V::kError) return r.verdict = V::kError, r;
    if (v == V::kIncomplete) {
      r.doomed = !(cr && line.empty()) && !IsFieldLine(line, !cr);
      return r;
    }
    if (line.empty()) break;
    if (!IsFieldLine(line, false)) return r.verdict = V::kError, r;
  }
  r.verdict = V::kDone;
  r.end = i;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first byte seeds the split sizes; the rest is the body.
  uint32_t seed = data[0] * 2654435761u + 1;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const Reference ref = Decode(body);

  huddle::proxy::ChunkedScanner scanner;
  size_t taken = 0;
  for (size_t at = 0; at < body.size();) {
    seed = seed * 1103515245u + 12345u;
    const size_t piece = std::min<size_t>(body.size() - at, 1 + (seed >> 16) % 9);
    const size_t t = scanner.Scan(body.data() + at, piece);
    FUZZ_CHECK(t <= piece, "took more bytes than given");
    taken += t;
    at += piece;
    if (t < piece) break;
  }
  FUZZ_CHECK(!(scanner.done() && scanner.failed()), "done and failed at once");
  switch (ref.verdict) {
    case Reference::Verdict::kDone:
      FUZZ_CHECK(scanner.done(), "the reference ends the body, the scanner does not");
      FUZZ_CHECK(taken == ref.end, "the body ends elsewhere than in the reference");
      FUZZ_CHECK(scanner.payload_bytes() == ref.payload, "payload size differs from the reference");
      break;
    case Reference::Verdict::kError:
      FUZZ_CHECK(scanner.failed(), "the scanner accepts what the reference rejects");
      break;
    case Reference::Verdict::kIncomplete:
      // Stopping early is allowed only for a line that can no longer become valid, or a chunk
      // too large to wait for.
      FUZZ_CHECK(!scanner.done(), "the scanner ends a body the reference still reads");
      FUZZ_CHECK(!scanner.failed() || ref.doomed || ref.huge, "the scanner rejects a valid prefix");
      FUZZ_CHECK(scanner.failed() || taken == body.size(), "an unfinished body left bytes");
      break;
  }
  return 0;
}
