#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace huddle::common {

// Writes the Prometheus text exposition format (version 0.0.4) for every /metrics endpoint of
// huddle. Samples may be added in any order: each family is printed once, in the order it was
// first declared, with its HELP and TYPE lines and all its samples together (promtool and
// Prometheus reject a family split in two). Label values are escaped (\\, \", \n); doubles are
// written with full precision (shortest text that reads back to the same double), NaN and
// infinities as NaN, +Inf and -Inf; integers exactly. Names that are not valid metric or label
// names are made valid (invalid characters become '_'). Not thread-safe; one per scrape.
//
//   PrometheusText m;
//   m.Family("huddle_backend_requests_total", PrometheusText::kCounter, "Requests sent.");
//   m.Sample("huddle_backend_requests_total", {{"backend", name}}, requests);
//   std::string body = m.Text();
class PrometheusText {
 public:
  enum Type { kCounter, kGauge, kHistogram, kSummary, kUntyped };
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Declares a family. Declaring it again keeps the first HELP and TYPE.
  void Family(std::string_view name, Type type, std::string_view help);

  // One sample of `family`; `suffix` is "_bucket", "_sum" or "_count" for histogram and summary
  // series ("" otherwise). A family sampled without a declaration is untyped, its HELP its name.
  template <typename T>
  requires std::is_arithmetic_v<T>
  void Sample(std::string_view family, const Labels& labels, T value,
              std::string_view suffix = "") {
    if constexpr (std::is_floating_point_v<T>) {
      Append(family, labels, suffix, FormatDouble(static_cast<double>(value)));
    } else if constexpr (std::is_signed_v<T>) {
      Append(family, labels, suffix, std::to_string(static_cast<int64_t>(value)));
    } else {
      Append(family, labels, suffix, std::to_string(static_cast<uint64_t>(value)));
    }
  }

  // The whole exposition, families in declaration order.
  std::string Text() const;

  // Helpers, public for the tests and for callers that build names from data.
  static std::string EscapeLabelValue(std::string_view value);
  static std::string SanitizeName(std::string_view name);
  static std::string FormatDouble(double value);

 private:
  struct FamilyData {
    std::string name;
    Type type = kUntyped;
    std::string help;
    std::string samples;
  };
  FamilyData& Find(std::string_view family);
  void Append(std::string_view family, const Labels& labels, std::string_view suffix,
              const std::string& value);

  std::vector<FamilyData> families_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace huddle::common
