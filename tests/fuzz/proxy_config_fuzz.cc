// Fuzzes the proxy's YAML config loader (what `huddle check`, start-up and SIGHUP reload read):
// any text gives a config or an error message, never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "proxy/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto config = huddle::proxy::ParseConfig(text, "fuzz.yaml");
  FUZZ_CHECK(config || !config.error().message.empty(), "an error without a message");
  return 0;
}
