#include "sim/report_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace huddle::sim {
namespace {

std::string Printf(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

bool HasGnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Ten distinguishable colours (matplotlib's tab10), cycled.
std::string Colour(size_t i) {
  static const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return std::string(" lc rgb '") + kColours[i % 10] + "'";
}

}  // namespace

std::string MetricLabel(const std::string& metric) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"p50_ms", "p50 (ms)"},
      {"p95_ms", "p95 (ms)"},
      {"p99_ms", "p99 (ms)"},
      {"p999_ms", "p99.9 (ms)"},
      {"mean_ms", "mean (ms)"},
      {"error_pct", "errors after retries (%)"},
      {"gini", "Gini of request share"},
      {"detect_requests", "detection (requests to faulty)"},
      {"detect_s", "detection (s)"},
      {"recover_s", "recovery (s)"},
      {"faulty_share_pct", "share to faulty while faulty (%)"},
      {"retries_pct", "retries (% of requests)"},
  };
  for (const auto& [k, v] : kLabels) {
    if (metric == k) return v;
  }
  return metric;
}

std::string FormatValue(const std::string& metric, double v) {
  if (!std::isfinite(v)) return "—";
  if (metric == "gini") return Printf("%.3f", v);
  if (metric == "detect_requests") return Printf("%.0f", v);
  const double a = std::fabs(v);
  if (a >= 100) return Printf("%.0f", v);
  if (a >= 10) return Printf("%.1f", v);
  if (a >= 1) return Printf("%.2f", v);
  return Printf("%.3f", v);
}

// The spread with as many decimals as its mean was printed with.
std::string FormatLike(const std::string& metric, double v, double like) {
  if (!std::isfinite(v)) return "—";
  if (metric == "gini") return Printf("%.3f", v);
  const double a = std::fabs(like);
  if (metric == "detect_requests" || a >= 100) return Printf("%.0f", v);
  if (a >= 10) return Printf("%.1f", v);
  if (a >= 1) return Printf("%.2f", v);
  return Printf("%.3f", v);
}

std::string MarkdownReport(const ScenarioReport& report, const std::string& baseline) {
  std::ostringstream out;
  const Scenario& sc = report.scenario;
  out << "### " << sc.name << "\n\n";
  if (!sc.description.empty()) out << sc.description << "\n\n";
  out << report.trials << " trials (seeds " << report.seed << "–" << report.seed + report.trials - 1
      << "), " << report.simulated_requests << " simulated requests in "
      << Printf("%.1f", report.wall_seconds) << " s.\n\n";
  out << "| Metric |";
  for (const std::string& p : report.policies) out << " " << p << " |";
  out << "\n|---|";
  for (size_t i = 0; i < report.policies.size(); ++i) out << "---|";
  out << "\n";
  bool any_star = false;
  for (const std::string& metric : MetricNames()) {
    bool any = false;
    for (const std::string& p : report.policies) {
      const MetricSummary* r = report.Find(p, metric);
      if (r != nullptr && r->n > 0) any = true;
    }
    if (!any) continue;
    out << "| " << MetricLabel(metric) << " |";
    for (const std::string& p : report.policies) {
      const MetricSummary* r = report.Find(p, metric);
      out << " ";
      if (r == nullptr || r->n == 0) {
        out << "never";
      } else {
        out << FormatValue(metric, r->mean);
        if (r->n > 1) out << " ± " << FormatLike(metric, r->std, r->mean);
        if (std::isfinite(r->p_value) && r->p_value < 0.05 && p != baseline) {
          out << "*";
          any_star = true;
        }
        if (r->n < report.trials) out << " (" << r->n << "/" << report.trials << ")";
      }
      out << " |";
    }
    out << "\n";
  }
  out << "\n";
  bool any_reference = false;
  for (const char* ref : kRatioReferences) {
    for (const std::string& p : report.policies) any_reference = any_reference || p == ref;
  }
  if (any_reference) {
    out << "| Ratio (mean over seeds) |";
    for (const std::string& p : report.policies) out << " " << p << " |";
    out << "\n|---|";
    for (size_t i = 0; i < report.policies.size(); ++i) out << "---|";
    out << "\n";
    for (const char* ref : kRatioReferences) {
      if (std::find(report.policies.begin(), report.policies.end(), ref) == report.policies.end()) {
        continue;
      }
      for (const char* metric : kRatioMetrics) {
        std::string label = MetricLabel(metric);
        label = label.substr(0, label.find(" ("));
        out << "| " << label << " ÷ " << ref << " |";
        for (const std::string& p : report.policies) {
          const double r = report.PairedRatio(p, ref, metric);
          out << " " << (std::isfinite(r) ? Printf("%.2f", r) : std::string("—")) << " |";
        }
        out << "\n";
      }
    }
    out << "\n";
  }
  if (any_star) {
    out << "`*` differs from " << baseline << " with p < 0.05 (Welch's t-test over the trials). "
        << "\"never\": no trial reached the event; (k/N): only k of N trials did, the mean is "
           "over those.\n\n";
  }
  return out.str();
}

