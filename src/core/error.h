#pragma once

#include <expected>
#include <string>
#include <utility>

namespace huddle::core {

// A failure the caller can act on or show: bad options, unknown names, out-of-range values.
// Library code returns it inside Result<T> instead of throwing.
struct Error {
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(std::string message) {
  return std::unexpected<Error>(Error{std::move(message)});
}

}  // namespace huddle::core
