// huddle's dashboard: polls the admin API once a second (or follows the engine's /ws stream) and
// redraws the Monitor, Control and Topology views in place. No framework; uPlot for the charts.
import { Api } from './api.js';
import { parseProm } from './prom.js';
import { ClusterModel, stateText } from './model.js';
import { renderRings } from './rings.js';
import { LiveChart } from './charts.js';
import { Timeline, newTail } from './timeline.js';
import { EngineView } from './engine.js';
import { ControlView } from './control.js';
import { TopologyView } from './topology.js';
import { fmt, h, s } from './util.js';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);

const api = new Api();
const model = new ClusterModel(300);
const timeline = new Timeline($('timeline'), document.querySelectorAll('.tl-filter input'));
const engine = new EngineView($('services'), $('reasoning'), timeline);
const control = new ControlView(api, $('backend-controls'), $('engine-controls'), $('action-log'), timeline, () => poll(true));
const topology = new TopologyView(api, $('topology'));
const clusterViews = new Map();
let view = 'monitor';
let paused = false;
let lastOk = 0;
let proxyEvents = null;
let selected = null; // {cluster, backend}
let timer = null;
let socket = null;
let inFlight = false;

function banner(text) {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text || '';
}

// ---- views and keyboard --------------------------------------------------------------------
function show(next, focusTab = false) {
  view = next;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.dataset.view === next;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    if (on && focusTab) tab.focus();
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
  if (location.hash !== `#${next}`) history.replaceState(null, '', `#${next}`);
  render();
}

const tabs = [...document.querySelectorAll('[role=tab]')];
for (const tab of tabs) {
  tab.addEventListener('click', () => show(tab.dataset.view));
  tab.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(tab);
    if (e.key === 'ArrowRight') show(tabs[(i + 1) % tabs.length].dataset.view, true);
    else if (e.key === 'ArrowLeft') show(tabs[(i + tabs.length - 1) % tabs.length].dataset.view, true);
    else return;
    e.preventDefault();
  });
}
document.addEventListener('keydown', (e) => {
  if (e.target.closest('input, select, textarea') || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '1') show('monitor');
  else if (e.key === '2') show('control');
  else if (e.key === '3') show('topology');
  else if (e.key === 'p') togglePause();
  else if (e.key === 'Escape' && selected) { selected = null; render(); }
});
function togglePause() {
  paused = !paused;
  $('pause').setAttribute('aria-pressed', String(paused));
  $('pause').textContent = paused ? 'Resume' : 'Pause';
  if (!paused) poll(true);
  status();
}
$('pause').addEventListener('click', togglePause);
$('token').value = api.token;
$('token').addEventListener('change', (e) => { api.setToken(e.target.value.trim()); poll(true); });

function status() {
  const el = $('live');
  if (paused) { el.textContent = 'paused'; el.className = 'live paused'; return; }
  if (!lastOk) { el.textContent = 'connecting…'; el.className = 'live'; return; }
  const age = (Date.now() - lastOk) / 1000;
  el.textContent = age < 3 ? `live · ${fmt.time(lastOk)}` : `stale · last update ${age.toFixed(0)} s ago`;
  el.className = age < 3 ? 'live ok' : 'live stale';
}

// ---- polling ---------------------------------------------------------------------------------
async function pollProxy(t) {
  const [clusters, metrics, events] = await Promise.all([
    api.get('/api/v1/clusters'),
    api.get('/metrics', 'text').then(parseProm).catch(() => null),
    api.get('/api/v1/events').catch(() => null),
  ]);
  for (const change of model.update(t, clusters, metrics)) timeline.add(change);
  if (Array.isArray(events) || Array.isArray(events?.events)) ingestEvents(Array.isArray(events) ? events : events.events);
}

// /api/v1/events may hold the proxy's events ({cluster, backend, kind, reason}) and, when an
// engine runs in the same process, the engine's ({id, at, service, severity, kind, reason}).
function ingestEvents(list) {
  const fromProxy = list.filter((e) => e && e.cluster !== undefined);
  const fromEngine = list.filter((e) => e && e.service !== undefined);
  if (fromEngine.length) engine.ingest(Date.now() / 1000, engine.snapshot || { services: [] }, fromEngine, []);
  const first = proxyEvents === null;
  const fresh = fromProxy.some((e) => e.id != null)
    ? fromProxy.filter((e) => e.id > (proxyEvents?.lastId ?? 0))
    : newTail(proxyEvents?.list, fromProxy);
  proxyEvents = { list: fromProxy, lastId: Math.max(0, ...fromProxy.map((e) => e.id ?? 0)) };
  for (const e of first ? fresh.slice(-20) : fresh) {
    timeline.add({
      source: 'proxy', kind: e.kind, subject: e.backend ? `${e.cluster}/${e.backend}` : e.cluster, reason: e.reason,
      severity: /eject|down|fail|panic|unhealthy/i.test(e.kind) ? 'warning' : 'info',
      t: e.at ? e.at * 1000 : Date.now(), before: first && !e.at,
    });
  }
}