std::string JsonReport(const std::vector<ScenarioReport>& reports, double wall_seconds) {
  nlohmann::json root;
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json scenarios = nlohmann::json::array();
  nlohmann::json ratios = nlohmann::json::array();
  uint64_t simulated = 0;
  for (const ScenarioReport& report : reports) {
    simulated += report.simulated_requests;
    scenarios.push_back({{"name", report.scenario.name},
                         {"trials", report.trials},
                         {"seed", report.seed},
                         {"policies", report.policies},
                         {"simulated_requests", report.simulated_requests},
                         {"wall_seconds", report.wall_seconds}});
    for (const char* ref : kRatioReferences) {
      for (const std::string& p : report.policies) {
        for (const char* metric : kRatioMetrics) {
          const double r = report.PairedRatio(p, ref, metric);
          if (!std::isfinite(r)) continue;
          ratios.push_back({{"scenario", report.scenario.name},
                            {"policy", p},
                            {"reference", ref},
                            {"metric", metric},
                            {"ratio", r}});
        }
      }
    }
    for (const MetricSummary& r : report.rows) {
      results.push_back({{"scenario", report.scenario.name},
                         {"policy", r.policy},
                         {"metric", r.metric},
                         {"n", r.n},
                         {"mean", Number(r.mean)},
                         {"std", Number(r.std)},
                         {"ci95", Number(r.ci95)},
                         {"p_value", Number(r.p_value)}});
    }
  }
  root["results"] = std::move(results);
  root["scenarios"] = std::move(scenarios);
  root["ratios"] = std::move(ratios);
  root["simulated_requests"] = simulated;
  root["wall_seconds"] = wall_seconds;
  return root.dump(2) + "\n";
}

