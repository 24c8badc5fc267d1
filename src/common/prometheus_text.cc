#include "common/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace huddle::common {
namespace {

const char* TypeName(PrometheusText::Type t) {
  switch (t) {
    case PrometheusText::kCounter:
      return "counter";
    case PrometheusText::kGauge:
      return "gauge";
    case PrometheusText::kHistogram:
      return "histogram";
    case PrometheusText::kSummary:
      return "summary";
    case PrometheusText::kUntyped:
      break;
  }
  return "untyped";
}

// HELP text escapes only backslash and newline (exposition format).
std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool NameChar(char c, bool first, bool colon_ok) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon_ok && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

std::string Sanitize(std::string_view name, bool colon_ok) {
  std::string out;
  out.reserve(name.size() + 1);
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (i == 0 && c >= '0' && c <= '9') out.push_back('_');
    out.push_back(NameChar(c, out.empty(), colon_ok) ? c : '_');
  }
  if (out.empty()) out = "_";
  return out;
}

}  // namespace

std::string PrometheusText::EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PrometheusText::SanitizeName(std::string_view name) { return Sanitize(name, true); }

std::string PrometheusText::FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest representation that reads back to the same double (full precision).
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void PrometheusText::Family(std::string_view name, Type type, std::string_view help) {
  const std::string clean = SanitizeName(name);
  if (index_.contains(clean)) return;
  index_.emplace(clean, families_.size());
  families_.push_back(FamilyData{clean, type, std::string(help), ""});
}

PrometheusText::FamilyData& PrometheusText::Find(std::string_view family) {
  const std::string clean = SanitizeName(family);
  auto it = index_.find(clean);
  if (it == index_.end()) {
    Family(clean, kUntyped, clean);
    it = index_.find(clean);
  }
  return families_[it->second];
}

void PrometheusText::Append(std::string_view family, const Labels& labels, std::string_view suffix,
                            const std::string& value) {
  FamilyData& f = Find(family);
  std::string& out = f.samples;
  out += f.name;
  if (!suffix.empty()) out += Sanitize(suffix, false);
  if (!labels.empty()) {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out.push_back(',');
      first = false;
      out += Sanitize(k, false);
      out += "=\"";
      out += EscapeLabelValue(v);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  out += value;
  out.push_back('\n');
}

std::string PrometheusText::Text() const {
  std::string out;
  for (const FamilyData& f : families_) {
    out += "# HELP " + f.name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + f.name + " " + TypeName(f.type) + "\n";
    out += f.samples;
  }
  return out;
}

}  // namespace huddle::common
