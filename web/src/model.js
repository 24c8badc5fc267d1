// Turns successive /api/v1/clusters (+ /metrics) readings into what the page draws: per backend
// and per cluster rates, windowed p50/p99 and errors, ring position and temperature, and the
// state changes between two readings (as timeline entries with a plain-English reason).
import { diffBuckets, histograms, quantile, sumBuckets } from './prom.js';
import { History } from './history.js';

// Temperature from the policy when it reports one (thermal); otherwise derived the HuddleCluster
// way: relative latency anomaly against the cluster median, clamp((p50/median - 1)/2, 0, 1),
// raised by the error share. Marked `derived` so the page says which one it shows.
export function deriveTemperature(backend, medianP50) {
  const g = backend.policy_gauges || {};
  if (typeof g.temperature === 'number') return { value: g.temperature, derived: false };
  let anomaly = 0;
  if (backend.p50 != null && medianP50 > 0) anomaly = Math.min(1, Math.max(0, (backend.p50 / medianP50 - 1) / 2));
  const errors = backend.rate > 0 ? Math.min(1, (backend.errRate || 0) / backend.rate) : 0;
  return { value: Math.min(1, Math.max(anomaly, errors)), derived: true };
}

export function ringOf(b) {
  const g = b.policy_gauges || {};
  if (!b.in_table || b.draining || b.ejected || !b.healthy) return 'outer';
  if (typeof g.inner === 'number') return g.inner > 0.5 ? 'inner' : 'outer';
  return 'inner';
}

export function stateOf(b) {
  if (!b.healthy) return 'down';
  if (b.ejected) return 'ejected';
  if (b.draining) return 'drained';
  if (!b.in_table) return 'out';
  return ringOf(b) === 'inner' ? 'inner' : 'cooling';
}

const STATE_TEXT = {
  down: 'down: failing health checks',
  ejected: 'ejected by outlier detection',
  drained: 'drained: takes no new requests',
  out: 'out of the routing table',
  inner: 'in the inner ring (serving)',
  cooling: 'in the outer ring (cooling)',
};
export const stateText = (s) => STATE_TEXT[s] || s;

function median(values) {
  const v = values.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const fmtMs = (x) => (x == null ? '–' : x < 10 ? x.toFixed(1) : x.toFixed(0));

export class ClusterModel {
  constructor(capacity = 300) {
    this.capacity = capacity;
    this.prev = null; // {t, backends: Map(key -> {requests, errors, buckets})}
    this.clusters = new Map(); // name -> {info, backends: [..], history: History}
  }

  key(cluster, backend) { return `${cluster}/${backend}`; }

  // t: seconds (wall clock); json: /api/v1/clusters; prom: parsed /metrics or null.
  // Returns timeline entries for what changed since the previous reading.
  update(t, json, prom) {
    const buckets = prom ? histograms(prom, 'huddle_backend_latency_seconds', (l) => this.key(l.cluster, l.backend)) : new Map();
    const prev = this.prev;
    const dt = prev ? Math.max(1e-3, t - prev.t) : null;
    const now = { t, backends: new Map() };
    const changes = [];
    for (const c of json.clusters || []) {
      let entry = this.clusters.get(c.name);
      if (!entry) {
        entry = { info: c, backends: [], history: new History(this.capacity) };
        this.clusters.set(c.name, entry);
      }
      const rows = [];
      const windowBuckets = [];
      for (const b of c.backends || []) {
        const k = this.key(c.name, b.name);
        const p = prev && prev.backends.get(k);
        const nb = buckets.get(k) || null;
        const d = nb ? diffBuckets(nb, p && p.buckets) : null;
        const row = { ...b, cluster: c.name };
        row.rate = p && dt ? Math.max(0, b.requests - p.requests) / dt : null;
        row.errRate = p && dt ? Math.max(0, b.errors - p.errors) / dt : null;
        if (d && p) {
          windowBuckets.push(d);
          const q50 = quantile(d, 0.5);
          const q99 = quantile(d, 0.99);
          row.p50 = q50 == null ? null : q50 * 1000;
          row.p99 = q99 == null ? null : q99 * 1000;
        } else {
          // No histogram: the cumulative quantiles the API reports.
          row.p50 = b.latency_p50_ms ?? null;
          row.p99 = b.latency_p99_ms ?? null;
        }
        row.state = stateOf(b);
        row.ring = ringOf(b);
        rows.push(row);
        now.backends.set(k, { requests: b.requests, errors: b.errors, buckets: nb, state: row.state, row });
      }
      const med = median(rows.filter((r) => r.ring === 'inner').map((r) => r.p50));
      for (const r of rows) {
        const temp = deriveTemperature(r, med);
        r.temperature = temp.value;
        r.temperatureDerived = temp.derived;
        const k = this.key(c.name, r.name);
        const p = prev && prev.backends.get(k);
        if (p && p.state !== r.state) changes.push(this.describe(c.name, r, p.row, med));
      }
      const cl = sumBuckets(windowBuckets);
      const sum = (f) => (rows.some((r) => r[f] != null) ? rows.reduce((a, r) => a + (r[f] || 0), 0) : null);
      const clusterRow = {
        rate: sum('rate'),
        errRate: sum('errRate'),
        p50: windowBuckets.length ? (quantile(cl, 0.5) ?? null) : null,
        p99: windowBuckets.length ? (quantile(cl, 0.99) ?? null) : null,
      };
      if (clusterRow.p50 != null) clusterRow.p50 *= 1000;
      if (clusterRow.p99 != null) clusterRow.p99 *= 1000;
      const sample = {
        'cluster.rate': clusterRow.rate,
        'cluster.errors': clusterRow.errRate,
        'cluster.p50': clusterRow.p50,
        'cluster.p99': clusterRow.p99,
      };
      for (const r of rows) {
        sample[`rate.${r.name}`] = r.rate;
        sample[`p50.${r.name}`] = r.p50;
        sample[`p99.${r.name}`] = r.p99;
        sample[`errors.${r.name}`] = r.errRate;
      }
      if (prev) entry.history.push(t, sample);
      entry.info = c;
      entry.backends = rows;
      entry.summary = { ...clusterRow, median: med };
    }
    this.prev = now;
    return changes;
  }

  describe(cluster, now, before, med) {
    const subject = `${cluster}/${now.name}`;
    const lat = now.p50 != null && med ? ` (p50 ${fmtMs(now.p50)} ms against a median of ${fmtMs(med)} ms, temperature ${now.temperature.toFixed(2)})` : '';
    let reason;
    let severity = 'info';
    switch (now.state) {
      case 'down': reason = `${now.name} is down: its health checks fail${now.last_probe_status ? ` (last probe: ${now.last_probe_status})` : ''}`; severity = 'critical'; break;
      case 'ejected': reason = `${now.name} was ejected by outlier detection after errors (ejected ${now.times_ejected} time${now.times_ejected === 1 ? '' : 's'})`; severity = 'warning'; break;
      case 'drained': reason = `${now.name} is drained: it finishes what it has and takes nothing new`; break;
      case 'out': reason = `${now.name} left the routing table`; severity = 'warning'; break;
      case 'cooling': reason = `${now.name} rotated to the outer ring to cool down${lat}`; severity = 'warning'; break;
      case 'inner':
        reason = before.state === 'cooling' ? `${now.name} cooled down and rejoined the inner ring${lat}` : `${now.name} is back in rotation (was ${stateText(before.state)})`;
        break;
      default: reason = `${now.name}: ${before.state} → ${now.state}`;
    }
    return { source: 'observed', kind: now.state, subject, reason, severity };
  }
}
