// Fuzzes the worker <-> coordinator messages (docs/taskd.md): the registration profile, the poll
// request and the poll response. Any JSON gives a message or an error, and an accepted message
// survives its own JSON form unchanged. The first byte picks the message.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "taskd/protocol.h"

namespace {

template <typename Parse>
void RoundTrip(const nlohmann::json& json, Parse parse) {
  const auto message = parse(json);
  if (!message) {
    FUZZ_CHECK(!message.error().message.empty(), "an error without a message");
    return;
  }
  const nlohmann::json written = huddle::taskd::ToJson(*message);
  const auto again = parse(written);
  FUZZ_CHECK(again && huddle::taskd::ToJson(*again) == written,
             "a message does not survive its own JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const nlohmann::json json = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  switch (data[0] % 3) {
    case 0:
      RoundTrip(json, huddle::taskd::WorkerProfileFromJson);
      break;
    case 1:
      RoundTrip(json, huddle::taskd::PollRequestFromJson);
      break;
    default:
      RoundTrip(json, huddle::taskd::PollResponseFromJson);
      break;
  }
  return 0;
}
