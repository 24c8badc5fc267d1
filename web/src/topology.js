// The Topology view: the task service's workers on the overlay, drawn as the spanning tree the
// last Echo wave built (node -> father, as in echo-finn-lab's live tree view), coloured by load;
// the running waves, the rebalancing plan Finn's wave spread, and migrations in flight as arrows.
import { fmt, h, heatColour, s } from './util.js';

export class TopologyView {
  constructor(api, container) {
    this.api = api;
    this.container = container;
    this.data = null;
    this.error = null;
  }

  async refresh() {
    const base = (p) => this.api.tasksUrl(p);
    if (!base('/')) return;
    try {
      const [workers, waves, migrations] = await Promise.all([
        this.api.get(base('/api/workers')), this.api.get(base('/api/waves')), this.api.get(base('/api/migrations'))]);
      this.data = { workers, waves, migrations };
      this.error = null;
    } catch (e) {
      this.error = e.message;
    }
  }

  render() {
    if (!this.api.tasksUrl('/')) {
      this.container.replaceChildren(h('section', { class: 'panel' }, h('h2', { text: 'Task service' }),
        h('p', { class: 'na', text: 'Not available: no task coordinator is configured for this dashboard.' })));
      return;
    }
    if (!this.data) {
      this.container.replaceChildren(h('p', { class: 'na', text: this.error ? `Not available: ${this.error}` : 'loading…' }));
      return;
    }
    const { workers, waves, migrations } = this.data;
    const wave = [...waves].reverse().find((w) => w.tree && Object.keys(w.tree).length > 0) || null;
    const svg = s('svg', { class: 'topo', role: 'img', 'aria-label': 'task workers on the overlay' });
    drawGraph(svg, workers, wave, migrations);
    const inFlight = migrations.filter((m) => m.result === 'in_flight');
    this.container.replaceChildren(
      h('section', { class: 'panel' }, h('h2', {}, 'Workers ', h('small', { text: wave ? `(tree of wave ${wave.wave}, initiator ${wave.initiator ?? '?'})` : '(no wave yet: workers only)' })), svg,
        h('p', { class: 'legend' }, 'colour: load (blue idle → red full) · solid line: Echo spanning tree (child → father) · dashed arrow: migration in flight · dotted arrow: planned move')),
      h('div', { class: 'two' },
        h('section', { class: 'panel' }, h('h2', { text: 'Waves' }), table(['wave', 'nodes decided', 'echo msgs', 'finn msgs', 'moves'], [...waves].reverse().slice(0, 12).map((w) => [w.wave, w.nodes_decided, w.echo_messages, w.finn_messages, w.moves_requested]))),
        h('section', { class: 'panel' }, h('h2', {}, 'Migrations ', h('small', { text: `${inFlight.length} in flight` })), table(['id', 'task', 'from → to', 'result', 'benefit', 'downtime'], [...migrations].reverse().slice(0, 12).map((m) => [m.id, m.task, `${workerName(workers, m.source)} → ${workerName(workers, m.target)}`, m.result, fmt.num(m.net_benefit, 2), m.downtime_ms == null ? '–' : `${fmt.num(m.downtime_ms, 0)} ms`])))));
  }
}

function workerName(workers, id) {
  const w = workers.find((x) => x.id === id);
  return w ? (w.node || w.name || `#${id}`) : `#${id}`;
}

function table(cols, rows) {
  if (rows.length === 0) return h('p', { class: 'na', text: 'none yet' });
  return h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((v) => h('td', { text: v == null ? '–' : String(v) }))))));
}

function drawGraph(svg, workers, wave, migrations) {
  const W = 900;
  const H = 420;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#e8833a' }))));
  const load = new Map();
  for (const l of (wave && wave.loads) || []) load.set(l.node, l.capacity > 0 ? l.load / l.capacity : l.load);
  for (const w of workers) if (w.node) load.set(w.node, w.utilisation ?? load.get(w.node));
  const pos = new Map();
  let edges = [];
  if (wave) {
    const tree = wave.tree;
    const names = new Set(Object.keys(tree));
    for (const f of Object.values(tree)) if (f) names.add(f);
    const children = new Map([...names].map((n) => [n, []]));
    let roots = [];
    for (const n of names) {
      const f = tree[n];
      if (f && children.has(f)) children.get(f).push(n);
      else roots.push(n);
    }
    for (const c of children.values()) c.sort();
    roots = roots.sort();
    // Tidy enough: leaves left to right, parents centred over their children, depth downwards.
    let leaf = 0;
    let depthMax = 0;
    const place = (n, d) => {
      depthMax = Math.max(depthMax, d);
      const kids = children.get(n) || [];
      if (kids.length === 0) { pos.set(n, { x: leaf++, d }); return; }
      kids.forEach((k) => place(k, d + 1));
      pos.set(n, { x: (pos.get(kids[0]).x + pos.get(kids[kids.length - 1]).x) / 2, d });
    };
    roots.forEach((r) => place(r, 0));
    const sx = (W - 80) / Math.max(1, leaf - 1);
    const sy = (H - 80) / Math.max(1, depthMax);
    for (const [n, p] of pos) pos.set(n, { x: 40 + (leaf > 1 ? p.x * sx : (W - 80) / 2), y: 40 + p.d * sy });
    edges = Object.entries(tree).filter(([, f]) => f && pos.has(f));
  } else {
    const names = workers.map((w) => w.node || w.name || `#${w.id}`);
    names.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, names.length) - Math.PI / 2;
      pos.set(n, { x: W / 2 + 170 * Math.cos(a), y: H / 2 + 170 * Math.sin(a) });
    });
  }
  for (const [n, f] of edges) {
    const a = pos.get(n);
    const b = pos.get(f);
    svg.append(s('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'tree-edge' }));
  }
  const arrow = (from, to, cls) => {
    const a = pos.get(from);
    const b = pos.get(to);
    if (!a || !b || from === to) return;
    const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.25;
    const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.25;
    svg.append(s('path', { d: `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}`, class: cls, 'marker-end': 'url(#arrow)' }));
  };
  for (const p of (wave && wave.plan) || []) arrow(p.from, p.to, 'plan-move');
  for (const m of migrations.filter((x) => x.result === 'in_flight')) arrow(workerName(workers, m.source), workerName(workers, m.target), 'migration');
  for (const [n, p] of pos) {
    const l = load.get(n);
    const w = workers.find((x) => x.node === n);
    const label = `${n}: load ${l == null ? 'unknown' : fmt.pct(l)}${w ? `, worker ${w.name || w.id} (${w.state}, ${w.tasks?.length ?? 0} tasks)` : ''}`;
    svg.append(s('g', { transform: `translate(${p.x} ${p.y})`, class: `tnode${w && w.state === 'lost' ? ' lost' : ''}`, tabindex: '0', 'aria-label': label, 'data-node': n, 'data-load': l == null ? '' : l.toFixed(3) },
      s('title', { text: label }),
      s('circle', { r: 20, fill: l == null ? '#9aa3ad' : heatColour(l) }),
      s('text', { y: 4, class: 'node-name', text: n }),
      s('text', { y: 34, class: 'node-temp', text: l == null ? '' : fmt.pct(l) })));
  }
}
