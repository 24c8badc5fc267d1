#include "proxy/fault_plan.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/options.h"

namespace huddle::proxy {

core::Result<FaultSpec> ParseFaultSpec(const std::string& text) {
  FaultSpec spec;
  const size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (kind == "slow") {
    spec.kind = FaultKind::kSlow;
  } else if (kind == "error") {
    spec.kind = FaultKind::kError;
  } else if (kind == "crash") {
    spec.kind = FaultKind::kCrash;
  } else if (kind == "hang") {
    spec.kind = FaultKind::kHang;
  } else if (kind == "reset") {
    spec.kind = FaultKind::kReset;
  } else {
    return core::Fail("fault '" + text + "': kind must be slow, error, crash, hang or reset");
  }
  std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      return core::Fail("fault '" + text + "': '" + item + "' is not key=value");
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (key == "at" || key == "for") {
      core::Result<core::Duration> d = core::ParseDuration(value);
      if (!d) return core::Fail("fault '" + text + "': " + d.error().message);
      if (key == "at") {
        spec.at = *d;
      } else {
        spec.duration = *d;
      }
      continue;
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v)) {
      return core::Fail("fault '" + text + "': '" + value + "' is not a number");
    }
    if (key == "factor" && spec.kind == FaultKind::kSlow && v > 0) {
      spec.factor = v;
    } else if (key == "rate" &&
               (spec.kind == FaultKind::kError || spec.kind == FaultKind::kReset) && v >= 0 &&
               v <= 1) {
      spec.rate = v;
    } else if (key == "status" && spec.kind == FaultKind::kError && v >= 100 && v <= 599) {
      spec.status = static_cast<int>(v);
    } else {
      return core::Fail("fault '" + text + "': key '" + key + "' is unknown or out of range for " +
                        kind);
    }
  }
  return spec;
}

namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

std::string Millis(core::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

}  // namespace

std::string FormatFaultSpec(const FaultSpec& spec) {
  std::string text;
  std::string keys;
  auto add = [&keys](const std::string& key, const std::string& value) {
    keys += (keys.empty() ? "" : ",") + key + "=" + value;
  };
  switch (spec.kind) {
    case FaultKind::kSlow:
      text = "slow";
      add("factor", Number(spec.factor));
      break;
    case FaultKind::kError:
      text = "error";
      add("rate", Number(spec.rate));
      add("status", std::to_string(spec.status));
      break;
    case FaultKind::kCrash:
      text = "crash";
      break;
    case FaultKind::kHang:
      text = "hang";
      break;
    case FaultKind::kReset:
      text = "reset";
      add("rate", Number(spec.rate));
      break;
  }
  if (spec.at.count() > 0) add("at", Millis(spec.at));
  if (spec.duration) add("for", Millis(*spec.duration));
  return keys.empty() ? text : text + ":" + keys;
}

FaultState FaultStateAt(const std::vector<FaultSpec>& plan, core::Duration elapsed) {
  FaultState state;
  for (const FaultSpec& s : plan) {
    if (elapsed < s.at) continue;
    if (s.duration && elapsed >= s.at + *s.duration) continue;
    switch (s.kind) {
      case FaultKind::kSlow:
        state.slow_factor = s.factor;
        break;
      case FaultKind::kError:
        state.error_rate = s.rate;
        state.error_status = s.status;
        break;
      case FaultKind::kCrash:
        state.refuse = true;
        break;
      case FaultKind::kHang:
        state.hang = true;
        break;
      case FaultKind::kReset:
        state.reset_rate = s.rate;
        break;
    }
  }
  return state;
}

}  // namespace huddle::proxy
