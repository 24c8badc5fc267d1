#include "taskd/coordinator_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "core/options.h"

namespace huddle::taskd {
namespace {

using core::Fail;

std::string Where(const std::string& source, const YAML::Node& node) {
  return fmt::format("{}:{}", source, node.Mark().line + 1);
}

core::Result<void> CheckKeys(const std::string& source, const YAML::Node& map,
                             const std::set<std::string>& known) {
  if (!map.IsMap()) return Fail(Where(source, map) + ": expected a mapping");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (!known.contains(key)) {
      return Fail(fmt::format("{}: unknown key '{}'", Where(source, kv.first), key));
    }
  }
  return {};
}

core::Result<core::Duration> ReadDuration(const std::string& source, const YAML::Node& node) {
  auto d = core::ParseDuration(node.as<std::string>());
  if (!d) return Fail(Where(source, node) + ": " + d.error().message);
  if (*d <= core::Duration::zero()) return Fail(Where(source, node) + ": must be positive");
  return *d;
}

}  // namespace

core::Result<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Fail("expected host:port, got '" + text + "'");
  unsigned port = 0;
  const char* b = text.data() + colon + 1;
  const char* e = text.data() + text.size();
  const auto [p, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || p != e || port > 65535) return Fail("bad port in '" + text + "'");
  return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
}

core::Result<CoordinatorConfig> ParseCoordinatorConfig(const std::string& text,
                                                       const std::string& source) {
  CoordinatorConfig c;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Fail(fmt::format("{}:{}: {}", source, e.mark.line + 1, e.msg));
  }
  if (!root || root.IsNull()) return c;
  try {
    if (auto s = CheckKeys(
            source, root,
            {"listen", "token", "allowed_hosts", "commands", "tick_interval", "heartbeat_interval",
             "heartbeat_timeout", "check_interval", "history", "planner", "ledger", "overlay"});
        !s) {
      return std::unexpected(s.error());
    }
    if (root["listen"]) {
      auto hp = ParseHostPort(root["listen"].as<std::string>());
      if (!hp) return Fail(Where(source, root["listen"]) + ": " + hp.error().message);
      c.listen_host = hp->first;
      c.listen_port = hp->second;
    }
    if (root["token"]) c.token = root["token"].as<std::string>();
    if (const YAML::Node& hosts = root["allowed_hosts"]) {
      if (!hosts.IsSequence()) return Fail(Where(source, hosts) + ": allowed_hosts is a list");
      for (const auto& h : hosts) c.allowed_hosts.push_back(h.as<std::string>());
    }
    if (const YAML::Node& commands = root["commands"]) {
      if (auto s = CheckKeys(source, commands, {"allow"}); !s) return std::unexpected(s.error());
      const YAML::Node& allow = commands["allow"];
      if (allow && !allow.IsSequence()) {
        return Fail(Where(source, allow) + ": commands.allow is a list of executables");
      }
      for (const auto& a : allow) {
        const std::string exe = a.as<std::string>();
        if (exe.empty()) return Fail(Where(source, a) + ": an empty executable name");
        c.coordinator.command_allow.push_back(exe);
      }
    }
    if (root["history"])
      c.history = root["history"].IsNull() ? "" : root["history"].as<std::string>();
    struct DurationKey {
      const char* key;
      core::Duration* out;
    };
    for (const DurationKey& k :
         {DurationKey{"tick_interval", &c.tick_interval},
          DurationKey{"heartbeat_interval", &c.coordinator.heartbeat_interval},
          DurationKey{"heartbeat_timeout", &c.coordinator.heartbeat_timeout},
          DurationKey{"check_interval", &c.check_interval}}) {
      if (!root[k.key]) continue;
      auto d = ReadDuration(source, root[k.key]);
      if (!d) return std::unexpected(d.error());
      *k.out = *d;
    }
    if (c.coordinator.heartbeat_timeout <= c.coordinator.heartbeat_interval) {
      return Fail(source + ": heartbeat_timeout must be longer than heartbeat_interval");
    }
    if (root["planner"]) {
      const YAML::Node& p = root["planner"];
      if (!p.IsMap()) return Fail(Where(source, p) + ": planner must be a mapping");
      core::OptionMap map;
      for (const auto& kv : p) map[kv.first.as<std::string>()] = kv.second.as<std::string>();
      auto options = core::PlannerOptions::FromMap(map);
      if (!options) return Fail(Where(source, p) + ": " + options.error().message);
      c.coordinator.planner = *options;
    }
    if (root["ledger"]) {
      const YAML::Node& l = root["ledger"];
      if (auto s = CheckKeys(source, l, {"start_timeout", "cancel_timeout", "migration_timeout"});
          !s) {
        return std::unexpected(s.error());
      }
      struct LedgerKey {
        const char* key;
        core::Duration* out;
      };
      for (const LedgerKey& k :
           {LedgerKey{"start_timeout", &c.coordinator.ledger.start_timeout},
            LedgerKey{"cancel_timeout", &c.coordinator.ledger.cancel_timeout},
            LedgerKey{"migration_timeout", &c.coordinator.ledger.migration_timeout}}) {
        if (!l[k.key]) continue;
        auto d = ReadDuration(source, l[k.key]);
        if (!d) return std::unexpected(d.error());
        *k.out = *d;
      }
    }
    if (root["overlay"]) {
      const YAML::Node& o = root["overlay"];
      if (auto s = CheckKeys(source, o, {"topology", "wave_interval"}); !s) {
        return std::unexpected(s.error());
      }
      if (!o["topology"]) return Fail(Where(source, o) + ": overlay needs a topology file");
      c.topology = o["topology"].as<std::string>();
      if (o["wave_interval"]) {
        auto d = ReadDuration(source, o["wave_interval"]);
        if (!d) return std::unexpected(d.error());
        c.wave_interval = *d;
      }
    }
  } catch (const YAML::Exception& e) {
    return Fail(fmt::format("{}:{}: {}", source, e.mark.line + 1, e.msg));
  }
  return c;
}

core::Result<CoordinatorConfig> LoadCoordinatorConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseCoordinatorConfig(text.str(), path);
}

}  // namespace huddle::taskd