core::Result<std::vector<std::string>> WriteOutputs(const std::vector<ScenarioReport>& reports,
                                                    const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::Fail("cannot create " + dir + ": " + ec.message());
  std::vector<std::string> written;
  auto open = [&](const std::string& name, std::ofstream& f) -> bool {
    const std::string path = (fs::path(dir) / name).string();
    f.open(path);
    if (f) written.push_back(path);
    return static_cast<bool>(f);
  };

  std::ofstream results;
  if (!open("results.csv", results)) return core::Fail("cannot write results.csv in " + dir);
  results << "scenario,policy,metric,n,mean,std,ci95,p_value\n";
  std::ofstream trials;
  if (!open("trials.csv", trials)) return core::Fail("cannot write trials.csv in " + dir);
  trials << "scenario,policy,seed,simulated_requests";
  for (const std::string& m : MetricNames()) trials << "," << m;
  trials << "\n";
  auto csv = [](double v) { return std::isfinite(v) ? Printf("%.6g", v) : std::string(); };
  const bool gnuplot = HasGnuplot();

  for (const ScenarioReport& report : reports) {
    const std::string& name = report.scenario.name;
    for (const MetricSummary& r : report.rows) {
      results << name << "," << r.policy << "," << r.metric << "," << r.n << "," << csv(r.mean)
              << "," << csv(r.std) << "," << csv(r.ci95) << "," << csv(r.p_value) << "\n";
    }
    std::vector<const TrialResult*> first;  // trial 0 of each policy, with its series
    for (const TrialResult& t : report.trial_results) {
      trials << name << "," << t.policy << "," << t.seed << "," << t.simulated_requests;
      for (const std::string& m : MetricNames()) trials << "," << csv(t.Get(m));
      trials << "\n";
      if (!t.series_count.empty()) first.push_back(&t);
    }
    if (first.empty()) continue;

    // Latency over time: one column of p99 per policy.
    std::ofstream lat;
    const std::string lat_csv = "latency_" + name + ".csv";
    if (!open(lat_csv, lat)) return core::Fail("cannot write " + lat_csv);
    lat << "time_s";
    for (const TrialResult* t : first) lat << "," << t->policy;
    lat << "\n";
    const size_t buckets = first.front()->series_count.size();
    for (size_t k = 0; k < buckets; ++k) {
      lat << Printf("%.3f", (static_cast<double>(k) + 0.5) * first.front()->bucket_s);
      for (const TrialResult* t : first) lat << "," << csv(t->series_p99_ms[k]);
      lat << "\n";
    }
    lat.close();

    // Traffic share over time per backend, one file per policy.
    for (const TrialResult* t : first) {
      std::ofstream share;
      const std::string share_csv = "share_" + name + "_" + t->policy + ".csv";
      if (!open(share_csv, share)) return core::Fail("cannot write " + share_csv);
      share << "time_s";
      for (const std::string& b : t->series_backends) share << "," << b;
      share << "\n";
      for (size_t k = 0; k < buckets; ++k) {
        double total = 0;
        for (const auto& row : t->series_dispatch) total += row[k];
        share << Printf("%.3f", (static_cast<double>(k) + 0.5) * t->bucket_s);
        for (const auto& row : t->series_dispatch) {
          share << "," << (total > 0 ? Printf("%.4f", row[k] / total) : std::string());
        }
        share << "\n";
      }
    }
    if (!gnuplot) continue;

    // latency_<name>.png: p99 per time bucket, one line per policy (log scale).
    const std::string gp_path = (fs::path(dir) / ("plot_" + name + ".gp")).string();
    std::ofstream gp(gp_path);
    gp << "set datafile separator ','\nset terminal pngcairo noenhanced size 1100,520 font ',10'\n"
       << "set key outside right\nset grid\nset xlabel 'virtual time (s)'\n";
    gp << "set output " << Quote((fs::path(dir) / ("latency_" + name + ".png")).string()) << "\n";
    gp << "set title "
       << Quote(name + ": p99 latency per " + Printf("%.2f", first.front()->bucket_s) +
                " s (trial 1)")
       << "\nset ylabel 'p99 (ms)'\nset logscale y\n";
    gp << "plot ";
    for (size_t i = 0; i < first.size(); ++i) {
      gp << (i ? ", " : "") << Quote((fs::path(dir) / lat_csv).string()) << " using 1:" << i + 2
         << " with lines lw 1.5" << Colour(i) << " title " << Quote(first[i]->policy);
    }
    gp << "\nunset logscale y\n";
    // share_<name>.png: one panel per policy, stacked shares per backend.
    const size_t panels = first.size();
    const size_t cols = 3;
    const size_t rows = (panels + cols - 1) / cols;
    gp << "set terminal pngcairo noenhanced size 1500," << 330 * rows << " font ',9'\n";
    gp << "set output " << Quote((fs::path(dir) / ("share_" + name + ".png")).string()) << "\n";
    gp << "set multiplot layout " << rows << "," << cols << " title "
       << Quote(name + ": share of attempts per backend over time (trial 1)") << "\n";
    gp << "set yrange [0:1]\nset ylabel 'share'\nset key inside top right font ',7'\n";
    for (const TrialResult* t : first) {
      const std::string file =
          Quote((fs::path(dir) / ("share_" + name + "_" + t->policy + ".csv")).string());
      gp << "set title " << Quote(t->policy) << "\nplot ";
      for (size_t b = 0; b < t->series_backends.size(); ++b) {
        gp << (b ? ", " : "") << file << " using 1:" << b + 2 << " with lines" << Colour(b)
           << " title " << Quote(t->series_backends[b]);
      }
      gp << "\n";
    }
    gp << "unset multiplot\n";
    gp.close();
    const std::string cmd = "gnuplot " + Quote(gp_path) + " 2>/dev/null";
    if (std::system(cmd.c_str()) == 0) {
      written.push_back((fs::path(dir) / ("latency_" + name + ".png")).string());
      written.push_back((fs::path(dir) / ("share_" + name + ".png")).string());
    }
  }
  return written;
}

}  // namespace huddle::sim
