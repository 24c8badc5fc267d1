#pragma once

namespace huddle::core {

// Queueing formulas for capacity models. Pure functions: no state, no allocation, thread-safe.
// Units: rates in requests per second, times in seconds. Every function is total: out-of-domain
// input (rho >= 1, non-finite, c < 1) returns the documented saturated value instead of NaN.

// Erlang B blocking probability of c servers offered a = lambda / mu erlangs, by the stable
// recursion B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}); every B_k lies in (0, 1], so nothing
// overflows for any c. O(c). Returns 1 for a = +inf, 0 for a <= 0. REQUIRES: c >= 1.
double ErlangB(int c, double a);

// Erlang C probability that an arrival waits in M/M/c: C = B_c / (1 - rho (1 - B_c)), rho = a/c.
// Returns 1 when rho >= 1 (every arrival waits), 0 for a <= 0. O(c).
double ErlangC(int c, double a);

// M/M/c mean wait in queue, E[Wq] = C / (c mu - lambda); +inf when lambda >= c mu.
double MmcMeanWait(int c, double lambda, double mu);

// M/M/c wait quantile: P(Wq > t) = C e^{-(c mu - lambda) t}, so
// t_p = max(0, ln(C / (1 - p)) / (c mu - lambda)); +inf when lambda >= c mu. p in (0, 1).
double MmcWaitQuantile(int c, double lambda, double mu, double p);

// A quick upper bound of MmcWaitQuantile that needs no Erlang C (C <= 1):
// ln(1 / (1 - p)) / (c mu - lambda). Use it to skip the O(c) recursion when even the bound is
// small enough.
double MmcWaitQuantileBound(int c, double lambda, double mu, double p);

// Burst amplification of G/G/c over M/M/c (Allen-Cunneen): (ca2 + cs2) / 2, where ca2 and cs2 are
// the squared coefficients of variation of inter-arrival and service times (1 and 1 for M/M/c).
double BurstAmplification(double ca2, double cs2);

// Kingman's G/G/1 approximation: E[Wq] ~ (rho / (1 - rho)) ((ca2 + cs2) / 2) E[S]; +inf at
// rho >= 1.
double KingmanWait(double rho, double ca2, double cs2, double mean_service_s);

// Allen-Cunneen G/G/c approximation: E[Wq] ~ E[Wq(M/M/c)] (ca2 + cs2) / 2.
double AllenCunneenWait(int c, double lambda, double mu, double ca2, double cs2);

// The smallest c >= ceil(a) (and >= 1) with ErlangC(c, a) <= target, stepping c upward and
// carrying the Erlang B value forward (O(1) per extra server). Returns max_c if none up to max_c.
int ServersForWaitProbability(double a, double target, int max_c);

}  // namespace huddle::core
