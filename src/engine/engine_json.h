#pragma once

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "engine/engine.h"

namespace huddle::engine {

// JSON views of the engine's state for the API, the WebSocket stream and storage. Time points
// are steady-clock values; `wall_offset_s` converts them to Unix seconds (wall = steady + offset),
// so this code reads no clock. Pure functions.
nlohmann::json ServiceJson(const ServiceView& view);
nlohmann::json EventJson(const EngineEvent& event, double wall_offset_s);
nlohmann::json DirectiveJson(const Directive& directive, double wall_offset_s);
nlohmann::json CountersJson(const EngineCounters& counters);
// The whole state after a tick: services, the tick's events and directives, counters, mode.
nlohmann::json SnapshotJson(const Engine& engine, double wall_offset_s);
nlohmann::json TickJson(const Engine& engine, const TickReport& report, double wall_offset_s);

inline double WallSeconds(core::TimePoint at, double wall_offset_s) {
  return core::ToSeconds(at.time_since_epoch()) + wall_offset_s;
}

}  // namespace huddle::engine
