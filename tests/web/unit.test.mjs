// Unit tests of the dashboard's pure modules (no browser): Prometheus parsing, windowed
// quantiles from histogram differences, the id-less event diff, the derived temperature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffBuckets, histograms, parseProm, quantile, sumBuckets } from '../../web/src/prom.js';
import { newTail } from '../../web/src/timeline.js';
import { deriveTemperature, ringOf, stateOf } from '../../web/src/model.js';

const text = `# TYPE huddle_backend_latency_seconds histogram
huddle_backend_latency_seconds_bucket{cluster="app",backend="u1",le="0.001"} 0
huddle_backend_latency_seconds_bucket{cluster="app",backend="u1",le="0.01"} 90
huddle_backend_latency_seconds_bucket{cluster="app",backend="u1",le="0.1"} 100
huddle_backend_latency_seconds_bucket{cluster="app",backend="u1",le="+Inf"} 100
huddle_backend_requests_total{cluster="app",backend="u1"} 100
`;

test('parses series with labels and +Inf', () => {
  const p = parseProm(text);
  assert.equal(p.get('huddle_backend_requests_total')[0].value, 100);
  assert.deepEqual(p.get('huddle_backend_requests_total')[0].labels, { cluster: 'app', backend: 'u1' });
  const h = histograms(p, 'huddle_backend_latency_seconds', (l) => l.backend).get('u1');
  assert.deepEqual(h, [[0.001, 0], [0.01, 90], [0.1, 100], [Infinity, 100]]);
});

test('quantiles interpolate inside the bucket', () => {
  const b = [[0.001, 0], [0.01, 90], [0.1, 100], [Infinity, 100]];
  // rank 50 of 90 in (0.001, 0.01]: 0.001 + 0.009 * 50/90 = 0.006
  assert.ok(Math.abs(quantile(b, 0.5) - 0.006) < 1e-12);
  // rank 99: 9 of 10 in (0.01, 0.1]: 0.01 + 0.09 * 0.9 = 0.091
  assert.ok(Math.abs(quantile(b, 0.99) - 0.091) < 1e-12);
  assert.equal(quantile([[0.01, 0], [Infinity, 0]], 0.5), null);
  assert.equal(quantile([[0.01, 0], [Infinity, 5]], 0.5), 0.01); // +Inf answers its lower bound
});

test('windowed buckets: differences, reset, sums', () => {
  const before = [[0.01, 10], [Infinity, 10]];
  const now = [[0.01, 12], [Infinity, 20]];
  assert.deepEqual(diffBuckets(now, before), [[0.01, 2], [Infinity, 10]]);
  assert.deepEqual(diffBuckets([[0.01, 1], [Infinity, 1]], before), [[0.01, 1], [Infinity, 1]]); // reset
  assert.deepEqual(sumBuckets([[[0.01, 1], [Infinity, 2]], [[0.01, 3], [Infinity, 4]]]), [[0.01, 4], [Infinity, 6]]);
});

test('new events of an append-only list without ids', () => {
  const a = { k: 'eject', b: 'u1' };
  const b = { k: 'readmit', b: 'u1' };
  const c = { k: 'eject', b: 'u2' };
  assert.deepEqual(newTail(null, [a, b]), [a, b]);
  assert.deepEqual(newTail([a, b], [a, b, c]), [c]);
  assert.deepEqual(newTail([a, b, c], [b, c, a]), [a]); // oldest dropped, one appended
  assert.deepEqual(newTail([a, a], [a, a, a]), [a]);
  assert.deepEqual(newTail([a, b], [a, b]), []);
});

test('derived temperature and ring placement', () => {
  // p50 3x the median: (3 - 1) / 2 = 1.0
  assert.equal(deriveTemperature({ p50: 15, rate: 100, errRate: 0 }, 5).value, 1);
  assert.equal(deriveTemperature({ p50: 7.5, rate: 100, errRate: 0 }, 5).value, 0.25);
  assert.equal(deriveTemperature({ p50: 5, rate: 100, errRate: 20 }, 5).value, 0.2); // error share
  assert.deepEqual(deriveTemperature({ policy_gauges: { temperature: 0.4 } }, 5), { value: 0.4, derived: false });
  const ok = { healthy: true, ejected: false, draining: false, in_table: true, policy_gauges: { inner: 1 } };
  assert.equal(ringOf(ok), 'inner');
  assert.equal(stateOf({ ...ok, policy_gauges: { inner: 0 } }), 'cooling');
  assert.equal(stateOf({ ...ok, draining: true, in_table: false }), 'drained');
  assert.equal(stateOf({ ...ok, ejected: true }), 'ejected');
  assert.equal(stateOf({ ...ok, healthy: false, ejected: true }), 'down');
  assert.equal(ringOf({ ...ok, healthy: false }), 'outer');
});
