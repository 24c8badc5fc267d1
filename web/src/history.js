// Fixed-length time series for the live charts: one shared time axis (seconds) and named series
// that may appear later (filled with null before). Keeps the last `capacity` samples.
export class History {
  constructor(capacity = 300) {
    this.capacity = capacity;
    this.times = [];
    this.series = new Map();
  }

  // values: {name: number|null}. A series absent from `values` gets null at this time.
  push(t, values) {
    this.times.push(t);
    for (const [name, v] of Object.entries(values)) {
      if (!this.series.has(name)) this.series.set(name, new Array(this.times.length - 1).fill(null));
    }
    for (const [name, arr] of this.series) arr.push(values[name] ?? null);
    if (this.times.length > this.capacity) {
      this.times.shift();
      for (const arr of this.series.values()) arr.shift();
    }
  }

  names() { return [...this.series.keys()]; }

  // uPlot's data layout: [times, ...series in `names` order].
  data(names) {
    return [this.times.slice(), ...names.map((n) => (this.series.get(n) || this.times.map(() => null)).slice())];
  }

  last(name) {
    const arr = this.series.get(name);
    return arr && arr.length ? arr[arr.length - 1] : null;
  }
}
