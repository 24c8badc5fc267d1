#pragma once

#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace huddle::http {

// Limits on a JSON request body. nlohmann's DOM recurses when a value is copied, compared or
// printed, so a body nested 300 000 levels deep overflows the stack long after parsing: the
// depth is checked on the raw text first, before anything is built.
struct JsonLimits {
  size_t max_bytes = 1024 * 1024;
  size_t max_depth = 64;
};

// Why a body was refused, with the HTTP status it deserves: 413 (too large), 400 (too deep or
// not JSON).
struct JsonRefusal {
  int status = 400;
  std::string message;
};

// The deepest nesting of arrays and objects in `text` (strings and escapes are skipped), or
// max_depth + 1 as soon as it is exceeded (it stops scanning there).
size_t JsonDepth(std::string_view text, size_t max_depth);

// Parses `text` when it fits the limits. Never throws; never recurses deeper than max_depth.
std::expected<nlohmann::json, JsonRefusal> ParseJsonLimited(std::string_view text,
                                                            const JsonLimits& limits = {});

}  // namespace huddle::http
