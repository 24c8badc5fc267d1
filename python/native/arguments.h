#pragma once

// Conversions from Python values to the embeddable API's types. Every function raises
// ValueError (py::value_error) or TypeError (py::type_error) on bad input and never crashes.

#include <pybind11/pybind11.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "huddle/cluster.h"

namespace huddle::python {

namespace py = pybind11;

// The largest latency a record call accepts (about 11.6 days); beyond it the nanosecond count
// would be meaningless and, far beyond, would overflow.
inline constexpr double kMaxLatencyMs = 1e9;

// `ms` must be finite and in [0, kMaxLatencyMs].
std::chrono::nanoseconds LatencyFromMs(double ms, const char* what);

// (id, host, port[, weight]) or {"id": ..., "host": ..., "port": ..., "weight": ...}.
ServerSpec SpecFrom(py::handle item);
std::vector<ServerSpec> SpecsFrom(py::handle iterable);

// A dict of option name -> str | int | float | bool, as the option strings of the C++ API.
std::map<std::string, std::string> OptionMapFrom(py::handle dict, const char* what);

// An affinity key: an int (its low 64 bits, so negative hash() values work) or str/bytes (FNV-1a
// of the UTF-8 bytes, stable across processes, unlike hash()).
std::optional<uint64_t> HashKeyFrom(py::handle key);

// "connect_refused", "connect_timeout", "reset", "timeout" or "other".
Failure FailureFrom(const std::string& name);

// The failure kind a Python exception type stands for: ConnectionRefusedError, TimeoutError,
// ConnectionResetError; anything else (including cancellation) is kOther.
Failure FailureFromException(py::handle exc_type);

}  // namespace huddle::python
