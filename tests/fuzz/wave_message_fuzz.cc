// Fuzzes the overlay's wave messages (the body of POST /wave between workers, Echo and Finn from
// core/waves): a node of a four-node ring takes a sequence of messages, one JSON document per line,
// as its neighbours (or an attacker) would send them. Each gives a result or an error, never a
// crash or an exception. The first byte picks which node receives them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "taskd/overlay_node.h"
#include "taskd/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const huddle::taskd::Topology ring = [] {
    auto t = huddle::taskd::ParseTopology(
        "nodes: [a, b, c, d]\nedges: [[a, b], [b, c], [c, d], [d, a]]\ninitiator: a\n", "ring");
    FUZZ_CHECK(t.has_value(), "the ring topology does not parse");
    return *t;
  }();
  const std::string self = ring.names[data[0] % ring.names.size()];
  huddle::taskd::OverlayNode node(ring, self, "http://127.0.0.1:1", "");
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
    if (message.is_discarded()) continue;
    const auto result = node.OnMessage(message);
    FUZZ_CHECK(result || !result.error().message.empty(), "an error without a message");
  }
  return 0;
}
