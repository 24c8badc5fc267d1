#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proxy/config.h"
#include "proxy/proxy_server.h"
#include "proxy/upstream_server.h"
#include "test_http.h"

namespace huddle::proxy::testing {

// Starts `n` upstreams on loopback (port 0) and a proxy in front of them, built from a YAML
// template where $BACKENDS expands to the backend list and $EXTRA to extra cluster keys.
class ProxyFixture {
 public:
  struct Options {
    size_t upstreams = 3;
    std::string policy = "round_robin";
    std::string cluster_extra;   // more keys of the cluster (indented by 4)
    std::string listener_extra;  // more keys of the listener (indented by 4)
    std::string top_extra;       // more top-level keys
    int threads = 1;
    core::Duration latency{0};
  };

  explicit ProxyFixture(Options o) : options_(std::move(o)) {
    for (size_t i = 0; i < options_.upstreams; ++i) {
      UpstreamOptions u;
      u.name = "u" + std::to_string(i);
      u.latency = options_.latency;
      u.seed = i + 1;
      upstreams_.push_back(std::make_unique<UpstreamServer>(u));
      auto s = upstreams_.back()->Start();
      EXPECT_TRUE(s) << s.error().message;
    }
    auto config = ParseConfig(Yaml(), "test.yaml");
    if (!config) {
      ADD_FAILURE() << config.error().message << "\n" << Yaml();
      return;
    }
    config_ = *config;
    server_ = std::make_unique<ProxyServer>(config_);
    auto s = server_->Start();
    EXPECT_TRUE(s) << s.error().message;
  }
  ~ProxyFixture() {
    if (server_) server_->Stop();
  }

  std::string Yaml() const {
    std::string backends;
    for (size_t i = 0; i < upstreams_.size(); ++i) {
      backends += "      - { name: u" + std::to_string(i) +
                  ", address: 127.0.0.1:" + std::to_string(upstreams_[i]->port()) + " }\n";
    }
    return "threads: " + std::to_string(options_.threads) + "\n" + options_.top_extra +
           "admin:\n  address: 127.0.0.1:0\n"
           "listeners:\n  - name: web\n    address: 127.0.0.1:0\n    cluster: app\n" +
           options_.listener_extra + "clusters:\n  - name: app\n    policy: " + options_.policy +
           "\n    backends:\n" + backends + options_.cluster_extra;
  }

  uint16_t port() const { return server_->listener_port(0); }
  uint16_t admin_port() const { return server_->admin_port(); }
  ProxyServer& server() { return *server_; }
  UpstreamServer& upstream(size_t i) { return *upstreams_[i]; }
  const ProxyConfig& config() const { return config_; }
  bool ok() const { return server_ != nullptr; }

 private:
  Options options_;
  std::vector<std::unique_ptr<UpstreamServer>> upstreams_;
  ProxyConfig config_;
  std::unique_ptr<ProxyServer> server_;
};

}  // namespace huddle::proxy::testing
