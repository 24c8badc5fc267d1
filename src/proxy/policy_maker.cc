#include "proxy/policy_maker.h"

#if __has_include("core/cluster/policy_factory.h")
#include "core/cluster/policy_factory.h"
#define HUDDLE_PROXY_HAS_FACTORY 1
#endif

namespace huddle::proxy {

#ifdef HUDDLE_PROXY_HAS_FACTORY

core::Result<std::unique_ptr<core::Policy>> MakeProxyPolicy(std::string_view name,
                                                            const core::OptionMap& options) {
  return core::MakePolicy(name, options);
}

std::vector<std::string> ProxyPolicyNames() { return core::PolicyNames(); }

#else

namespace {

// Stand-in until the brain's policy factory lands: plain round robin over the table.
class InterimRoundRobin final : public core::Policy {
 public:
  std::string_view Name() const override { return "round_robin"; }
  void Update(const core::RoutingTable& table) override { table_ = table; }
  std::optional<core::BackendIndex> Pick(const core::PickContext&) override {
    if (table_.entries.empty()) return std::nullopt;
    next_ = (next_ + 1) % table_.entries.size();
    return table_.entries[next_].backend;
  }
  void Observe(core::BackendIndex, const core::Outcome&, core::TimePoint) override {}

 private:
  core::RoutingTable table_;
  size_t next_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<core::Policy>> MakeProxyPolicy(std::string_view name,
                                                            const core::OptionMap& options) {
  if (name != "round_robin") return core::Fail("unknown policy '" + std::string(name) + "'");
  if (!options.empty()) return core::Fail("round_robin takes no options");
  return std::make_unique<InterimRoundRobin>();
}

std::vector<std::string> ProxyPolicyNames() { return {"round_robin"}; }

#endif

}  // namespace huddle::proxy
