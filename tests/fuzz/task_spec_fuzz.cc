// Fuzzes the task coordinator's task JSON (POST /api/tasks): any body gives a TaskSpec or an
// error naming the field, and an accepted task survives its own JSON form unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "taskd/task_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  const auto spec = huddle::taskd::TaskSpecFromJson(json);
  if (!spec) {
    FUZZ_CHECK(!spec.error().message.empty(), "an error without a message");
    return 0;
  }
  const nlohmann::json written = huddle::taskd::TaskSpecToJson(*spec);
  const auto again = huddle::taskd::TaskSpecFromJson(written);
  FUZZ_CHECK(again && huddle::taskd::TaskSpecToJson(*again) == written,
             "a task does not survive its own JSON");
  return 0;
}
