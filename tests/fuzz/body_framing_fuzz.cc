// BodyFraming must not depend on how the bytes arrive: feeding a buffer in arbitrary splits (as
// socket reads cut it) gives the same body end, state and counts as feeding it at once.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "proxy/body_framing.h"

using huddle::proxy::BodyFraming;

namespace {

BodyFraming Make(uint8_t kind, uint64_t length) {
  switch (kind % 4) {
    case 0:
      return BodyFraming::None();
    case 1:
      return BodyFraming::Length(length);
    case 2:
      return BodyFraming::Chunked();
    default:
      return BodyFraming::UntilClose();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Layout: kind (1 byte), length (2 bytes, small enough to end inside the input), split seed
  // (1 byte), then the bytes on the wire.
  if (size < 4) return 0;
  const uint64_t length = data[1] | (uint64_t{data[2]} << 8);
  uint32_t seed = data[3] * 2654435761u + 7;
  const char* wire = reinterpret_cast<const char*>(data + 4);
  const size_t n = size - 4;

  BodyFraming whole = Make(data[0], length);
  const size_t taken = whole.Take(wire, n);
  FUZZ_CHECK(taken <= n, "took more bytes than given");
  FUZZ_CHECK(taken == n || whole.done() || whole.failed(), "stopped short of an unfinished body");
  FUZZ_CHECK(whole.kind() != BodyFraming::Kind::kLength || taken == std::min<uint64_t>(n, length),
             "a length body took the wrong count");

  BodyFraming split = Make(data[0], length);
  size_t total = 0;
  for (size_t at = 0; at < n;) {
    seed = seed * 1103515245u + 12345u;
    const size_t piece = std::min<size_t>(n - at, (seed >> 16) % 12);  // empty reads too
    const size_t t = split.Take(wire + at, piece);
    FUZZ_CHECK(t <= piece, "took more bytes than given");
    total += t;
    at += piece;
    if (t < piece) break;
  }
  FUZZ_CHECK(total == taken && split.done() == whole.done() && split.failed() == whole.failed() &&
                 split.bytes() == whole.bytes() && split.payload_bytes() == whole.payload_bytes(),
             "split feeding differs from one feed");
  FUZZ_CHECK(whole.bytes() == taken, "bytes() differs from what was taken");
  // (A chunked body counts a chunk's payload when its size line ends, so only a finished body
  // has its payload within its bytes.)
  FUZZ_CHECK(!whole.done() || whole.payload_bytes() <= whole.bytes(), "payload exceeds the body");
  // A finished body takes nothing more.
  FUZZ_CHECK(
      !whole.done() || whole.kind() == BodyFraming::Kind::kUntilClose || whole.Take(wire, n) == 0,
      "a finished body took more");
  return 0;
}
