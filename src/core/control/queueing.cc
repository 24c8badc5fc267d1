#include "core/control/queueing.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double ErlangCFromB(double b, double rho) { return b / (1.0 - rho * (1.0 - b)); }

}  // namespace

double ErlangB(int c, double a) {
  if (!(a > 0.0)) return 0.0;
  if (std::isinf(a)) return 1.0;
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

double ErlangC(int c, double a) {
  if (!(a > 0.0)) return 0.0;
  c = std::max(c, 1);
  const double rho = a / c;
  if (!(rho < 1.0)) return 1.0;
  return ErlangCFromB(ErlangB(c, a), rho);
}

double MmcMeanWait(int c, double lambda, double mu) {
  c = std::max(c, 1);
  const double slack = c * mu - lambda;
  if (!(slack > 0.0)) return kInf;
  if (!(lambda > 0.0)) return 0.0;
  return ErlangC(c, lambda / mu) / slack;
}

double MmcWaitQuantile(int c, double lambda, double mu, double p) {
  c = std::max(c, 1);
  const double slack = c * mu - lambda;
  if (!(slack > 0.0)) return kInf;
  if (!(lambda > 0.0)) return 0.0;
  const double erlang_c = ErlangC(c, lambda / mu);
  if (!(erlang_c > 0.0)) return 0.0;
  return std::max(0.0, std::log(erlang_c / (1.0 - p)) / slack);
}

double MmcWaitQuantileBound(int c, double lambda, double mu, double p) {
  const double slack = std::max(c, 1) * mu - lambda;
  if (!(slack > 0.0)) return kInf;
  return std::max(0.0, -std::log(1.0 - p) / slack);
}

double BurstAmplification(double ca2, double cs2) {
  return (std::max(0.0, ca2) + std::max(0.0, cs2)) / 2.0;
}

double KingmanWait(double rho, double ca2, double cs2, double mean_service_s) {
  if (!(rho < 1.0)) return kInf;
  if (!(rho > 0.0)) return 0.0;
  return rho / (1.0 - rho) * BurstAmplification(ca2, cs2) * mean_service_s;
}

double AllenCunneenWait(int c, double lambda, double mu, double ca2, double cs2) {
  const double wait = MmcMeanWait(c, lambda, mu);
  if (std::isinf(wait)) return wait;
  return wait * BurstAmplification(ca2, cs2);
}

int ServersForWaitProbability(double a, double target, int max_c) {
  if (!(a > 0.0)) return 1;
  if (std::isinf(a)) return max_c;
  const int start = std::max(1, static_cast<int>(std::ceil(a)));
  if (start >= max_c) return max_c;
  double b = 1.0;
  for (int k = 1; k <= start; ++k) b = a * b / (k + a * b);
  for (int c = start;; ++c) {
    const double rho = a / c;
    if (rho < 1.0 && ErlangCFromB(b, rho) <= target) return c;
    if (c >= max_c) return max_c;
    b = a * b / (c + 1 + a * b);
  }
}

}  // namespace huddle::core
