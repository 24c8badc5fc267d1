// Prometheus text exposition: enough to read huddle's /metrics (no escapes beyond \" and \\).
// parseProm(text) -> Map(name -> [{labels, value}])
export function parseProm(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let l;
      while ((l = re.exec(m[3])) !== null) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1]).push({ labels, value });
  }
  return out;
}

// Cumulative histogram buckets of `name` ("<name>_bucket") per key(labels): Map(key -> [[le, count]]
// sorted by le).
export function histograms(parsed, name, key) {
  const out = new Map();
  for (const { labels, value } of parsed.get(`${name}_bucket`) || []) {
    const k = key(labels);
    if (!out.has(k)) out.set(k, []);
    out.get(k).push([labels.le === '+Inf' ? Infinity : Number(labels.le), value]);
  }
  for (const b of out.values()) b.sort((x, y) => x[0] - y[0]);
  return out;
}

// Bucket-wise difference now - before (same bounds), clamped at 0 (a counter reset gives now).
export function diffBuckets(now, before) {
  if (!before || before.length !== now.length) return now.map(([le, c]) => [le, c]);
  const d = now.map(([le, c], i) => [le, c - before[i][1]]);
  return d.some(([, c]) => c < 0) ? now.map(([le, c]) => [le, c]) : d;
}

export function sumBuckets(list) {
  if (list.length === 0) return [];
  const out = list[0].map(([le]) => [le, 0]);
  for (const b of list) {
    if (b.length !== out.length) continue;
    b.forEach(([, c], i) => { out[i][1] += c; });
  }
  return out;
}

// The q-quantile of cumulative buckets, linear inside the bucket (histogram_quantile's rule);
// the +Inf bucket answers its lower bound. null when there is no observation.
export function quantile(buckets, q) {
  if (!buckets || buckets.length === 0) return null;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      const inBucket = count - prevCount;
      if (inBucket <= 0) return le;
      return prevLe + (le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