async function pollEngine(t) {
  const snap = await api.get('/api/v1/snapshot');
  engine.ingest(t, snap, snap.events || [], snap.directives || []);
  if (!api.features.proxy) {
    const events = await api.get('/api/v1/events').catch(() => null);
    if (events) ingestEvents(Array.isArray(events) ? events : events.events || []);
  }
}

function connectStream() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${api.token ? `?token=${encodeURIComponent(api.token)}` : ''}`;
  socket = new WebSocket(url);
  socket.onmessage = (m) => {
    try {
      const tick = JSON.parse(m.data);
      engine.ingest(Date.now() / 1000, tick, tick.events || [], tick.directives || []);
      if (!paused && view === 'monitor') engine.render();
    } catch (e) { console.warn('huddle: bad /ws message', e); }
  };
  socket.onclose = () => { socket = null; };
}

async function poll(now = false) {
  if (now) clearTimeout(timer);
  if (inFlight) return;
  inFlight = true;
  const t = Date.now() / 1000;
  const errors = [];
  try {
    if (!paused || now) {
      const jobs = [];
      if (api.features.proxy) jobs.push(pollProxy(t).catch((e) => errors.push(e)));
      if (api.features.engine && !socket) jobs.push(pollEngine(t).catch((e) => errors.push(e)));
      if (api.features.tasks_url && view === 'topology') jobs.push(topology.refresh());
      await Promise.all(jobs);
      if (errors.length === 0) lastOk = Date.now();
      const unauthorised = errors.find((e) => e.status === 401);
      banner(unauthorised ? 'The admin API wants a token: type it in the Token field above.' : errors.length ? `Cannot read the admin API: ${errors[0].message}` : '');
      render();
    }
  } finally {
    inFlight = false;
    status();
    timer = setTimeout(poll, POLL_MS);
  }
}

// ---- rendering -------------------------------------------------------------------------------
function render() {
  if (view === 'monitor') renderMonitor();
  else if (view === 'control') {
    control.renderBackends(model, api.features);
    control.renderEngine(api.features, engine.snapshot);
  } else topology.render();
  if (timeline.dirty && view === 'monitor') timeline.render();
}

function clusterView(name) {
  let v = clusterViews.get(name);
  if (v) return v;
  const svg = s('svg', { class: 'rings', role: 'group', 'aria-label': `rings of cluster ${name}` });
  const detail = h('div', { class: 'detail', 'aria-live': 'polite' });
  const summary = h('p', { class: 'summary' });
  const boxes = ['rate', 'lat', 'brate', 'bp99', 'berr'].map(() => h('div', { class: 'chart' }));
  const panel = h('section', { class: 'panel cluster', 'data-cluster': name, 'aria-label': `cluster ${name}` },
    h('h2', {}, `Cluster ${name} `, h('small', { class: 'policy' })), summary,
    h('div', { class: 'cluster-top' }, h('div', { class: 'rings-box' }, svg, legend()), detail, h('div', { class: 'charts2 stack' }, boxes[0], boxes[1])),
    h('div', { class: 'charts3' }, boxes[2], boxes[3], boxes[4]));
  $('clusters').append(panel);
  v = {
    panel, svg, detail, summary,
    charts: {
      rate: new LiveChart(boxes[0], { title: 'Cluster: requests and errors', unit: '/s' }),
      lat: new LiveChart(boxes[1], { title: 'Cluster: latency p50 / p99', unit: ' ms' }),
      brate: new LiveChart(boxes[2], { title: 'Requests per backend', unit: '/s' }),
      bp99: new LiveChart(boxes[3], { title: 'p99 latency per backend', unit: ' ms' }),
      berr: new LiveChart(boxes[4], { title: 'Errors per backend', unit: '/s' }),
    },
  };
  clusterViews.set(name, v);
  return v;
}

function legend() {
  return h('p', { class: 'legend' }, h('span', { class: 'scale' }), ' cold → hot (temperature; * derived from latency and errors when the policy has none) · ✕ ejected or down · ■ drained');
}

function renderMonitor() {
  if (!api.features.proxy) {
    $('clusters').replaceChildren(h('section', { class: 'panel' }, h('h2', { text: 'Clusters' }), h('p', { class: 'na', text: 'Not available: no proxy in this process.' })));
  }
  for (const [name, c] of model.clusters) {
    const v = clusterView(name);
    v.panel.querySelector('.policy').textContent = `policy ${c.info.policy}${c.info.panic ? ' · PANIC (routing to all)' : ''}`;
    const sm = c.summary || {};
    v.summary.textContent = `${fmt.rate(sm.rate)} · p50 ${fmt.ms(sm.p50)} · p99 ${fmt.ms(sm.p99)} · errors ${fmt.rate(sm.errRate)} · ${c.backends.filter((b) => b.ring === 'inner').length}/${c.backends.length} backends serving`;
    const sel = selected && selected.cluster === name ? selected.backend : null;
    renderRings(v.svg, name, c.backends, (cl, b) => { selected = { cluster: cl, backend: b }; render(); v.detail.querySelector('button')?.focus(); }, sel);
    renderDetail(v.detail, name, c.backends.find((b) => b.name === sel));
    const names = c.backends.map((b) => b.name);
    v.charts.rate.update(c.history, [{ name: 'cluster.rate', label: 'requests' }, { name: 'cluster.errors', label: 'errors', colour: '#e15759' }]);
    v.charts.lat.update(c.history, [{ name: 'cluster.p50', label: 'p50' }, { name: 'cluster.p99', label: 'p99', colour: '#e8833a' }]);
    v.charts.brate.update(c.history, names.map((n) => ({ name: `rate.${n}`, label: n })));
    v.charts.bp99.update(c.history, names.map((n) => ({ name: `p99.${n}`, label: n })));
    v.charts.berr.update(c.history, names.map((n) => ({ name: `errors.${n}`, label: n })));
  }
  if (!api.features.engine) {
    if (!engine.shownNa) { engine.unavailable('no engine in this process (per-service utilisation, forecasts and risk come from it).'); engine.shownNa = true; }
  } else engine.render();
}

function renderDetail(box, cluster, b) {
  if (!b) {
    box.replaceChildren(h('p', { class: 'hint', text: 'Select a backend on the rings (Tab, then Enter) for its numbers and actions.' }));
    return;
  }
  const focus = box.contains(document.activeElement) ? document.activeElement.dataset.action : null;
  const sig = JSON.stringify([b.name, b.state, b.weight, b.draining]);
  const rows = [
    ['state', stateText(b.state)], ['temperature', `${b.temperature.toFixed(2)}${b.temperatureDerived ? ' (derived)' : ''}`],
    ['requests', fmt.rate(b.rate)], ['p50 / p99', `${fmt.ms(b.p50)} / ${fmt.ms(b.p99)}`], ['errors', fmt.rate(b.errRate)],
    ['in flight', b.in_flight], ['weight', `${fmt.num(b.weight, 2)} (effective ${fmt.num(b.effective_weight, 2)})`],
    ['ejected', `${b.times_ejected} time(s)`], ['last probe', b.last_probe_status ? `${b.last_probe_status} in ${fmt.num(b.last_probe_ms, 1)} ms` : '–'],
  ];
  const dl = h('dl', {}, ...rows.flatMap(([k, val]) => [h('dt', { text: k }), h('dd', { text: String(val) })]));
  if (box.dataset.sig === sig && box.querySelector('dl')) {
    box.querySelector('dl').replaceWith(dl);
    return;
  }
  box.dataset.sig = sig;
  box.replaceChildren(h('h3', {}, `${b.name} `, h('small', { text: b.address })), dl,
    api.features.proxy ? control.actionsFor(cluster, b) : null,
    h('button', { type: 'button', class: 'link', onclick: () => { selected = null; render(); } }, 'Close (Esc)'));
  if (focus) box.querySelector(`[data-action="${focus}"]`)?.focus();
}

// ---- start -----------------------------------------------------------------------------------
async function start() {
  try {
    await api.loadConfig();
  } catch (e) {
    api.features.proxy = true;
    banner(`This huddle does not say what it serves (${e.message}); assuming a proxy admin API.`);
  }
  $('title').textContent = api.features.title || 'huddle';
  document.title = `${api.features.title || 'huddle'} dashboard`;
  if (api.features.token_required && !api.token) banner('The admin API wants a token: type it in the Token field above.');
  if (api.features.engine && api.features.engine_stream) connectStream();
  // A process with only the task service (the coordinator serves this page) opens on Topology.
  const tasksOnly = api.features.tasks_url && !api.features.proxy && !api.features.engine;
  const initial = (location.hash || (tasksOnly ? '#topology' : '#monitor')).slice(1);
  show(['monitor', 'control', 'topology'].includes(initial) ? initial : 'monitor');
  setInterval(status, 1000);
  poll(true);
}

window.huddleDashboard = { model, timeline, api }; // for tests and the curious
start();
