// `huddle engine -c FILE`: the engine alone, fed by pushes (POST /api/v1/ingest) and scrapes.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/admin_http_server.h"
#include "common/http/auth.h"
#include "common/signals.h"
#include "engine/actuator.h"
#include "engine/commands.h"
#include "engine/engine.h"
#include "engine/engine_api.h"
#include "engine/engine_config.h"
#include "engine/engine_json.h"
#include "engine/engine_store.h"
#include "engine/http_client.h"
#include "engine/prometheus_scrape.h"

namespace huddle::engine {
namespace {

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
core::TimePoint SteadyNow() {
  return core::TimePoint(std::chrono::duration_cast<core::Duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

constexpr const char* kUsage =
    "usage: huddle engine -c FILE [--listen HOST:PORT] [--run-for DURATION]\n"
    "Runs the predictive engine alone: POST /api/v1/ingest, scrapes, /api/v1/snapshot, /ws.\n";

}  // namespace

int RunEngineCommand(int argc, char** argv) {
  std::string path;
  std::string listen_override;
  core::Duration run_for{};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "-c" || arg == "--config") {
      const char* v = next();
      if (!v) return std::fputs(kUsage, stderr), 2;
      path = v;
    } else if (arg == "--listen") {
      const char* v = next();
      if (!v) return std::fputs(kUsage, stderr), 2;
      listen_override = v;
    } else if (arg == "--run-for") {
      const char* v = next();
      auto d = v ? core::ParseDuration(v) : core::Result<core::Duration>(core::Fail("missing"));
      if (!d) return std::fputs(kUsage, stderr), 2;
      run_for = *d;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "huddle engine: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (path.empty()) return std::fputs(kUsage, stderr), 2;
  // Before any thread starts (the HTTP thread, the store's): SIGINT/SIGTERM stop the loop below.
  common::BlockControlSignals();
  auto config = LoadEngineConfig(path);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 1;
  }
  if (!listen_override.empty()) {
    auto hp = common::ParseHostPort(listen_override);
    if (!hp) {
      std::fprintf(stderr, "huddle engine: --listen: %s\n", hp.error().message.c_str());
      return 2;
    }
    config->listen = *hp;
  }
  std::unique_ptr<EngineStore> store;
  if (!config->storage_url.empty()) {
    auto s = EngineStore::Open(config->storage_url);
    if (!s) {
      std::fprintf(stderr, "huddle engine: storage: %s\n", s.error().message.c_str());
      return 1;
    }
    store = std::move(*s);
  }
  std::unique_ptr<Actuator> actuator;
  if (config->actuator.kind == "webhook") {
    auto a = MakeWebhookActuator(config->actuator.url, config->actuator.dry_run,
                                 config->actuator.timeout);
    if (!a) return std::fprintf(stderr, "huddle engine: %s\n", a.error().message.c_str()), 1;
    actuator = std::move(*a);
  } else if (config->actuator.kind == "command") {
    auto a = MakeCommandActuator(config->actuator.command, config->actuator.dry_run,
                                 config->actuator.timeout);
    if (!a) return std::fprintf(stderr, "huddle engine: %s\n", a.error().message.c_str()), 1;
    actuator = std::move(*a);
  } else {
    actuator = MakeLogActuator(std::cout);
  }

  // One token rule for every control plane (common/http/auth.h): none only on loopback; a
  // generated token is written to a 0600 file whose path is printed.
  auto token = http::ResolveStartToken(config->token, config->listen.host, "engine");
  if (!token) return std::fprintf(stderr, "huddle engine: %s\n", token.error().message.c_str()), 2;
  Engine engine(config->engine);
  std::mutex mutex;
  EngineApi api(engine, mutex, token->token);
  boost::asio::io_context io;
  common::AdminHttpOptions http_options;
  http_options.body_limit_bytes = config->engine.ingest.max_body_bytes + 1024;
  http_options.websocket_path = "/ws";
  common::AdminHttpServer server(
      io,
      [&](const common::AdminRequest& r) {
        const double offset = WallNow() - core::ToSeconds(SteadyNow().time_since_epoch());
        return api.Handle(r, SteadyNow(), offset);
      },
      "", http_options);
  auto port = server.Listen(config->listen);
  if (!port) {
    std::fprintf(stderr, "huddle engine: %s\n", port.error().message.c_str());
    return 1;
  }
  std::string token_file;
  if (token->generated) {
    auto file = http::WriteTokenFile("engine", *port, token->token);
    if (!file) return std::fprintf(stderr, "huddle engine: %s\n", file.error().message.c_str()), 1;
    token_file = *file;
    std::fprintf(stderr, "huddle engine: API token written to %s (mode 0600)\n",
                 token_file.c_str());
  }
  auto broadcast_and_actuate = [&](const TickReport& report, const std::string& tick_json) {
    server.Broadcast(tick_json);
    for (const Directive& d : report.directives) {
      if (!d.act) continue;
      auto r = actuator->Apply(d);
      if (!r) {
        std::fprintf(stderr, "huddle engine: actuator %s: %s\n",
                     std::string(actuator->name()).c_str(), r.error().message.c_str());
      } else if (actuator->name() != "log") {
        std::fprintf(stderr, "huddle engine: %s (%s)\n", r->detail.c_str(), d.reason.c_str());
      }
    }
  };
  api.set_on_step([&](const TickReport& report) {
    std::string j;
    {
      std::lock_guard lock(mutex);
      j = TickJson(engine, report, WallNow() - core::ToSeconds(SteadyNow().time_since_epoch()))
              .dump();
    }
    broadcast_and_actuate(report, j);
  });
  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  std::fprintf(stderr, "huddle engine: listening on %s:%u (tick %.3g s, %zu scrape targets%s)\n",
               config->listen.host.c_str(), *port, core::ToSeconds(config->engine.tick),
               config->targets.size(), store ? ", storage on" : "");

  std::vector<TargetScraper> scrapers;
  for (const ScrapeTarget& t : config->targets) scrapers.emplace_back(t);
  const auto started = SteadyNow();
  auto next_tick = started;
  auto next_persist = started + config->persist_interval;
  bool stop = false;
  while (!stop && (run_for == core::Duration::zero() || SteadyNow() - started < run_for)) {
    // Sleep until the tick, woken by a stop signal; the engine has no reload, so a SIGHUP is
    // told as such instead of being taken for one.
    for (core::Duration left = next_tick - SteadyNow(); left > core::Duration::zero();
         left = next_tick - SteadyNow()) {
      const common::ControlSignal sig = common::WaitForControlSignal(left);
      if (sig == common::ControlSignal::kStop) {
        stop = true;
        break;
      }
      if (sig == common::ControlSignal::kReload) {
        std::fprintf(stderr,
                     "huddle engine: SIGHUP ignored: the engine does not reload its "
                     "config (restart it)\n");
      }
    }
    if (stop) break;
    next_tick += config->engine.tick;
    const core::TimePoint now = SteadyNow();
    const double wall = WallNow();
    const double offset = wall - core::ToSeconds(now.time_since_epoch());
    for (TargetScraper& s : scrapers) {
      auto r = HttpRequest("GET", s.target().url, "", "", config->scrape_timeout);
      if (!r || r->status != 200) {
        std::fprintf(stderr, "huddle engine: scrape %s: %s\n", s.target().url.c_str(),
                     r ? ("HTTP " + std::to_string(r->status)).c_str() : r.error().message.c_str());
        continue;
      }
      auto point = s.Build(ParsePrometheusText(r->body), now, wall);
      if (!point) continue;
      std::lock_guard lock(mutex);
      if (auto ok = engine.Ingest(*point, now); !ok) {
        std::fprintf(stderr, "huddle engine: scrape %s: %s\n", s.target().service.c_str(),
                     ok.error().message.c_str());
      }
    }
    TickReport report;
    std::string tick_json;
    {
      std::lock_guard lock(mutex);
      report = engine.Tick(now);
      tick_json = TickJson(engine, report, offset).dump();
      if (store) {
        store->Accumulate(engine.services());
        auto e = store->SaveEvents(report.events, offset);
        if (e) e = store->SaveDirectives(report.directives, offset);
        if (e && now >= next_persist) {
          next_persist = now + config->persist_interval;
          e = store->SaveSnapshot(SnapshotJson(engine, offset).dump(), wall);
          if (e) e = store->FlushRollups(wall);
          if (e) {
            auto deleted = store->ApplyRetention(wall, config->retention);
            if (!deleted) e = std::unexpected(deleted.error());
          }
        }
        if (!e) std::fprintf(stderr, "huddle engine: storage: %s\n", e.error().message.c_str());
      }
    }
    broadcast_and_actuate(report, tick_json);
  }
  server.Close();
  guard.reset();
  io.stop();
  io_thread.join();
  if (!token_file.empty()) std::remove(token_file.c_str());  // the token dies with the engine
  std::fprintf(stderr, "huddle engine: stopped after %llu ticks\n",
               static_cast<unsigned long long>(engine.ticks()));
  return 0;
}

}  // namespace huddle::engine
