#include "sim/simulation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::sim {
namespace {

// One backend or more, exponential service, Poisson arrivals, no timeouts, retries or probes:
// the textbook queue.
Scenario Queue(uint32_t backends, uint32_t workers, double mean_ms, double rate, double seconds) {
  Scenario s;
  s.name = "queue";
  s.duration_s = seconds;
  s.measure_from_s = seconds * 0.02;  // drop the empty-system start
  for (uint32_t i = 0; i < backends; ++i) {
    SimBackendSpec b;
    b.name = "s" + std::to_string(i);
    b.workers = workers;
    b.service.kind = ServiceSpec::Kind::kExponential;
    b.service.mean_ms = mean_ms;
    s.backends.push_back(b);
  }
  s.workload.kind = WorkloadSpec::Kind::kOpen;
  s.workload.rate_per_s = rate;
  s.workload.timeout_ms = 0.0;
  s.retry.attempts = 1;
  s.health_check.enabled = false;
  return s;
}

PolicySpec Spec(const std::string& label) {
  auto spec = FindPolicy(label);
  EXPECT_TRUE(spec.has_value()) << label;
  return *spec;
}

TrialResult RunOrDie(const Scenario& s, const std::string& policy, uint64_t seed = 1,
                     SimulationOptions options = {}) {
  Simulation sim(s, Spec(policy), seed, options);
  auto result = sim.Run();
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : TrialResult{};
}

// Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu.
double ErlangC(int c, double a) {
  double term = 1.0;  // a^k / k!
  double sum = 0.0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double rho = a / c;
  const double last = term / (1.0 - rho);  // a^c / c! / (1 - rho)
  return last / (sum + last);
}

TEST(SimulationTest, MM1MeanResponseMatchesClosedForm) {
  // lambda = 70/s, mu = 100/s (mean service 10 ms), rho = 0.7: W = 1/(mu - lambda) = 33.33 ms.
  // About 280 000 measured requests; the batch-means standard error of W at rho = 0.7 is about
  // 1 %, so a 4 % tolerance fails only on a real bias.
  const Scenario s = Queue(1, 1, 10.0, 70.0, 4000.0);
  const TrialResult r = RunOrDie(s, "round_robin", 7);
  EXPECT_NEAR(r.Get("mean_ms"), 1000.0 / 30.0, 0.04 * 1000.0 / 30.0);
  // The sojourn time of M/M/1 FCFS is exponential with rate mu - lambda: p99 = ln(100) * W.
  EXPECT_NEAR(r.Get("p99_ms"), std::log(100.0) * 1000.0 / 30.0,
              0.06 * std::log(100.0) * 1000.0 / 30.0);
  EXPECT_EQ(r.Get("error_pct"), 0.0);
}

TEST(SimulationTest, MMcMeanWaitMatchesErlangC) {
  // c = 4, mu = 100/s each, lambda = 320/s: a = 3.2, rho = 0.8.
  // Wq = C(4, 3.2) / (c mu - lambda) = 0.5964 / 80 s = 7.455 ms; W = Wq + 10 ms.
  const Scenario s = Queue(1, 4, 10.0, 320.0, 1500.0);
  const TrialResult r = RunOrDie(s, "round_robin", 11);
  const double wq_ms = ErlangC(4, 3.2) / (400.0 - 320.0) * 1000.0;
  EXPECT_NEAR(wq_ms, 7.455, 0.01);
  const double wait_ms = r.Get("mean_ms") - 10.0;
  // About 470 000 requests; the wait's standard error is about 2 % of Wq here: allow 6 %.
  EXPECT_NEAR(wait_ms, wq_ms, 0.06 * wq_ms);
}

TEST(SimulationTest, RoundRobinSharesAreExact) {
  // Round robin over four backends sends exactly one request in four to each (within one, for the
  // requests still in flight when the run stops; measured from t = 0).
  Scenario s = Queue(4, 1, 5.0, 400.0, 50.0);
  s.measure_from_s = 0.0;
  const TrialResult r = RunOrDie(s, "round_robin");
  ASSERT_EQ(r.backend_attempts.size(), 4u);
  const uint64_t total = r.attempts;
  for (uint64_t a : r.backend_attempts) {
    EXPECT_LE(a, total / 4 + 1);
    EXPECT_GE(a, total / 4);
  }
  EXPECT_NEAR(r.Get("gini"), 0.0, 1e-4);
}

TEST(SimulationTest, SameSeedSameArrivalsForEveryPolicy) {
  const Scenario s = Queue(3, 1, 5.0, 300.0, 20.0);
  const TrialResult a = RunOrDie(s, "round_robin", 5);
  const TrialResult b = RunOrDie(s, "sed_oracle", 5);
  EXPECT_EQ(a.simulated_requests, b.simulated_requests);
  EXPECT_GT(a.simulated_requests, 5500u);  // 300/s for 20 s = 6000 expected
  const TrialResult c = RunOrDie(s, "round_robin", 5);
  EXPECT_EQ(a.Get("p99_ms"), c.Get("p99_ms"));  // deterministic
  const TrialResult d = RunOrDie(s, "round_robin", 6);
  EXPECT_NE(a.Get("p99_ms"), d.Get("p99_ms"));
}

TEST(SimulationTest, SlowFaultRaisesLatencyAndOracleAvoidsIt) {
  // Four backends at 10 ms, 200/s (rho = 0.5 each); backend 0 becomes 5x slower at 10 s.
  Scenario s = Queue(4, 1, 10.0, 200.0, 30.0);
  s.faults.push_back({FaultSpec::Kind::kSlow, {0}, 10.0, kForever, 5.0});
  const TrialResult rr = RunOrDie(s, "round_robin");
  const TrialResult oracle = RunOrDie(s, "sed_oracle");
  // Round robin keeps sending a quarter of the traffic to a backend now at rho = 2.5: its queue
  // grows without bound, so its p99 is seconds.
  EXPECT_GT(rr.Get("p99_ms"), 1000.0);
  EXPECT_NEAR(rr.Get("faulty_share_pct"), 25.0, 0.5);
  EXPECT_TRUE(std::isnan(rr.Get("detect_s")));
  EXPECT_LT(oracle.Get("p99_ms"), 150.0);
  EXPECT_LT(oracle.Get("faulty_share_pct"), 12.5);
  EXPECT_LT(oracle.Get("detect_s"), 1.0);
}

TEST(SimulationTest, LowerBoundIsTheServiceTimeWithoutQueueing) {
  // One backend, one worker, every request exactly 10 ms, 80/s: requests queue behind each other,
  // but the bound of each is its own 10 ms.
  Scenario s = Queue(1, 1, 10.0, 80.0, 20.0);
  s.backends[0].service.kind = ServiceSpec::Kind::kFixed;
  s.backends[0].service.jitter_ms = 0.0;
  const TrialResult bound = RunOrDie(s, "lower_bound");
  EXPECT_NEAR(bound.Get("p50_ms"), 10.0, 1e-3);
  EXPECT_NEAR(bound.Get("p99_ms"), 10.0, 1e-3);
  EXPECT_EQ(bound.Get("error_pct"), 0.0);
  EXPECT_TRUE(std::isnan(bound.Get("gini")));  // not the bound's to report
  const TrialResult clairvoyant = RunOrDie(s, "clairvoyant");
  EXPECT_GT(clairvoyant.Get("p99_ms"), 20.0);  // rho = 0.8: some requests wait
}

TEST(SimulationTest, LowerBoundIsBelowEveryPolicyAtEveryQuantile) {
  Scenario s = Queue(3, 2, 10.0, 420.0, 20.0);  // rho = 0.7
  s.backends[0].service.mean_ms = 30.0;         // and one slow backend
  const TrialResult bound = RunOrDie(s, "lower_bound", 3);
  for (const char* policy :
       {"round_robin", "least_request", "default", "prequal", "c3", "sed_oracle", "clairvoyant"}) {
    const TrialResult r = RunOrDie(s, policy, 3);
    for (const char* m : {"p50_ms", "p99_ms", "p999_ms", "mean_ms"}) {
      EXPECT_LE(bound.Get(m), r.Get(m)) << policy << " " << m;
    }
  }
}

TEST(SimulationTest, ClairvoyantSendsNothingThatWouldFail) {
  // Backend 0 answers half its requests with HTTP 500; there are no retries. The clairvoyant
  // policy knows which attempts would fail and sends them elsewhere; round robin loses about a
  // third of half.
  Scenario s = Queue(3, 1, 5.0, 150.0, 20.0);
  s.faults.push_back({FaultSpec::Kind::kErrors, {0}, 0.0, kForever, 1.0, 0.5});
  const TrialResult clairvoyant = RunOrDie(s, "clairvoyant");
  EXPECT_EQ(clairvoyant.Get("error_pct"), 0.0);
  const TrialResult rr = RunOrDie(s, "round_robin");
  EXPECT_NEAR(rr.Get("error_pct"), 100.0 / 6, 2.0);
}

TEST(SimulationTest, ClairvoyantBeatsTheSedOracleOnRealisedTimes) {
  // Two backends, the same mean but a heavy tail: knowing each request's size helps.
  Scenario s = Queue(2, 1, 10.0, 140.0, 30.0);
  for (SimBackendSpec& b : s.backends) {
    b.service.slow_fraction = 0.05;
    b.service.slow_multiplier = 20.0;
    b.service.mean_ms = 4.0;  // mean 4 x (1 + 0.05 x 19) = 7.8 ms; rho = 0.55
  }
  const TrialResult clairvoyant = RunOrDie(s, "clairvoyant");
  const TrialResult sed = RunOrDie(s, "sed_oracle");
  EXPECT_LT(clairvoyant.Get("p99_ms"), sed.Get("p99_ms"));
  EXPECT_LT(clairvoyant.Get("mean_ms"), sed.Get("mean_ms"));
}

TEST(SimulationTest, OutsideTrafficTakesTheBackendsWorkers) {
  // M/M/1 with 10 ms service: 25/s through the balancer alone is rho = 0.25, mean response
  // 10 / (1 - 0.25) = 13.3 ms; another 25/s of outside traffic makes rho = 0.5 and the mean
  // 10 / (1 - 0.5) = 20 ms for the balancer's requests too.
  Scenario s = Queue(1, 1, 10.0, 25.0, 400.0);
  const TrialResult alone = RunOrDie(s, "round_robin");
  s.backends[0].external_rate_per_s = 25.0;
  const TrialResult shared = RunOrDie(s, "round_robin");
  EXPECT_NEAR(alone.Get("mean_ms"), 13.3, 1.5);
  EXPECT_NEAR(shared.Get("mean_ms"), 20.0, 2.5);
  EXPECT_EQ(shared.simulated_requests, alone.simulated_requests);  // outside requests not counted
}

TEST(SimulationTest, BimodalServiceSlowsTheSameRequestsEverywhere) {
  ServiceSpec spec;
  spec.kind = ServiceSpec::Kind::kFixed;
  spec.mean_ms = 10.0;
  spec.jitter_ms = 0.0;
  spec.slow_fraction = 0.05;
  spec.slow_multiplier = 20.0;
  const CounterRandom rng(7);
  int slow = 0;
  for (uint64_t key = 0; key < 20000; ++key) {
    const double ms = spec.SampleMs(rng, key, 0);
    ASSERT_TRUE(ms == 10.0 || ms == 200.0) << ms;
    slow += ms == 200.0;
    EXPECT_EQ(ms, spec.SampleMs(rng, key, 3));  // a property of the request
  }
  // Binomial(20000, 0.05): mean 1000, sd 31.
  EXPECT_NEAR(slow, 1000, 130);
  EXPECT_DOUBLE_EQ(spec.MeanMs(0), 10.0 * (1 + 0.05 * 19));
}

TEST(SimulationTest, CrashWithRetriesLosesNothing) {
  // A refused connection is retried on another backend: no request fails.
  Scenario s = Queue(3, 1, 5.0, 200.0, 20.0);
  s.faults.push_back({FaultSpec::Kind::kRefuse, {1}, 5.0});
  s.retry.attempts = 3;
  s.retry.min_concurrency = 1000;  // no budget limit here
  const TrialResult with = RunOrDie(s, "round_robin");
  EXPECT_EQ(with.Get("error_pct"), 0.0);
  EXPECT_GT(with.Get("retries_pct"), 20.0);  // a third of the requests after 5 s hit the dead one
  // A tight budget (at most one retry in flight or in backoff) lets some requests fail.
  s.retry.min_concurrency = 1;
  s.retry.budget_ratio = 0.0;
  const TrialResult tight = RunOrDie(s, "round_robin");
  EXPECT_GT(tight.Get("error_pct"), 0.5);
  s.retry.attempts = 1;
  const TrialResult without = RunOrDie(s, "round_robin");
  // Without retries a third of the requests after t = 5 s fail: 1/3 * 15/20 = 25 %.
  EXPECT_NEAR(without.Get("error_pct"), 25.0, 1.5);
}

TEST(SimulationTest, BlackholeTimesOut) {
  Scenario s = Queue(2, 1, 5.0, 100.0, 20.0);
  s.workload.timeout_ms = 200.0;
  s.faults.push_back({FaultSpec::Kind::kBlackhole, {0}, 10.0});
  const TrialResult r = RunOrDie(s, "round_robin");
  // Half the requests after 10 s time out at 200 ms: 25 % errors, p99 = the timeout.
  EXPECT_NEAR(r.Get("error_pct"), 25.0, 1.5);
  EXPECT_NEAR(r.Get("p99_ms"), 200.0, 1.0);
}

TEST(SimulationTest, ErrorRateGives500s) {
  Scenario s = Queue(2, 1, 5.0, 100.0, 40.0);
  s.faults.push_back({FaultSpec::Kind::kErrors, {0}, 0.0, kForever, 5.0, 0.4});
  const TrialResult r = RunOrDie(s, "round_robin");
  // Half the traffic sees 40 % errors: 20 % of requests fail (binomial, n ~ 4000: sd 0.6 %).
  EXPECT_NEAR(r.Get("error_pct"), 20.0, 2.0);
}

TEST(SimulationTest, ClosedLoopKeepsItsClients) {
  // 8 clients, no think time, one backend with 4 workers at a fixed 10 ms: the backend is always
  // full, so throughput is 400/s and every request waits one service time: 20 ms.
  Scenario s = Queue(1, 4, 10.0, 0.0, 10.0);
  s.backends[0].service.kind = ServiceSpec::Kind::kFixed;
  s.workload.kind = WorkloadSpec::Kind::kClosed;
  s.workload.clients = 8;
  s.measure_from_s = 1.0;
  const TrialResult r = RunOrDie(s, "round_robin");
  EXPECT_NEAR(r.Get("mean_ms"), 20.0, 0.01);
  EXPECT_NEAR(static_cast<double>(r.simulated_requests), 4000.0, 10.0);
}

TEST(SimulationTest, RecordsSeries) {
  const Scenario s = Queue(2, 1, 5.0, 100.0, 10.0);
  SimulationOptions options;
  options.record_series = true;
  options.series_buckets = 10;
  const TrialResult r = RunOrDie(s, "round_robin", 1, options);
  ASSERT_EQ(r.series_count.size(), 10u);
  ASSERT_EQ(r.series_dispatch.size(), 2u);
  uint64_t dispatched = 0;
  for (const auto& row : r.series_dispatch) {
    for (uint32_t x : row) dispatched += x;
  }
  EXPECT_EQ(dispatched, r.attempts);
  EXPECT_NEAR(r.bucket_s, 1.0, 1e-9);
}

}  // namespace
}  // namespace huddle::sim
