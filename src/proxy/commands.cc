#include "proxy/commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "common/fd_limit.h"
#include "common/signals.h"
#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_server.h"

namespace huddle::proxy {

int RunCheckCommand(int argc, char** argv) {
  CLI::App app{"Validate a huddle proxy config without starting it", "huddle check"};
  std::string file;
  app.add_option("-c,--config", file, "config file (YAML)")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  core::Result<ProxyConfig> config = LoadConfigFile(file);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 1;
  }
  size_t backends = 0;
  for (const ClusterConfig& c : config->clusters) backends += c.backends.size();
  std::printf("%s: ok (%zu listener(s), %zu cluster(s), %zu backend(s))\n", file.c_str(),
              config->listeners.size(), config->clusters.size(), backends);
  return 0;
}

// Raises the open-file limit and warns when the listeners' max_connections still cannot fit:
// each client connection may hold one upstream connection too.
static void WarnIfFileLimitTooLow(const ProxyConfig& config) {
  const common::FileLimit limit = common::RaiseFileLimit();
  const uint64_t threads = config.threads > 0 ? static_cast<uint64_t>(config.threads)
                                              : std::max(1u, std::thread::hardware_concurrency());
  uint64_t wanted = 64;  // listeners, admin, logs, health checks
  for (const ListenerConfig& l : config.listeners) wanted += 2 * l.max_connections * threads;
  if (limit.soft < wanted) {
    std::fprintf(stderr,
                 "huddle proxy: warning: open-file limit %llu (hard %llu) is below the %llu that "
                 "max_connections needs (2 per connection); raise `ulimit -n` or lower "
                 "max_connections\n",
                 static_cast<unsigned long long>(limit.soft),
                 static_cast<unsigned long long>(limit.hard),
                 static_cast<unsigned long long>(wanted));
  }
}

int RunProxyCommand(int argc, char** argv) {
  CLI::App app{"Run the huddle HTTP load balancer", "huddle proxy"};
  std::string file;
  int threads = -1;
  app.add_option("-c,--config", file, "config file (YAML)")->required();
  app.add_option("--threads", threads, "worker threads (default: config, else number of cores)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  core::Result<ProxyConfig> config = LoadConfigFile(file);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 1;
  }
  if (threads >= 0) config->threads = threads;
  WarnIfFileLimitTooLow(*config);
  common::BlockControlSignals();  // before the server starts its threads
  ProxyServer server(*config);
  if (auto s = server.Start(); !s) {
    std::fprintf(stderr, "huddle proxy: %s\n", s.error().message.c_str());
    return 1;
  }
  for (size_t i = 0; i < config->listeners.size(); ++i) {
    std::fprintf(stderr, "huddle proxy: listener '%s' on %s:%u -> cluster '%s'\n",
                 config->listeners[i].name.c_str(), config->listeners[i].address.host.c_str(),
                 server.listener_port(i), config->listeners[i].cluster.c_str());
  }
  if (config->admin.enabled) {
    std::fprintf(stderr, "huddle proxy: admin on http://%s:%u/ (%zu worker threads)\n",
                 config->admin.address.host.c_str(), server.admin_port(), server.threads());
  }
  for (;;) {
    if (common::WaitForControlSignal() == common::ControlSignal::kReload) {
      core::Result<ProxyConfig> next = LoadConfigFile(file);
      if (!next) {
        std::fprintf(stderr, "huddle proxy: reload rejected:\n%s\n", next.error().message.c_str());
        continue;
      }
      if (threads >= 0) next->threads = threads;
      if (auto r = server.Reload(*next); !r) {
        std::fprintf(stderr, "huddle proxy: reload rejected: %s\n", r.error().message.c_str());
      } else {
        config = std::move(next);  // drain_timeout and the rest as reloaded
        std::fprintf(stderr, "huddle proxy: configuration reloaded\n");
      }
      continue;
    }
    std::fprintf(stderr, "huddle proxy: draining (up to %.1f s)\n",
                 core::ToSeconds(config->drain_timeout));
    const size_t left = server.Drain(config->drain_timeout);
    std::fprintf(stderr, "huddle proxy: stopped (%zu connection(s) cut)\n", left);
    return 0;
  }
}

int RunUpstreamCommand(int argc, char** argv) {
  CLI::App app{"A small HTTP/1.1 backend with scriptable faults", "huddle upstream"};
  UpstreamOptions options;
  int port = 0;
  double latency_ms = 0;
  double jitter_ms = 0;
  std::vector<std::string> faults;
  app.add_option("--port", port, "port to listen on")->required()->check(CLI::Range(0, 65535));
  app.add_option("--host", options.host, "address to listen on (default 127.0.0.1)");
  app.add_option("--name", options.name, "name sent in x-upstream (default upstream-PORT)");
  app.add_option("--latency-ms", latency_ms, "latency added to every response")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--jitter-ms", jitter_ms, "uniform extra latency in [0, J]")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--body-bytes", options.body_bytes, "size of the default response body");
  app.add_option("--max-concurrency", options.max_concurrency,
                 "requests served at once; the others wait in arrival order (default 0: "
                 "unlimited)");
  int control_port = -1;
  app.add_option("--control-port", control_port,
                 "serve the fault-control API (GET/POST/DELETE /faults) on 127.0.0.1 at this port "
                 "(0: any free port; default: none)")
      ->check(CLI::Range(0, 65535));
  app.add_option(
      "--fault", faults,
      "KIND[:key=value,...], KIND = slow|error|crash|hang|reset; keys at, for, "
      "factor (slow), rate (error, reset), status (error). Example: slow:factor=5,at=10s,for=30s");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.port = static_cast<uint16_t>(port);
  if (options.name == "upstream") options.name = "upstream-" + std::to_string(port);
  options.latency = core::FromMillis(latency_ms);
  options.jitter = core::FromMillis(jitter_ms);
  options.seed = static_cast<uint64_t>(port) + 1;
  if (control_port >= 0) options.control_port = static_cast<uint16_t>(control_port);
  for (const std::string& f : faults) {
    core::Result<FaultSpec> spec = ParseFaultSpec(f);
    if (!spec) {
      std::fprintf(stderr, "huddle upstream: %s\n", spec.error().message.c_str());
      return 2;
    }
    options.faults.push_back(*spec);
  }
  common::BlockControlSignals();
  UpstreamServer server(options);
  if (auto s = server.Start(); !s) {
    std::fprintf(stderr, "huddle upstream: %s\n", s.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "huddle upstream '%s' on %s:%u\n", options.name.c_str(),
               options.host.c_str(), server.port());
  if (options.control_port) {
    std::fprintf(stderr, "huddle upstream '%s': fault control on http://127.0.0.1:%u/faults\n",
                 options.name.c_str(), server.control_port());
  }
  common::WaitForStopSignal(std::nullopt);
  server.Stop();
  std::fprintf(stderr, "huddle upstream '%s': served %llu request(s)\n", options.name.c_str(),
               static_cast<unsigned long long>(server.served()));
  return 0;
}

}  // namespace huddle::proxy
