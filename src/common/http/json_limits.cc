#include "common/http/json_limits.h"

namespace huddle::http {

size_t JsonDepth(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // whatever is escaped cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > max_depth) return max_depth + 1;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::expected<nlohmann::json, JsonRefusal> ParseJsonLimited(std::string_view text,
                                                            const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return std::unexpected(JsonRefusal{
        413, "the JSON body is larger than " + std::to_string(limits.max_bytes) + " bytes"});
  }
  if (JsonDepth(text, limits.max_depth) > limits.max_depth) {
    return std::unexpected(JsonRefusal{
        400, "the JSON body nests deeper than " + std::to_string(limits.max_depth) + " levels"});
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::unexpected(JsonRefusal{400, "the body is not JSON"});
  return j;
}

}  // namespace huddle::http
