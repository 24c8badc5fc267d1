#include "arguments.h"

#include <cmath>
#include <limits>

namespace huddle::python {
namespace {

std::string Str(py::handle h, const char* what) {
  if (!py::isinstance<py::str>(h)) {
    throw py::type_error(std::string(what) + " must be a str, got " +
                         std::string(py::str(py::type::of(h).attr("__name__"))));
  }
  return h.cast<std::string>();
}

uint16_t Port(py::handle h) {
  if (!py::isinstance<py::int_>(h) || py::isinstance<py::bool_>(h)) {
    throw py::type_error("server port must be an int");
  }
  const long long port = PyLong_AsLongLong(h.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error("server port must be in [0, 65535]");
  }
  if (port < 0 || port > 65535) {
    throw py::value_error("server port must be in [0, 65535], got " + std::to_string(port));
  }
  return static_cast<uint16_t>(port);
}

double Weight(py::handle h) {
  if (!(py::isinstance<py::float_>(h) || py::isinstance<py::int_>(h)) ||
      py::isinstance<py::bool_>(h)) {
    throw py::type_error("server weight must be a number");
  }
  return h.cast<double>();
}

}  // namespace

std::chrono::nanoseconds LatencyFromMs(double ms, const char* what) {
  if (!std::isfinite(ms) || ms < 0.0 || ms > kMaxLatencyMs) {
    throw py::value_error(std::string(what) + " must be a finite number of milliseconds in [0, " +
                          std::to_string(static_cast<long long>(kMaxLatencyMs)) + "], got " +
                          std::string(py::repr(py::float_(ms))));
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(ms * 1e6)));
}

ServerSpec SpecFrom(py::handle item) {
  ServerSpec spec;
  if (py::isinstance<py::dict>(item)) {
    auto d = py::reinterpret_borrow<py::dict>(item);
    for (auto [key, value] : d) {
      const std::string k = Str(key, "server field name");
      if (k == "id") {
        spec.id = Str(value, "server id");
      } else if (k == "host") {
        spec.host = Str(value, "server host");
      } else if (k == "port") {
        spec.port = Port(value);
      } else if (k == "weight") {
        spec.weight = Weight(value);
      } else {
        throw py::value_error("unknown server field '" + k + "' (expected id, host, port, weight)");
      }
    }
    if (!d.contains("id") || !d.contains("host") || !d.contains("port")) {
      throw py::value_error("a server dict needs id, host and port");
    }
    return spec;
  }
  if (py::isinstance<py::tuple>(item) || py::isinstance<py::list>(item)) {
    auto seq = py::reinterpret_borrow<py::sequence>(item);
    const size_t n = seq.size();
    if (n < 3 || n > 4) {
      throw py::value_error("a server tuple is (id, host, port[, weight]), got " +
                            std::to_string(n) + " fields");
    }
    spec.id = Str(seq[0], "server id");
    spec.host = Str(seq[1], "server host");
    spec.port = Port(seq[2]);
    if (n == 4) spec.weight = Weight(seq[3]);
    return spec;
  }
  throw py::type_error("a server is a tuple (id, host, port[, weight]) or a dict");
}

std::vector<ServerSpec> SpecsFrom(py::handle iterable) {
  if (py::isinstance<py::str>(iterable) || py::isinstance<py::dict>(iterable)) {
    throw py::type_error("servers must be a list of tuples or dicts");
  }
  std::vector<ServerSpec> out;
  for (py::handle item : py::iter(iterable)) out.push_back(SpecFrom(item));
  return out;
}

std::map<std::string, std::string> OptionMapFrom(py::handle dict, const char* what) {
  std::map<std::string, std::string> out;
  if (dict.is_none()) return out;
  if (!py::isinstance<py::dict>(dict)) throw py::type_error(std::string(what) + " must be a dict");
  for (auto [key, value] : py::reinterpret_borrow<py::dict>(dict)) {
    const std::string k = Str(key, "option name");
    if (py::isinstance<py::bool_>(value)) {
      out[k] = value.cast<bool>() ? "true" : "false";
    } else if (py::isinstance<py::int_>(value)) {
      out[k] = std::string(py::str(value));
    } else if (py::isinstance<py::float_>(value)) {
      const double v = value.cast<double>();
      if (!std::isfinite(v)) throw py::value_error("option '" + k + "' must be finite");
      out[k] = std::string(py::repr(value));
    } else if (py::isinstance<py::str>(value)) {
      out[k] = value.cast<std::string>();
    } else {
      throw py::type_error("option '" + k + "' must be a str, int, float or bool");
    }
  }
  return out;
}

std::optional<uint64_t> HashKeyFrom(py::handle key) {
  if (key.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(key)) {
    return static_cast<uint64_t>(PyLong_AsUnsignedLongLongMask(key.ptr()));
  }
  std::string_view bytes;
  std::string holder;
  if (py::isinstance<py::str>(key)) {
    holder = key.cast<std::string>();
    bytes = holder;
  } else if (py::isinstance<py::bytes>(key)) {
    holder = key.cast<std::string>();
    bytes = holder;
  } else {
    throw py::type_error("hash_key must be an int, str or bytes");
  }
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Failure FailureFrom(const std::string& name) {
  if (name == "connect_refused") return Failure::kConnectRefused;
  if (name == "connect_timeout") return Failure::kConnectTimeout;
  if (name == "reset") return Failure::kReset;
  if (name == "timeout") return Failure::kTimeout;
  if (name == "other") return Failure::kOther;
  throw py::value_error("unknown failure '" + name +
                        "' (expected connect_refused, connect_timeout, reset, timeout, other)");
}

Failure FailureFromException(py::handle exc_type) {
  if (PyErr_GivenExceptionMatches(exc_type.ptr(), PyExc_ConnectionRefusedError)) {
    return Failure::kConnectRefused;
  }
  if (PyErr_GivenExceptionMatches(exc_type.ptr(), PyExc_ConnectionResetError)) {
    return Failure::kReset;
  }
  if (PyErr_GivenExceptionMatches(exc_type.ptr(), PyExc_TimeoutError)) return Failure::kTimeout;
  return Failure::kOther;
}

}  // namespace huddle::python
