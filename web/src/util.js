// Small DOM helpers shared by the views.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null) el.append(c);
  return el;
}

// Blue (cold) -> green -> amber (the heat threshold, 0.55) -> red (1.0).
const STOPS = [[0, [43, 131, 186]], [0.3, [102, 189, 99]], [0.55, [253, 174, 97]], [1, [215, 25, 28]]];
export function heatColour(t) {
  const x = Math.min(1, Math.max(0, t ?? 0));
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i];
    const [x0, c0] = STOPS[i - 1];
    if (x <= x1) {
      const f = (x - x0) / (x1 - x0);
      const c = c0.map((v, j) => Math.round(v + (c1[j] - v) * f));
      return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    }
  }
  return 'rgb(215, 25, 28)';
}

export const fmt = {
  num: (x, d = 1) => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(d)),
  ms: (x) => (x == null || !Number.isFinite(x) ? '–' : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`),
  rate: (x) => (x == null || !Number.isFinite(x) ? '–' : `${x.toFixed(x < 10 ? 1 : 0)}/s`),
  pct: (x) => (x == null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(0)}%`),
  time: (ms) => new Date(ms).toLocaleTimeString([], { hour12: false }),
};

// Stable series colours by index.
const PALETTE = ['#4a90c2', '#e8833a', '#59a14f', '#af7aa1', '#e15759', '#76b7b2', '#edc948', '#9c755f', '#bab0ac', '#ff9da7'];
export const seriesColour = (i) => PALETTE[i % PALETTE.length];
